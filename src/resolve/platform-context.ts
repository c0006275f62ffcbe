/**
 * What every part of the plan reads, derived once from a validated registry: where rings run, the
 * shared services they reach, DNS and ingress-controller peers, redis, routing, tenants and previews by
 * ring, the home namespace's other footprints. Pure.
 */
import type { Footprint, GatewayRef, HostClaim, SharedServiceRef, TenantPreview } from '../../constructs';
import type { PriorConfigMap } from '../model/content-address';
import { placementOf } from '../model/clusters';
import { NAMESPACE_NAME_LABEL, NODE_LOCAL_DNS_ADDRESS } from '../../constructs/policy-peers';
import type { Registry } from '../registry/load';
import type { RingFile } from '../registry/schema/presets';

export interface ResolveOptions {
  /**
   * namespace → the content-addressed ConfigMaps of the previous synth (`previousConfigMaps` of the
   * committed dist/): each ring, and the shared layer's ring data, keeps the version its pods read
   * there. @default none
   */
  readonly previousConfigMaps?: ReadonlyMap<string, readonly PriorConfigMap[]>;
}

export type PlatformContext = ReturnType<typeof platformContext>;

export function platformContext(reg: Registry, options: ResolveOptions) {
  const p = reg.platform;
  const home = reg.rings.find((r) => r.spec.name === p.home_ring)!.spec;
  const placement = (r: RingFile) => placementOf(p.home_cluster, p.clusters, r.cluster);
  // Rings in another cluster than home reach the shared services at their remote_host.
  const remoteHost = (h: string | undefined) => (p.clusters && h !== undefined ? { remoteHost: h } : {});
  const anyRemote = reg.rings.some(({ spec }) => placement(spec)?.home === false);
  const sharedServices: SharedServiceRef[] = [
    ...p.shared.services.map((s) => ({ name: s.name, port: s.port, ...remoteHost(s.remote_host) })),
    ...p.shared.external.map((s) => ({ name: s.name, port: s.port, external: true, ...(s.pod_selector && Object.keys(s.pod_selector).length ? { podSelector: s.pod_selector } : {}), ...remoteHost(s.remote_host) })),
  ].sort((a, b) => a.name.localeCompare(b.name));
  const dns = {
    namespaceLabels: p.dns.namespace_labels,
    podLabels: p.dns.pod_labels,
    ...(p.dns.node_local_cache ? { nodeLocalAddress: p.dns.node_local_address || NODE_LOCAL_DNS_ADDRESS } : {}),
  };
  // The pods in front of nginx and the public shared services: the ingress controller, or the Gateway's data plane.
  const viaGateway = p.routing === 'gateway-api' && p.gateway;
  const controllerNamespace = viaGateway ? (p.gateway!.dataplane_namespace ?? p.gateway!.namespace) : p.ingress.controller_namespace;
  const controllerNamespaceLabels = viaGateway ? p.gateway!.dataplane_namespace_labels : p.ingress.controller_namespace_labels;
  const controllerPodLabels = viaGateway ? p.gateway!.dataplane_pod_labels : p.ingress.controller_pod_labels;
  const controller = {
    namespaceLabels: controllerNamespaceLabels && Object.keys(controllerNamespaceLabels).length ? controllerNamespaceLabels : { [NAMESPACE_NAME_LABEL]: controllerNamespace },
    ...(controllerPodLabels && Object.keys(controllerPodLabels).length ? { podLabels: controllerPodLabels } : {}),
  };
  const runsRedis = p.shared.services.some((s) => s.name === p.redis.host);
  // Rings get REDIS_* (and the password) only when the registry has a redis: run here or aliased.
  const hasRedis = runsRedis || p.shared.external.some((e) => e.name === p.redis.host);
  const redis = runsRedis
    ? {
        service: p.redis.host,
        passwordSecret: p.redis.password_secret,
        passwordKey: p.redis.password_key,
        persistence: p.redis.persistence === 'aof' ? { mode: 'aof' as const, sizeGib: p.redis.storage_gib, ...(p.redis.storage_class ? { storageClassName: p.redis.storage_class } : {}) } : { mode: 'none' as const },
        minAvailable: p.redis.min_available,
      }
    : undefined;

  const gateway: GatewayRef | undefined = p.gateway
    ? { name: p.gateway.name, namespace: p.gateway.namespace, ...(p.gateway.section_name ? { sectionName: p.gateway.section_name } : {}) }
    : undefined;
  const routing = { mode: p.routing, ...(p.routing === 'gateway-api' ? { gateway } : {}) };
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
      ephemeralRequestMib: q!.ephemeral_storage_request_mib,
      ephemeralLimitMib: q!.ephemeral_storage_limit_mib,
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


  /** The previous synth's content-addressed ConfigMaps of this ring's namespace (its own, when two clusters share the namespace name). */
  const previousOf = (ring: string, namespace: string): { previousConfigMaps?: readonly PriorConfigMap[] } => {
    const prior = options.previousConfigMaps?.get(namespace)?.filter((c) => c.ring === undefined || c.ring === ring);
    return prior?.length ? { previousConfigMaps: prior } : {};
  };
  return { reg, p, home, placement, anyRemote, sharedServices, dns, controllerNamespace, controller, hasRedis, redis, routing, tenantsByRing, externalFootprints, previewsByRing, sharedHosts, previousOf };
}
