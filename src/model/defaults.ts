/**
 * Default values that the registry's schema (`.default(…)`) and the constructs (`props.x ?? …`) both
 * apply: one constant each, so a registry that leaves a key out and a consumer that leaves a prop out
 * get the same output. Pure.
 */

/** Where pods find their ring's lock file (`lock_mount_dir`, RingProps.lockMountDir). */
export const DEFAULT_LOCK_MOUNT_DIR = '/etc/rings';

/** The api component's container port (`components.api.port`, OctaneWorkloadOptions.apiPort). */
export const DEFAULT_API_PORT = 8000;

/** nginx-unprivileged's container port (`components.nginx.port`, OctaneWorkloadOptions.nginxPort). */
export const DEFAULT_NGINX_PORT = 8080;

/** The ClusterSecretStore reading the home namespace (`secrets.store`, the secret-sync constructs' storeName). */
export const DEFAULT_HOME_SECRET_STORE = 'ring-home-secrets';

/** `app.kubernetes.io/part-of` of a construct given no `partOf` (the registry always passes its platform name). */
export const DEFAULT_PART_OF = 'platform';

/** How often a rotated home secret is copied again (`secrets.refresh_interval`, the ExternalSecrets' refreshInterval). */
export const DEFAULT_SECRET_REFRESH_INTERVAL = '1h';
