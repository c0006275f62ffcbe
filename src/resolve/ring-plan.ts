/** One ring's props: its components (the Octane preset), lock, config, hosts, quota, secrets and routing. */
import { ComponentSpec, octaneComponents, RingProps, SecretEnv, SharedLayerProps, sharedLayerFootprint } from '../../constructs';
import type { LockPins } from '../model/lock';
import { memoryForModules } from '../model/memory';
import type { RingImages } from '../model/images';
import type { OctanePlatformFile, OctaneRingFile } from '../registry/schema/schema';
import { ComponentsRingFile, RingFile, ringImagesOf } from '../registry/schema/presets';
import { declaredComponents } from './declared-components';
import { lockPins } from '../registry/schema/types';
import { effectiveComponent, octaneOverrides } from './component-tables';
import type { PlatformContext } from './platform-context';

export interface ResolvedRing extends RingProps {
  /** With `[clusters]`: the cluster the ring runs in. @default none (one implicit cluster) */
  readonly cluster?: string;
  readonly promotionOrder: number;
  readonly active: boolean;
  readonly soak: string;
  readonly modules: number;
  /** The component whose memory limit summaries show (Octane: api, whose memory follows the module count; else the entry). */
  readonly memoryComponent: string;
  /** That component's memory limit (named for the Octane preset, where it is api's). */
  readonly apiMemoryLimitMib: number;
  /** The images the ring runs (its own pins, else platform.toml's defaults). */
  readonly images: RingImages;
}

export function ringPlan(ctx: PlatformContext, shared: SharedLayerProps, r: RingFile): ResolvedRing {
  const { reg, p, home, placement, sharedServices, dns, controllerNamespace, controller, hasRedis, routing, tenantsByRing, externalFootprints, previewsByRing, sharedHosts, previousOf } = ctx;

  const entry = reg.locks[r.name];
  const versions = entry?.modules ?? {};
  const modules = Object.keys(versions).length;
  // AutoCom's form reaches the pods as AutoCom reads it: (version, sha256) per module, and the metadata.
  const lock: LockPins = entry ? lockPins(entry) : {};
  const isHome = r.name === p.home_ring;
  const placed = placement(r);
  const images = ringImagesOf(p, r);
  const secretEnv = hasRedis ? [{ name: 'REDIS_PASSWORD', secret: p.redis.password_secret, key: p.redis.password_key }] : [];
  const workload = p.preset === 'none' ? declaredComponents(p, r as ComponentsRingFile, images, { secretEnv }) : octaneWorkload(p, r as OctaneRingFile, images, modules, secretEnv);
  // The component whose memory the summaries show: Octane's api (it follows the module count), else the entry.
  const memoryComponent = p.preset === 'none' ? p.entry : 'api';
  const memoryLimitMib = p.preset === 'none' ? (workload.find((w) => w.name === memoryComponent)?.memoryLimitMib ?? 0) : memoryForModules(modules, p.memory).limitMib;
  return {
    name: r.name,
    ...(placed ? { cluster: placed.cluster } : {}),
    namespace: r.namespace,
    hostnameSegment: r.hostname_segment,
    domain: p.domain,
    displayName: r.display_name ?? r.name,
    description: r.description,
    partOf: p.name,
    registry: p.name,
    isDefault: r.default,
    ...(p.preset === 'none' ? { entry: p.entry } : {}),
    home: { namespace: home.namespace, sharedServices, ...(placed && !placed.home ? { remote: true } : {}) },
    workload,
    tenants: tenantsByRing.get(r.name) ?? [],
    lock,
    ...(entry?.format === 'hashed' ? { lockMetadata: entry.metadata ?? {} } : {}),
    lockMountDir: p.lock_mount_dir,
    ...previousOf(r.name, r.namespace),
    appSettings: p.app_settings,
    ...(p.database ? { database: { host: p.database.host, port: p.database.port } } : {}),
    ...(hasRedis ? { redis: { host: p.redis.host, port: p.redis.port } } : {}),
    dns,
    ingress: {
      className: p.ingress.class,
      controllerNamespace,
      controller,
      domainTlsSecret: p.tls.domain_secret,
      segmentTlsSecret: p.tls.ring_secret.replace(/\{segment\}/g, r.hostname_segment),
      shards: r.ingress_shards,
    },
    imagePullSecrets: [...p.secrets.image_pull].sort(),
    quotaMarginPercent: p.quota_margin_percent,
    quotaAlsoCovers: isHome ? [sharedLayerFootprint(shared.services, shared.redis), ...externalFootprints] : [],
    secretSync: {
      mode: p.secrets.sync,
      storeName: p.secrets.store,
      refreshInterval: p.secrets.refresh_interval,
      restartOnRotation: p.secrets.restart_on_rotation,
    },
    tls: { mode: p.tls.mode, issuer: p.tls.issuer, alsoServes: isHome ? sharedHosts : [] },
    routing,
    previews: previewsByRing.get(r.name) ?? [],
    promotionOrder: r.promotion_order,
    active: r.active,
    soak: r.soak,
    modules,
    memoryComponent,
    apiMemoryLimitMib: memoryLimitMib,
    images,
  };
}

/** The Octane preset's api, horizon and nginx for ring `r`. */
function octaneWorkload(p: OctanePlatformFile, r: OctaneRingFile, images: RingImages, modules: number, secretEnv: SecretEnv[]): ComponentSpec[] {
  const c = { api: effectiveComponent(p, r, 'api'), horizon: effectiveComponent(p, r, 'horizon'), nginx: effectiveComponent(p, r, 'nginx') };
  return octaneComponents({
    apiImage: images.api,
    horizonImage: images.horizon,
    nginxImage: images.nginx,
    modules,
    memory: p.memory,
    replicas: r.replicas,
    apiHpa: r.hpa ? { min: r.hpa.min, max: r.hpa.max, cpuUtilizationPercent: r.hpa.cpu_utilization_percent } : undefined,
    apiPort: c.api.port,
    nginxPort: c.nginx.port,
    cpu: {
      api: { requestMillicores: c.api.cpu_request_millicores, limitMillicores: c.api.cpu_limit_millicores },
      horizon: { requestMillicores: c.horizon.cpu_request_millicores, limitMillicores: c.horizon.cpu_limit_millicores },
      nginx: { requestMillicores: c.nginx.cpu_request_millicores, limitMillicores: c.nginx.cpu_limit_millicores },
    },
    nginxMemory: { requestMib: c.nginx.memory_request_mib!, limitMib: c.nginx.memory_limit_mib! },
    runAsUser: { api: c.api.run_as_user, horizon: c.horizon.run_as_user, nginx: c.nginx.run_as_user },
    writablePaths: { api: c.api.writable_paths, horizon: c.horizon.writable_paths, nginx: c.nginx.writable_paths },
    envFromSecrets: [...p.secrets.env_from].sort(),
    secretMounts: p.secrets.mounts.map((m) => ({ secret: m.name, mountPath: m.mount_path })),
    lockMount: { configMap: 'module-lock', mountPath: p.lock_mount_dir },
    internetPorts: p.egress_ports,
    secretEnv,
    overrides: { api: octaneOverrides(c.api), horizon: octaneOverrides(c.horizon), nginx: octaneOverrides(c.nginx) },
  });
}
