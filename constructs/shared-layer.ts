/**
 * SharedLayer: the services that run once, in the home namespace, for every ring (frontend, docs,
 * redis, indian-post…), with a shared Ingress for the public ones.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Component, ComponentOverrides, ComponentSpec, validateComponent } from './component';
import * as k8s from './k8s';
import { standardLabels } from './labels';
import { RingData, RingDataProps } from './ring-data-config-map';
import { Footprint, surgeFootprint } from './ring-quota';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../imports/gwapi-httproutes-gateway.networking.k8s.io';
import type { GatewayRef } from './tenant-routes';
import { ControllerPeerProps, DnsPeerProps } from './policy-peers';
import { SharedNetworkPolicies, SharedPolicyExternal } from './shared-network-policies';

export { REDIS_DATA_DIR, REDIS_MANAGED_FLAGS } from '../src/model/redis';
import { REDIS_DATA_DIR, REDIS_MANAGED_FLAGS } from '../src/model/redis';
import { DEFAULT_PART_OF } from '../src/model/defaults';

export interface SharedRedisProps {
  /** The shared service that is Redis (the `[redis] host` every ring reaches). */
  readonly service: string;
  /** An existing Secret in the home namespace holding the password (made by hand; never generated). */
  readonly passwordSecret: string;
  /** @default "password" */
  readonly passwordKey?: string;
  /**
   * "aof": append-only file (fsync every second) on a ReadWriteOnce PersistentVolumeClaim `<service>-data`
   * mounted at /data, and the Deployment recreates rather than surges (one pod owns the volume).
   * "none": nothing kept on disk; a restart loses every queued job.
   * @default { mode: "aof", sizeGib: 8 }
   */
  readonly persistence?: { readonly mode: 'aof'; readonly sizeGib?: number; readonly storageClassName?: string } | { readonly mode: 'none' };
  /** The PodDisruptionBudget's minAvailable: 1 makes a drain wait until someone moves redis on purpose; 0 lets it go. @default 1 */
  readonly minAvailable?: number;
}

export interface SharedServiceProps extends ComponentOverrides {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  /** @default 1 */
  readonly replicas?: number;
  /** Public host label: served at `<host>.<domain>`. @default not exposed */
  readonly host?: string;
  /** @default 100 */
  readonly cpuRequestMillicores?: number;
  /** @default 1000 */
  readonly cpuLimitMillicores?: number;
  /** @default 128 */
  readonly memoryRequestMib?: number;
  /** @default 256 */
  readonly memoryLimitMib?: number;
  /** @default 1000 */
  readonly runAsUser?: number;
  /** @default ["/tmp"] */
  readonly writablePaths?: readonly string[];
  /** HTTP readiness/liveness path. @default a TCP probe on `port` */
  readonly healthPath?: string;
  /** @default the image's arguments */
  readonly args?: readonly string[];
  /** Folder where the layer's ring-data ConfigMap is mounted read-only (needs `ringData`). @default not mounted */
  readonly ringDataPath?: string;
  /** TCP ports it may reach outside the cluster (its NetworkPolicy). @default [] */
  readonly internetPorts?: readonly number[];
  /** Rings in other clusters reach it at its remote_host: its NetworkPolicy admits its port from any address. @default false */
  readonly remoteClients?: boolean;
}

export interface SharedLayerProps {
  /** The home namespace (created by the home Ring). */
  readonly namespace: string;
  readonly domain: string;
  readonly services: readonly SharedServiceProps[];
  /** `app.kubernetes.io/part-of`. @default DEFAULT_PART_OF ("platform") */
  readonly partOf?: string;
  /** @default "nginx" */
  readonly ingressClassName?: string;
  /** Secret with the `*.<domain>` certificate. @default "wildcard-tls" */
  readonly domainTlsSecret?: string;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** How the public services are routed; gateway-api makes one HTTPRoute per host. @default ingress */
  readonly routing?: { readonly mode?: 'ingress' | 'gateway-api'; readonly gateway?: GatewayRef };
  /**
   * The tenant → ring map as an immutable, content-addressed ConfigMap in this namespace (see
   * RingData), mounted into the services that give `ringDataPath`. @default none
   */
  readonly ringData?: Omit<RingDataProps, 'namespace' | 'partOf'>;
  /** Redis run by the shared layer: password, persistence, budget. @default no service is treated as redis */
  readonly redis?: SharedRedisProps;
  /** Peers of the shared layer's NetworkPolicies. @default see SharedNetworkPoliciesProps */
  readonly networkPolicies?: {
    /** Ring pods (by `app.kubernetes.io/name`) that use the shared services. @default ["api", "horizon"] */
    readonly clients?: readonly string[];
    /** @default the namespace named "ingress-nginx" */
    readonly ingressController?: ControllerPeerProps;
    /** @default kube-dns in kube-system */
    readonly dns?: DnsPeerProps;
    /** External services in the home namespace; those with a pod selector get an ingress policy. @default [] */
    readonly external?: readonly SharedPolicyExternal[];
  };
}

