/**
 * resolve: derives everything once, as plain data, from a validated registry: the props of every
 * construct. Pure; no file, env or clock access.
 */
import * as path from 'path';
import {
  ArgoCdDeliveryProps,
  ClusterLayerProps,
  FluxDeliveryProps,
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
import type { PriorConfigMap } from '../model/content-address';
import { DEFAULT_REMOTE_TOKEN_NAMESPACE, defaultRemoteTokenSecret, IN_CLUSTER_SERVER, placementOf } from '../model/clusters';
import type { LockPins } from '../model/lock';
import { ringImages } from '../model/images';
import { ringDataOf } from './ring-data-of';
import { memoryForModules } from '../model/memory';
import { RegistryError } from '../registry/errors';
import type { Registry } from '../registry/load';
import { unresolvableProblems } from '../registry/rules/plan-guards';
import { lockPins } from '../registry/schema/types';
import type { ComponentOverrides, OctaneComponentOverrides } from '../../constructs';
import { NAMESPACE_NAME_LABEL, NODE_LOCAL_DNS_ADDRESS } from '../../constructs/policy-peers';
import type { PlatformFile, RingFile } from '../registry/schema/schema';

/** Where a `[[patches]]` entry came from, for error lines. */
export interface PatchPlan {
  readonly file: string;
  /** `patches.<i>` */
  readonly path: string;
  readonly kind: string;
  readonly name: string;
  /** The chart of this ring only. @default every chart */
  readonly ring?: string;
  readonly jsonPatch?: readonly { op: string; path: string; value?: unknown; from?: string }[];
  readonly strategicMerge?: Readonly<Record<string, unknown>>;
}

/** The escape-hatch keys of a registry component table (platform or ring file). */
type HatchKeys = Partial<Pick<PlatformFile['components']['api'],
  'node_selector' | 'tolerations' | 'affinity' | 'priority_class' | 'labels' | 'annotations' | 'env' |
  'ephemeral_storage_request_mib' | 'ephemeral_storage_limit_mib' | 'writable_size_limit_mib' | 'spread' | 'init_dirs'>>;

/** Registry keys → construct props (snake_case → camelCase); only what is set. */
export function hatchesOf(x: HatchKeys): ComponentOverrides {
  const out: Record<string, unknown> = {
    nodeSelector: x.node_selector,
    tolerations: x.tolerations?.map((t) => ({
      ...(t.key !== undefined ? { key: t.key } : {}),
      ...(t.operator !== undefined ? { operator: t.operator } : {}),
      ...(t.value !== undefined ? { value: t.value } : {}),
      ...(t.effect !== undefined ? { effect: t.effect } : {}),
      ...(t.toleration_seconds !== undefined ? { tolerationSeconds: t.toleration_seconds } : {}),
    })),
    affinity: x.affinity,
    priorityClassName: x.priority_class,
    labels: x.labels,
    podAnnotations: x.annotations,
    env: x.env,
    ephemeralStorageRequestMib: x.ephemeral_storage_request_mib,
    ephemeralStorageLimitMib: x.ephemeral_storage_limit_mib,
    writableSizeLimitMib: x.writable_size_limit_mib,
    spreadWhenUnsatisfiable: x.spread,
    initDirectories: x.init_dirs,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ComponentOverrides;
}

/** A component's settings with a ring's overrides: maps merge key by key (the ring wins), everything else is replaced. */
export function mergeComponent<T extends Record<string, unknown>>(base: T, ring: Partial<T> | undefined): T {
  if (!ring) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(ring)) {
    if (v === undefined) continue;
    out[k] = ['node_selector', 'labels', 'annotations', 'env'].includes(k) ? { ...((base[k] as object) ?? {}), ...(v as object) } : v;
  }
  return out as T;
}

/** The Octane component `name` of ring `r`: platform.toml's table with the ring file's overrides. */
export function effectiveComponent(p: PlatformFile, r: RingFile, name: 'api' | 'horizon' | 'nginx'): PlatformFile['components']['api'] {
  return mergeComponent(p.components[name] as PlatformFile['components']['api'], r.components?.[name] as Partial<PlatformFile['components']['api']>);
}

function octaneOverrides(c: PlatformFile['components']['api']): OctaneComponentOverrides {
  return {
    ...hatchesOf(c),
    cpuRequestMillicores: c.cpu_request_millicores,
    cpuLimitMillicores: c.cpu_limit_millicores,
    ...(c.memory_request_mib !== undefined ? { memoryRequestMib: c.memory_request_mib } : {}),
    ...(c.memory_limit_mib !== undefined ? { memoryLimitMib: c.memory_limit_mib } : {}),
  };
}

export interface RingPlan {
  /** `[[patches]]`, in registry order; applied after rendering. @default none */
  readonly patches?: readonly PatchPlan[];
  readonly platform: string;
  readonly domain: string;
  readonly homeNamespace: string;
  readonly shared: SharedLayerProps;
  /** Cluster-scoped objects (the External Secrets store); empty props when nothing is needed. */
  readonly cluster: ClusterLayerProps;
  /** Most conservative first. */
  readonly rings: readonly ResolvedRing[];
  /** `[gitops]`: the delivery objects' props, but the units (synth derives them from the rendered output). @default none */
  readonly gitops?: GitOpsPlan;
  /**
   * With `[clusters]`: every declared cluster, the home cluster first, then by name; each gets its own
   * cluster unit (`cluster-<name>`: its rings' Namespaces and cluster-scoped objects). `cluster` above is
   * then the home cluster's layer. @default none (one implicit cluster, one `cluster` unit)
   */
  readonly clusters?: readonly PlannedCluster[];
}

/** A cluster rings are placed on (`[clusters.<name>]`). */
export interface PlannedCluster {
  readonly name: string;
  /** The home cluster: the home ring and the shared layer run here. */
  readonly home: boolean;
  /** Where its units are deployed to (Argo CD's destination). @default "https://kubernetes.default.svc" for the home cluster */
  readonly server?: string;
  /** Flux: the Secret (key "value") its units' Kustomizations reach it through. @default none (the home cluster) */
  readonly kubeconfigSecret?: string;
  /** Its cluster-scoped objects. */
  readonly layer: ClusterLayerProps;
}

export type GitOpsPlan =
  | { readonly tool: 'argo-cd'; readonly argoCd: Omit<ArgoCdDeliveryProps, 'units' | 'kinds'> }
  | { readonly tool: 'flux'; readonly flux: Omit<FluxDeliveryProps, 'units'> };

/** `[gitops]` → the props of the delivery constructs, every default made explicit. */
export function gitopsPlan(p: PlatformFile): GitOpsPlan | undefined {
  const g = p.gitops;
  if (!g) return undefined;
  const oci = g.repo_url.startsWith('oci://');
  const revision = g.revision ?? (oci ? 'latest' : 'main');
  if (g.tool === 'argo-cd') {
    return {
      tool: 'argo-cd',
      argoCd: {
        platform: p.name,
        repoUrl: g.repo_url,
        revision,
        path: g.path,
        namespace: g.namespace ?? 'argocd',
        destinationServer: g.destination_server ?? 'https://kubernetes.default.svc',
        prune: g.prune,
        selfHeal: g.self_heal,
        strategy: g.argo_cd_strategy ?? 'applications',
      },
    };
  }
  return {
    tool: 'flux',
    flux: {
      platform: p.name,
      source: {
        kind: oci ? 'OCIRepository' : 'GitRepository',
        name: g.source_name ?? p.name,
        create: g.create_source ?? true,
        url: g.repo_url,
        revision,
        ...(g.secret_ref ? { secretRef: g.secret_ref } : {}),
      },
      path: g.path,
      namespace: g.namespace ?? 'flux-system',
      interval: g.interval ?? '10m',
      timeout: g.timeout ?? '5m',
      prune: g.prune,
    },
  };
}

export interface ResolvedRing extends RingProps {
  /** With `[clusters]`: the cluster the ring runs in. @default none (one implicit cluster) */
  readonly cluster?: string;
  readonly promotionOrder: number;
  readonly active: boolean;
  readonly soak: string;
  readonly modules: number;
  readonly apiMemoryLimitMib: number;
  /** The images the ring runs (its own pins, else platform.toml's defaults). */
  readonly images: { readonly api: string; readonly horizon: string; readonly nginx: string };
}

/** The shared layer's ring-data ConfigMap, unless `ring_data = false`. */
function ringDataProps(reg: Registry, previous: readonly PriorConfigMap[] | undefined): SharedLayerProps['ringData'] {
  if (!reg.platform.ring_data) return undefined;
  const data = ringDataOf(reg);
  return {
    domain: reg.platform.domain,
    rings: data.module_rings,
    tenants: Object.fromEntries(data.tenants.map((t) => [t.name, t.ring])),
    ...(previous?.length ? { previousConfigMaps: previous } : {}),
  };
}

export interface ResolveOptions {
  /**
   * namespace → the content-addressed ConfigMaps of the previous synth (`previousConfigMaps` of the
   * committed dist/): each ring, and the shared layer's ring data, keeps the version its pods read
   * there. @default none
   */
  readonly previousConfigMaps?: ReadonlyMap<string, readonly PriorConfigMap[]>;
}

export function resolvePlan(reg: Registry, options: ResolveOptions = {}): RingPlan {
  // A hand-built Registry may skip validation: what cannot be placed is refused, never dropped.
  const refused = unresolvableProblems(reg);
  if (refused.length) throw new RegistryError(refused);
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
      internetPorts: s.egress_ports,
      ...(anyRemote && s.remote_host !== undefined ? { remoteClients: true } : {}),
      ...hatchesOf(s),
    })),
    redis,
    networkPolicies: {
      ingressController: controller,
      dns,
      external: p.shared.external.map((e) => ({
        name: e.name,
        port: e.port,
        ...(e.pod_selector && Object.keys(e.pod_selector).length ? { podSelector: e.pod_selector } : {}),
        ...(anyRemote && e.remote_host !== undefined ? { remoteClients: true } : {}),
      })),
    },
    ringData: ringDataProps(reg, options.previousConfigMaps?.get(home.namespace)),
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

  const rings = reg.rings.map(({ spec: r }): ResolvedRing => {
    const c = { api: effectiveComponent(p, r, 'api'), horizon: effectiveComponent(p, r, 'horizon'), nginx: effectiveComponent(p, r, 'nginx') };
    const entry = reg.locks[r.name];
    const versions = entry?.modules ?? {};
    const modules = Object.keys(versions).length;
    // AutoCom's form reaches the pods as AutoCom reads it: (version, sha256) per module, and the metadata.
    const lock: LockPins = entry ? lockPins(entry) : {};
    const isHome = r.name === p.home_ring;
    const placed = placement(r);
    const images = ringImages(p.images, r.images);
    const workload = PerRingWorkload.octane({
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
      secretEnv: hasRedis ? [{ name: 'REDIS_PASSWORD', secret: p.redis.password_secret, key: p.redis.password_key }] : [],
      overrides: { api: octaneOverrides(c.api), horizon: octaneOverrides(c.horizon), nginx: octaneOverrides(c.nginx) },
    });
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
      apiMemoryLimitMib: memoryForModules(modules, p.memory).limitMib,
      images,
    };
  });

  // The store may read exactly what some ring needs, and only rings other than home may use it.
  const others = rings.filter((r) => r.name !== p.home_ring);
  const othersNeed = others.flatMap((r) => ringSecretNeeds(r));
  // The home Namespace lists every original to create by hand: its own needs and every other ring's.
  const withHomeOriginals = rings.map((r) => (r.name === p.home_ring ? { ...r, secretSync: { ...r.secretSync, extra: othersNeed } } : r));
  const external = p.secrets.sync === 'external-secrets';
  // Without [clusters]: one cluster unit. With it, the home cluster's store serves the other rings of the
  // home cluster, and each other cluster's store reads the home cluster through its own token.
  const local = others.filter((r) => r.cluster === undefined || r.cluster === p.home_cluster);
  const remoteClusters = [...new Set(others.filter((r) => !local.includes(r)).map((r) => r.cluster!))].sort();
  const cluster: ClusterLayerProps = {
    partOf: p.name,
    ...(external
      ? {
          homeSecretAccess: {
            homeNamespace: home.namespace,
            secretNames: [...new Set(othersNeed.map((s) => s.name))].sort(),
            ringNamespaces: local.map((r) => r.namespace).sort(),
            storeName: p.secrets.store,
            ...(remoteClusters.length ? { remoteClusters } : {}),
          },
        }
      : {}),
  };
  const clusters = p.clusters && p.home_cluster !== undefined ? plannedClusters(p, home.namespace, cluster, others) : undefined;

  const patches: PatchPlan[] = p.patches.map((x, i) => ({
    file: path.join(reg.dir, 'platform.toml'),
    path: `patches.${i}`,
    kind: x.kind,
    name: x.name,
    ...(x.ring ? { ring: x.ring } : {}),
    ...(x.json_patch ? { jsonPatch: x.json_patch } : {}),
    ...(x.strategic_merge ? { strategicMerge: x.strategic_merge } : {}),
  }));
  const gitops = gitopsPlan(p);
  return {
    platform: p.name,
    domain: p.domain,
    homeNamespace: home.namespace,
    shared,
    cluster,
    rings: withHomeOriginals,
    ...(patches.length ? { patches } : {}),
    ...(gitops ? { gitops } : {}),
    ...(clusters ? { clusters } : {}),
  };

  /** The previous synth's content-addressed ConfigMaps of this ring's namespace (its own, when two clusters share the namespace name). */
  function previousOf(ring: string, namespace: string): { previousConfigMaps?: readonly PriorConfigMap[] } {
    const prior = options.previousConfigMaps?.get(namespace)?.filter((c) => c.ring === undefined || c.ring === ring);
    return prior?.length ? { previousConfigMaps: prior } : {};
  }
}

