/**
 * resolve: derives everything once, as plain data, from a validated registry: the props of every
 * construct. Pure; no file, env or clock access.
 */
import {
  ClusterLayerProps,
  Footprint,
  GatewayRef,
  HostClaim,
  PerRingWorkload,
  ringSecretNeeds,
  RingProps,
  SharedLayerProps,
  SharedServiceRef,
  sharedLayerFootprint,
  TenantPreview,
} from '../../constructs';
import { ringDataOf } from '../export/ring-data';
import { memoryForModules } from '../memory';
import { RegistryError } from './errors';
import type { Registry } from './load';
import { unresolvableProblems } from './plan-guards';

export interface RingPlan {
  readonly platform: string;
  readonly domain: string;
  readonly homeNamespace: string;
  readonly shared: SharedLayerProps;
  /** Cluster-scoped objects (the External Secrets store); empty props when nothing is needed. */
  readonly cluster: ClusterLayerProps;
  /** Most conservative first. */
  readonly rings: readonly ResolvedRing[];
}

export interface ResolvedRing extends RingProps {
  readonly promotionOrder: number;
  readonly active: boolean;
  readonly soak: string;
  readonly modules: number;
  readonly apiMemoryLimitMib: number;
}

/** The shared layer's ring-data ConfigMap, unless `ring_data = false`. */
function ringDataProps(reg: Registry): SharedLayerProps['ringData'] {
  if (!reg.platform.ring_data) return undefined;
  const data = ringDataOf(reg);
  return { domain: reg.platform.domain, rings: data.module_rings, tenants: Object.fromEntries(data.tenants.map((t) => [t.name, t.ring])) };
}

/**
 * The props of every construct, from a validated registry. Refuses (throws `RegistryError`) what it
 * cannot place rather than dropping it: a tenant or preview on a ring that does not exist or is
 * inactive, a home ring that is not a ring, a ring without a lock.
 */
