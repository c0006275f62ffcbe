/**
 * The Octane preset: AutoCom's Laravel platform as three components, api (Octane, :8000, `/api/health`),
 * horizon (the queue worker, exec probe `php artisan horizon:status`) and nginx (nginx-unprivileged,
 * :8080 → api), with the nginx component's configuration. A ring runs it when the registry asks for it;
 * any other platform passes its own `ComponentSpec[]` to `Ring`/`PerRingWorkload` instead.
 */
import { LOCK_CONFIG_MAP, RING_CONFIG_MAP } from '../../src/model/content-address';
import { DEFAULT_API_PORT, DEFAULT_LOCK_MOUNT_DIR, DEFAULT_NGINX_PORT } from '../../src/model/defaults';
import { memoryForModules, MemoryCoefficients } from '../../src/model/memory';
import { NGINX_CONFIG_DIR, NGINX_CONFIG_MAP } from '../../src/model/names';
import { ComponentOverrides, ComponentSpec, HpaSpec, SecretEnv, SecretMount } from '../component';
import { ANNOTATION_PREFIX } from '../labels';

/** What a registry or consumer may change on one of the Octane components (every field optional). */
export interface OctaneComponentOverrides extends ComponentOverrides {
  /** @default the component's (api/horizon 250, nginx 50) */
  readonly cpuRequestMillicores?: number;
  /** @default the component's (api/horizon 2000, nginx 500) */
  readonly cpuLimitMillicores?: number;
  /** Overrides the memory rule for api and horizon. @default the memory rule (api/horizon), 64 (nginx) */
  readonly memoryRequestMib?: number;
  /** @default the memory rule (api/horizon), 128 (nginx) */
  readonly memoryLimitMib?: number;
}

/** Laravel's folders under /app/storage, recreated in the emptyDir before api and horizon start. */
export const LARAVEL_STORAGE_DIRECTORIES = [
  '/app/storage/app/public',
  '/app/storage/framework/cache/data',
  '/app/storage/framework/sessions',
  '/app/storage/framework/testing',
  '/app/storage/framework/views',
  '/app/storage/logs',
] as const;

/** Options of the seed's Octane workload; everything but the images has a default. */
export interface OctaneWorkloadOptions {
  readonly apiImage: string;
  /** @default apiImage */
  readonly horizonImage?: string;
  /** @default "nginxinc/nginx-unprivileged:1.29.3-alpine" */
  readonly nginxImage?: string;
  /** Modules in the ring's lock: api and horizon memory follows it. @default 0 */
  readonly modules?: number;
  /** @default 256 / 32 / 1.5 / 128 (see `memoryForModules`) */
  readonly memory?: MemoryCoefficients;
  /** @default { api: 2, horizon: 1, nginx: 2 } */
  readonly replicas?: { readonly api: number; readonly horizon: number; readonly nginx: number };
  /** @default no autoscaler */
  readonly apiHpa?: HpaSpec;
  /** @default DEFAULT_API_PORT (8000) */
  readonly apiPort?: number;
  /** @default DEFAULT_NGINX_PORT (8080) */
  readonly nginxPort?: number;
  /** @default api/horizon 250m–2000m, nginx 50m–500m */
  readonly cpu?: { readonly [component in 'api' | 'horizon' | 'nginx']?: { readonly requestMillicores: number; readonly limitMillicores: number } };
  /** @default 64Mi request, 128Mi limit */
  readonly nginxMemory?: { readonly requestMib: number; readonly limitMib: number };
  /** @default api and horizon 1000, nginx 101 */
  readonly runAsUser?: { readonly [component in 'api' | 'horizon' | 'nginx']?: number };
  /** @default api/horizon: /tmp, /app/storage, /app/bootstrap/cache; nginx: /tmp, /var/cache/nginx */
  readonly writablePaths?: { readonly [component in 'api' | 'horizon' | 'nginx']?: readonly string[] };
  /** ConfigMaps api and horizon read as environment (the ring ConfigMap). @default ["ring-config"] */
  readonly envFromConfigMaps?: readonly string[];
  /** Secrets api and horizon read as environment. @default [] */
  readonly envFromSecrets?: readonly string[];
  /** Secrets api and horizon mount read-only as files (e.g. Passport keys). @default [] */
  readonly secretMounts?: readonly SecretMount[];
  /** ConfigMap holding the ring's lock, and where it is mounted. @default { configMap: LOCK_CONFIG_MAP ("module-lock"), mountPath: DEFAULT_LOCK_MOUNT_DIR ("/etc/rings") } */
  readonly lockMount?: { readonly configMap: string; readonly mountPath: string };
  /** Checksum annotations on api and horizon pods. @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** TCP ports api and horizon may reach outside the cluster. @default [443] */
  readonly internetPorts?: readonly number[];
  /** Environment variables api and horizon read from a Secret key (e.g. REDIS_PASSWORD). @default [] */
  readonly secretEnv?: readonly SecretEnv[];
  /**
   * Folders created inside the writable paths before api and horizon start (an init container).
   * @default LARAVEL_STORAGE_DIRECTORIES when /app/storage is a writable path, else []
   */
  readonly initDirectories?: { readonly [component in 'api' | 'horizon']?: readonly string[] };
  /** Escape hatches and resources per component (node selector, tolerations, affinity, env…). @default {} */
  readonly overrides?: { readonly [component in 'api' | 'horizon' | 'nginx']?: OctaneComponentOverrides };
}

