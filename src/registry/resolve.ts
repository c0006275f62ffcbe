/**
 * resolve: derives everything once, as plain data, from a validated registry: the props of every
 * construct. Pure; no file, env or clock access.
 */
import { PerRingWorkload, RingProps, SharedLayerProps, SharedServiceRef, sharedLayerFootprint } from '../../constructs';
import { memoryForModules } from '../memory';
import type { Registry } from './load';

export interface RingPlan {
  readonly platform: string;
  readonly domain: string;
  readonly homeNamespace: string;
  readonly shared: SharedLayerProps;
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

export function resolvePlan(reg: Registry): RingPlan {
  const p = reg.platform;
  const home = reg.rings.find((r) => r.spec.name === p.home_ring)!.spec;
  const sharedServices: SharedServiceRef[] = [
    ...p.shared.services.map((s) => ({ name: s.name, port: s.port })),
    ...p.shared.external.map((s) => ({ name: s.name, port: s.port })),
  ].sort((a, b) => a.name.localeCompare(b.name));

  const shared: SharedLayerProps = {
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
    })),
  };

  const tenantsByRing = new Map<string, string[]>();
  for (const [tenant, ring] of Object.entries(reg.tenants)) {
    if (!tenantsByRing.has(ring)) tenantsByRing.set(ring, []);
    tenantsByRing.get(ring)!.push(tenant);
  }

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
      database: { host: p.database.host, port: p.database.port },
      redis: { host: p.redis.host, port: p.redis.port },
      ingress: {
        className: p.ingress.class,
        controllerNamespace: p.ingress.controller_namespace,
        domainTlsSecret: p.tls.domain_secret,
        segmentTlsSecret: p.tls.ring_secret.replace(/\{segment\}/g, r.hostname_segment),
        shards: r.ingress_shards,
      },
      imagePullSecrets: [...p.secrets.image_pull].sort(),
      quotaMarginPercent: p.quota_margin_percent,
      quotaAlsoCovers: isHome ? [sharedLayerFootprint(shared.services)] : [],
      promotionOrder: r.promotion_order,
      active: r.active,
      soak: r.soak,
      modules,
      apiMemoryLimitMib: memoryForModules(modules, p.memory).limitMib,
    };
  });

  return { platform: p.name, domain: p.domain, homeNamespace: home.namespace, shared, rings };
}