/**
 * `[clusters]` → one planned cluster per declared cluster, home first: the home cluster keeps the home
 * layer; every other cluster with rings gets their External Secrets store, reading the home namespace
 * on the home cluster's API (`remote_server`, else `server`) with the hand-made token Secret.
 */
function plannedClusters(p: PlatformFile, homeNamespace: string, homeLayer: ClusterLayerProps, others: readonly ResolvedRing[]): PlannedCluster[] {
  const home = p.home_cluster!;
  const names = [home, ...Object.keys(p.clusters!).filter((n) => n !== home).sort()];
  const homeTable = p.clusters![home];
  return names.map((name) => {
    const c = p.clusters![name];
    const isHome = name === home;
    const placed = others.filter((r) => r.cluster === name);
    const needs = placed.flatMap((r) => ringSecretNeeds(r));
    const layer: ClusterLayerProps = isHome
      ? homeLayer
      : {
          partOf: p.name,
          ...(p.secrets.sync === 'external-secrets' && needs.length
            ? {
                remoteHomeSecrets: {
                  homeNamespace,
                  homeServer: homeTable.remote_server ?? homeTable.server ?? IN_CLUSTER_SERVER,
                  ringNamespaces: [...new Set(placed.map((r) => r.namespace))].sort(),
                  storeName: p.secrets.store,
                  tokenSecret: p.secrets.remote_token_secret ?? defaultRemoteTokenSecret(p.secrets.store),
                  tokenNamespace: p.secrets.remote_token_namespace ?? DEFAULT_REMOTE_TOKEN_NAMESPACE,
                },
              }
            : {}),
        };
    return {
      name,
      home: isHome,
      server: c.server ?? (isHome ? IN_CLUSTER_SERVER : undefined),
      ...(c.kubeconfig_secret ? { kubeconfigSecret: c.kubeconfig_secret } : {}),
      layer,
    };
  });
}