/** A shared service as a component spec: the same Deployment/Service builder as the rings use. */
export function sharedComponent(s: SharedServiceProps, redis?: SharedRedisProps): ComponentSpec {
  const isRedis = redis?.service === s.name;
  const aof = isRedis && (redis!.persistence?.mode ?? 'aof') === 'aof';
  const redisArgs = isRedis
    ? [
        // Kubernetes expands $(REDIS_PASSWORD) from the container's env: no shell, no password in the manifest.
        '--requirepass', '$(REDIS_PASSWORD)',
        ...(aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', REDIS_DATA_DIR] : ['--appendonly', 'no', '--save', '']),
      ]
    : [];
  const args = [...redisArgs, ...(s.args ?? [])];
  return {
    name: s.name,
    image: s.image,
    replicas: s.replicas ?? 1,
    port: s.port,
    cpuRequestMillicores: s.cpuRequestMillicores ?? 100,
    cpuLimitMillicores: s.cpuLimitMillicores ?? 1000,
    memoryRequestMib: s.memoryRequestMib ?? 128,
    memoryLimitMib: s.memoryLimitMib ?? 256,
    probe: s.healthPath ? { kind: 'http', path: s.healthPath, port: s.port } : { kind: 'tcp', port: s.port },
    runAsUser: s.runAsUser,
    writablePaths: s.writablePaths,
    ...(args.length ? { args } : {}),
    ephemeralStorageRequestMib: s.ephemeralStorageRequestMib,
    ephemeralStorageLimitMib: s.ephemeralStorageLimitMib,
    writableSizeLimitMib: s.writableSizeLimitMib,
    writableSizeLimitsMib: s.writableSizeLimitsMib,
    initDirectories: s.initDirectories,
    env: s.env,
    nodeSelector: s.nodeSelector,
    tolerations: s.tolerations,
    affinity: s.affinity,
    priorityClassName: s.priorityClassName,
    labels: s.labels,
    podAnnotations: s.podAnnotations,
    spreadWhenUnsatisfiable: s.spreadWhenUnsatisfiable,
    disruptionBudget: isRedis ? { minAvailable: redis!.minAvailable ?? 1 } : true,
    ...(isRedis ? { secretEnv: [{ name: 'REDIS_PASSWORD', secret: redis!.passwordSecret, key: redis!.passwordKey ?? 'password' }] } : {}),
    ...(aof ? { persistentVolumes: [{ claim: `${s.name}-data`, mountPath: REDIS_DATA_DIR }], strategy: 'Recreate' as const } : {}),
  };
}

/** What the shared layer refuses about redis: args repeating the managed flags, a budget that is not 0 or 1. */
export function redisProblems(services: readonly SharedServiceProps[], redis?: SharedRedisProps): string[] {
  if (!redis) return [];
  const s = services.find((x) => x.name === redis.service);
  if (!s) return [];
  const errs: string[] = [];
  for (const a of s.args ?? []) {
    const flag = (REDIS_MANAGED_FLAGS as readonly string[]).find((f) => a === f || a.startsWith(`${f}=`));
    if (flag) errs.push(`redis: args repeat ${flag}, which the shared layer sets from the redis settings (password, persistence); remove it`);
  }
  const p = redis.persistence;
  if (p?.mode === 'aof' && p.sizeGib !== undefined && (!Number.isInteger(p.sizeGib) || p.sizeGib < 1)) errs.push(`redis: persistence.sizeGib must be a whole number ≥ 1, got ${p.sizeGib}`);
  if (redis.minAvailable !== undefined && ![0, 1].includes(redis.minAvailable)) errs.push(`redis: minAvailable must be 0 or 1 (one replica), got ${redis.minAvailable}`);
  return errs;
}

/** The shared layer's resources at full surge, for the home ring's quota. */
export function sharedLayerFootprint(services: readonly SharedServiceProps[], redis?: SharedRedisProps): Footprint {
  return surgeFootprint(services.map((s) => sharedComponent(s, redis)));
}

export class SharedLayer extends Chart {
  constructor(scope: Construct, id: string, props: SharedLayerProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const partOf = props.partOf ?? DEFAULT_PART_OF;
    const services = [...props.services].sort((a, b) => a.name.localeCompare(b.name));
    const ringData = props.ringData ? new RingData(this, 'ring-data', { ...props.ringData, namespace: props.namespace, partOf }) : undefined;
    const unmountable = services.filter((s) => s.ringDataPath && !ringData).map((s) => s.name);
    if (unmountable.length) throw new Error(`shared layer: ${unmountable.join(', ')} set ringDataPath, but no ringData is given to mount; pass ringData or drop ringDataPath`);
    const specs = services.map((s) => {
      const c = sharedComponent(s, props.redis);
      return s.ringDataPath && ringData ? { ...c, configMounts: [...(c.configMounts ?? []), { configMap: ringData.configMapName, mountPath: s.ringDataPath }] } : c;
    });
    const errors = [...specs.flatMap(validateComponent), ...redisProblems(services, props.redis)];
    if (errors.length) throw new Error(`shared layer: ${errors.join('; ')}`);
    for (const c of specs) {
      new Component(this, c.name, { ...c, namespace: props.namespace, partOf, imagePullSecrets: props.imagePullSecrets });
      for (const v of c.persistentVolumes ?? []) {
        const p = props.redis?.persistence;
        new k8s.KubePersistentVolumeClaim(this, `${v.claim}-pvc`, {
          metadata: { name: v.claim, namespace: props.namespace, labels: standardLabels({ name: v.claim, partOf, component: c.name }) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(p?.mode === 'aof' && p.storageClassName ? { storageClassName: p.storageClassName } : {}),
            resources: { requests: { storage: k8s.Quantity.fromString(`${p?.mode === 'aof' ? (p.sizeGib ?? 8) : 8}Gi`) } },
          },
        });
      }
    }
    const np = props.networkPolicies ?? {};
    new SharedNetworkPolicies(this, 'network-policies', {
      namespace: props.namespace,
      partOf,
      services: services.map((s) => ({ name: s.name, port: s.port, public: Boolean(s.host), internetPorts: s.internetPorts, ...(s.remoteClients ? { remoteClients: true } : {}) })),
      external: np.external,
      clients: np.clients,
      ingressController: np.ingressController,
      dns: np.dns,
    });
    const exposed = services.filter((s) => s.host);
    if (exposed.length && props.routing?.mode === 'gateway-api') {
      const g = props.routing.gateway;
      if (!g) throw new Error('shared layer: gateway-api routing needs routing.gateway (the Gateway\'s name and namespace)');
      // An HTTPRoute's hostnames apply to all its rules, so each host gets its own route.
      for (const s of exposed) {
        const name = `shared-${s.name}`.slice(0, 63).replace(/-+$/, '');
        new HttpRoute(this, `route-${s.name}`, {
          metadata: { name, namespace: props.namespace, labels: standardLabels({ name, partOf, component: 'routes' }) },
          spec: {
            parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name, namespace: g.namespace, ...(g.sectionName ? { sectionName: g.sectionName } : {}) }],
            hostnames: [`${s.host}.${props.domain}`],
            rules: [{ matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: s.name, port: s.port }] }],
          },
        });
      }
    } else if (exposed.length) {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: { name: 'shared-hosts', namespace: props.namespace, labels: standardLabels({ name: 'shared-hosts', partOf, component: 'ingress' }) },
        spec: {
          ingressClassName: props.ingressClassName ?? 'nginx',
          tls: [{ hosts: exposed.map((s) => `${s.host}.${props.domain}`), secretName: props.domainTlsSecret ?? 'wildcard-tls' }],
          rules: exposed.map((s) => ({
            host: `${s.host}.${props.domain}`,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: s.name, port: { number: s.port } } } }] },
          })),
        },
      });
    }
  }
}