export const DEFAULT_NGINX_IMAGE = 'nginxinc/nginx-unprivileged:1.29.3-alpine';
export { NGINX_CONFIG_DIR, NGINX_CONFIG_MAP };

/** The seed's api (Octane, :8000), horizon (queue worker) and nginx (nginx-unprivileged, :8080 → api). */
export function octaneComponents(o: OctaneWorkloadOptions): ComponentSpec[] {
  const mem = memoryForModules(o.modules ?? 0, o.memory);
  const replicas = o.replicas ?? { api: 2, horizon: 1, nginx: 2 };
  const apiPort = o.apiPort ?? DEFAULT_API_PORT;
  const nginxPort = o.nginxPort ?? DEFAULT_NGINX_PORT;
  const cpu = (c: 'api' | 'horizon' | 'nginx', req: number, lim: number) => ({
    cpuRequestMillicores: o.cpu?.[c]?.requestMillicores ?? req,
    cpuLimitMillicores: o.cpu?.[c]?.limitMillicores ?? lim,
  });
  const octaneWritable = ['/tmp', '/app/storage', '/app/bootstrap/cache'];
  const lock = o.lockMount ?? { configMap: LOCK_CONFIG_MAP, mountPath: DEFAULT_LOCK_MOUNT_DIR };
  const shared = {
    // Migrations run from this image; every ring reads the same tenant databases.
    annotations: { [`${ANNOTATION_PREFIX}/schema-changes`]: 'additive only: tenant databases are shared by every ring, older module versions must keep working' },
    envFromConfigMaps: o.envFromConfigMaps ?? [RING_CONFIG_MAP],
    envFromSecrets: o.envFromSecrets ?? [],
    ...(o.secretMounts?.length ? { secretMounts: [...o.secretMounts].sort((a, b) => a.secret.localeCompare(b.secret)) } : {}),
    configMounts: [lock],
    podAnnotations: o.podAnnotations ?? {},
    memoryRequestMib: mem.requestMib,
    memoryLimitMib: mem.limitMib,
  };
  const internetPorts = o.internetPorts ?? [443];
  const laravelDirs = (paths: readonly string[]) => (paths.some((p) => p.replace(/\/+$/, '') === '/app/storage') ? [...LARAVEL_STORAGE_DIRECTORIES] : []);
  const apiPaths = o.writablePaths?.api ?? octaneWritable;
  const horizonPaths = o.writablePaths?.horizon ?? octaneWritable;
  const over = (c: 'api' | 'horizon' | 'nginx', spec: ComponentSpec): ComponentSpec => {
    const x = o.overrides?.[c];
    if (!x) return spec;
    const defined = Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
    return {
      ...spec,
      ...defined,
      env: { ...(spec.env ?? {}), ...(x.env ?? {}) },
      labels: { ...(spec.labels ?? {}), ...(x.labels ?? {}) },
      podAnnotations: { ...(spec.podAnnotations ?? {}), ...(x.podAnnotations ?? {}) },
    };
  };
  const secretEnv = o.secretEnv?.length ? { secretEnv: [...o.secretEnv] } : {};
  return [
    over('api', {
      name: 'api',
      image: o.apiImage,
      replicas: replicas.api,
      port: apiPort,
      ...cpu('api', 250, 2000),
      ...shared,
      probe: { kind: 'http', path: '/api/health', port: apiPort },
      runAsUser: o.runAsUser?.api ?? 1000,
      writablePaths: apiPaths,
      initDirectories: o.initDirectories?.api ?? laravelDirs(apiPaths),
      ...secretEnv,
      hpa: o.apiHpa,
      reachableFrom: { components: ['nginx'] },
      reaches: { sharedServices: true, internetPorts },
    }),
    over('horizon', {
      name: 'horizon',
      image: o.horizonImage ?? o.apiImage,
      replicas: replicas.horizon,
      command: ['php', 'artisan', 'horizon'],
      ...cpu('horizon', 250, 2000),
      ...shared,
      // No HTTP port: horizon:status exits non-zero when the supervisor is not running.
      probe: { kind: 'exec', command: ['php', 'artisan', 'horizon:status'] },
      runAsUser: o.runAsUser?.horizon ?? 1000,
      writablePaths: horizonPaths,
      initDirectories: o.initDirectories?.horizon ?? laravelDirs(horizonPaths),
      ...secretEnv,
      // Lets running jobs finish before the pod is killed.
      terminationGracePeriodSeconds: 60,
      reaches: { sharedServices: true, internetPorts },
    }),
    over('nginx', {
      name: 'nginx',
      image: o.nginxImage ?? DEFAULT_NGINX_IMAGE,
      replicas: replicas.nginx,
      port: nginxPort,
      servicePort: 80,
      ...cpu('nginx', 50, 500),
      memoryRequestMib: o.nginxMemory?.requestMib ?? 64,
      memoryLimitMib: o.nginxMemory?.limitMib ?? 128,
      probe: { kind: 'http', path: '/healthz', port: nginxPort },
      runAsUser: o.runAsUser?.nginx ?? 101,
      writablePaths: o.writablePaths?.nginx ?? ['/tmp', '/var/cache/nginx'],
      configMounts: [{ configMap: NGINX_CONFIG_MAP, mountPath: NGINX_CONFIG_DIR }],
      reachableFrom: { ingressController: true },
      reaches: { components: ['api'] },
    }),
  ];
}

/** The nginx component's server block: health endpoint served locally, everything else proxied to api. */
export function octaneNginxConfig(apiService = 'api', apiPort = DEFAULT_API_PORT, listenPort = DEFAULT_NGINX_PORT): string {
  return [
    'server {',
    `    listen ${listenPort};`,
    '    server_name _;',
    '    client_max_body_size 64m;',
    '    location = /healthz {',
    '        access_log off;',
    '        default_type text/plain;',
    '        return 200 "ok\\n";',
    '    }',
    '    location / {',
    `        proxy_pass http://${apiService}:${apiPort};`,
    '        proxy_http_version 1.1;',
    '        proxy_set_header Host $host;',
    '        proxy_set_header X-Real-IP $remote_addr;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;',
    '        proxy_set_header Upgrade $http_upgrade;',
    '        proxy_set_header Connection $connection_upgrade;',
    '        proxy_read_timeout 120s;',
    '    }',
    '}',
    'map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    "    ''      close;",
    '}',
    '',
  ].join('\n');
}