export function resolvePlan(reg: Registry): RingPlan {
  const refused = unresolvableProblems(reg);
  if (refused.length) throw new RegistryError(refused);
  const p = reg.platform;
  const home = reg.rings.find((r) => r.spec.name === p.home_ring)!.spec;
  const sharedServices: SharedServiceRef[] = [
    ...p.shared.services.map((s) => ({ name: s.name, port: s.port })),
    ...p.shared.external.map((s) => ({ name: s.name, port: s.port })),
  ].sort((a, b) => a.name.localeCompare(b.name));

  const gateway: GatewayRef | undefined = p.gateway
    ? { name: p.gateway.name, namespace: p.gateway.namespace, ...(p.gateway.section_name ? { sectionName: p.gateway.section_name } : {}) }
    : undefined;
  const routing = { mode: p.routing, ...(p.routing === 'gateway-api' ? { gateway } : {}) };
  const shared: SharedLayerProps = {
    routing,
    namespace: home.namespace,
    domain: p.domain,
    partOf: p.name,
    ingressClassName: p.ingress.class,
    domainTlsSecret: p.tls.domain_secret,
    imagePullSecrets: [...p.secrets.image_pull].sort(),
    services: p.shared.services.map((s) => ({
      name: s.name,
      image: s.image,
      port: s.port,
      replicas: s.replicas,
      host: s.host,
      cpuRequestMillicores: s.cpu_request_millicores,
      cpuLimitMillicores: s.cpu_limit_millicores,
      memoryRequestMib: s.memory_request_mib,
      memoryLimitMib: s.memory_limit_mib,
      runAsUser: s.run_as_user,
      writablePaths: s.writable_paths,
      healthPath: s.health_path,
      args: s.args,
      ringDataPath: s.ring_data_path,
    })),
    ringData: ringDataProps(reg),
  };

  const tenantsByRing = new Map<string, string[]>();
  for (const [tenant, ring] of Object.entries(reg.tenants)) {
    if (!tenantsByRing.has(ring)) tenantsByRing.set(ring, []);
    tenantsByRing.get(ring)!.push(tenant);
  }

  // Pods run in the home namespace by something else (CNPG, MinIO) count against its quota too.
  const externalFootprints: Footprint[] = p.shared.external
    .filter((e) => e.quota)
    .map(({ quota: q }) => ({
      pods: q!.pods,
      cpuRequestMillicores: q!.cpu_request_millicores,
      cpuLimitMillicores: q!.cpu_limit_millicores,
      memoryRequestMib: q!.memory_request_mib,
      memoryLimitMib: q!.memory_limit_mib,
    }));

  // Previews, by the ring that serves them: the tenant's hosts as its own ring claims them.
  const segmentOf = new Map(reg.rings.map(({ spec }) => [spec.name, spec.hostname_segment]));
  const previewsByRing = new Map<string, TenantPreview[]>();
  for (const [tenant, pv] of Object.entries(reg.previews)) {
    const own = reg.tenants[tenant];
    if (!previewsByRing.has(pv.ring)) previewsByRing.set(pv.ring, []);
    previewsByRing.get(pv.ring)!.push({
      tenant,
      hosts: [`${tenant}.${segmentOf.get(own)}.${p.domain}`, `${tenant}.${p.domain}`],
      header: pv.header,
      value: pv.value ?? pv.ring,
    });
  }
  const sharedHosts: HostClaim[] = p.shared.services.filter((s) => s.host).map((s) => ({ host: `${s.host}.${p.domain}`, cover: 'domain' }));

  const c = p.components;
  const rings = reg.rings.map(({ spec: r }): ResolvedRing => {
    const lock = reg.locks[r.name]?.modules ?? {};
    const modules = Object.keys(lock).length;
    const isHome = r.name === p.home_ring;
    const workload = PerRingWorkload.octane({
      apiImage: p.images.api,
      horizonImage: p.images.horizon,
      nginxImage: p.images.nginx,
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
      nginxMemory: { requestMib: c.nginx.memory_request_mib, limitMib: c.nginx.memory_limit_mib },
      runAsUser: { api: c.api.run_as_user, horizon: c.horizon.run_as_user, nginx: c.nginx.run_as_user },
      writablePaths: { api: c.api.writable_paths, horizon: c.horizon.writable_paths, nginx: c.nginx.writable_paths },
      envFromSecrets: [...p.secrets.env_from].sort(),
      secretMounts: p.secrets.mounts.map((m) => ({ secret: m.name, mountPath: m.mount_path })),
      lockMount: { configMap: 'module-lock', mountPath: p.lock_mount_dir },
      internetPorts: p.egress_ports,
    });
    return {
      name: r.name,
      namespace: r.namespace,
      hostnameSegment: r.hostname_segment,
      domain: p.domain,
      displayName: r.display_name ?? r.name,
      description: r.description,
      partOf: p.name,
      registry: p.name,
      isDefault: r.default,
      home: { namespace: home.namespace, sharedServices },
      workload,
      tenants: tenantsByRing.get(r.name) ?? [],
      lock,
      lockMountDir: p.lock_mount_dir,
      appSettings: p.app_settings,
      ...(p.database ? { database: { host: p.database.host, port: p.database.port } } : {}),
      ...(p.redis ? { redis: { host: p.redis.host, port: p.redis.port } } : {}),
      ingress: {
        className: p.ingress.class,
        // The pods that proxy to nginx: the ingress controller, or the Gateway's data plane.
        controllerNamespace:
          p.routing === 'gateway-api' && p.gateway ? (p.gateway.dataplane_namespace ?? p.gateway.namespace) : p.ingress.controller_namespace,
        domainTlsSecret: p.tls.domain_secret,
        segmentTlsSecret: p.tls.ring_secret.replace(/\{segment\}/g, r.hostname_segment),
        shards: r.ingress_shards,
      },
      imagePullSecrets: [...p.secrets.image_pull].sort(),
      quotaMarginPercent: p.quota_margin_percent,
      quotaAlsoCovers: isHome ? [sharedLayerFootprint(shared.services), ...externalFootprints] : [],
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
      apiMemoryLimitMib: memoryForModules(modules, p.memory).limitMib,
    };
  });

  // The store may read exactly what some ring needs, and only rings other than home may use it.
  const others = rings.filter((r) => r.namespace !== home.namespace);
  const othersNeed = others.flatMap((r) => ringSecretNeeds(r));
  // The home Namespace lists every original to create by hand: its own needs and every other ring's.
  const withHomeOriginals = rings.map((r) => (r.namespace === home.namespace ? { ...r, secretSync: { ...r.secretSync, extra: othersNeed } } : r));
  const cluster: ClusterLayerProps = {
    partOf: p.name,
    ...(p.secrets.sync === 'external-secrets'
      ? {
          homeSecretAccess: {
            homeNamespace: home.namespace,
            secretNames: [...new Set(othersNeed.map((s) => s.name))].sort(),
            ringNamespaces: others.map((r) => r.namespace).sort(),
            storeName: p.secrets.store,
          },
        }
      : {}),
  };

  return { platform: p.name, domain: p.domain, homeNamespace: home.namespace, shared, cluster, rings: withHomeOriginals };
}
