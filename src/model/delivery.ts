/**
 * Units of delivery: the folders of dist/ that a GitOps tool syncs one by one (the cluster-scoped
 * objects, the shared layer, one per ring), the order they land in, and what each one writes.
 * Pure functions of rendered objects; the GitOps constructs take their results as props.
 */

export interface GroupKind {
  /** API group; "" for the core group. */
  readonly group: string;
  readonly kind: string;
}

export interface NamespacedName {
  readonly namespace: string;
  readonly name: string;
}

export interface DeliveryUnit {
  /** Folder under dist/ and the suffix of its delivery objects' names: "cluster", "shared", "ring-canary". */
  readonly name: string;
  /** The ring the unit holds. @default none (the cluster and shared units) */
  readonly ring?: string;
  /** Delivery order: 0 the cluster unit, 1 the shared layer, then the rings from the bleeding edge to the most conservative. */
  readonly wave: number;
  /** Namespace a GitOps tool deploys the unit into (its objects name their namespace anyway). */
  readonly namespace: string;
  /** The unit's Deployments, in the order written: what "healthy" means for it. */
  readonly deployments: readonly NamespacedName[];
  /** With `[clusters]`: the cluster it is applied to (a `DeliveryCluster`'s name). @default none (one implicit cluster) */
  readonly cluster?: string;
}

/** A rendered unit, as synth has it. */
export interface RenderedUnit {
  readonly name: string;
  readonly ring?: string;
  readonly objects: readonly Record<string, any>[];
  /** With `[clusters]`: the cluster it is applied to. @default none */
  readonly cluster?: string;
}

/** With `[clusters]`: a cluster the delivery tool applies units to. */
export interface DeliveryCluster {
  readonly name: string;
  /** The home cluster (Flux runs there; the shared layer is there). */
  readonly home: boolean;
  /** Argo CD: the destination server of its units. @default "https://kubernetes.default.svc" */
  readonly server?: string;
  /** Flux: the Secret (key "value") in the Flux namespace holding its kubeconfig; none for the home cluster. @default none */
  readonly kubeconfigSecret?: string;
  /** Every namespace its units write (an Argo CD project's destinations on it), sorted. @default [] */
  readonly namespaces?: readonly string[];
}

/** The name of a unit's delivery objects: Argo CD Application, Flux Kustomization, its ServiceAccount and Role. */
export const deliveryObjectName = (platform: string, unit: string): string => `${platform}-${unit}`;

const CLUSTER_UNIT = 'cluster';
const SHARED_UNIT = 'shared';

/**
 * Orders rendered units for delivery: cluster first (every Namespace is there), then the shared
 * layer, then rings by descending `promotionOrder` (a change reaches the bleeding edge first and
 * the most conservative ring last). Ties keep the given order.
 */
export function deliveryUnits(units: readonly RenderedUnit[], promotionOrder: ReadonlyMap<string, number>, homeNamespace: string): DeliveryUnit[] {
  const rank = (u: RenderedUnit): number => (isClusterUnit(u.name) ? 0 : u.name === SHARED_UNIT ? 1 : 2);
  const sorted = units
    .map((u, i) => ({ u, i }))
    .sort((a, b) => {
      const r = rank(a.u) - rank(b.u);
      if (r) return r;
      const pa = a.u.ring !== undefined ? (promotionOrder.get(a.u.ring) ?? 0) : 0;
      const pb = b.u.ring !== undefined ? (promotionOrder.get(b.u.ring) ?? 0) : 0;
      return pb - pa || a.i - b.i;
    })
    .map((x) => x.u);
  return sorted.map((u, wave) => ({
    name: u.name,
    ...(u.ring !== undefined ? { ring: u.ring } : {}),
    wave,
    namespace: unitNamespace(u, homeNamespace),
    deployments: u.objects
      .filter((o) => o.kind === 'Deployment' && o.apiVersion === 'apps/v1')
      .map((o) => ({ namespace: String(o.metadata?.namespace ?? ''), name: String(o.metadata?.name ?? '') })),
    ...(u.cluster !== undefined ? { cluster: u.cluster } : {}),
  }));
}

/** A cluster unit: `cluster`, or with `[clusters]` `cluster-<name>` (ring units are `ring-<name>`). */
export function isClusterUnit(name: string): boolean {
  return name === CLUSTER_UNIT || name.startsWith(`${CLUSTER_UNIT}-`);
}

/**
 * The namespace most of a unit's namespaced objects are in. With none: the home namespace, unless the
 * unit is on a cluster (rings across clusters) and does not create it there; then the first Namespace
 * it creates (the home namespace may not exist on another cluster).
 */
function unitNamespace(u: RenderedUnit, homeNamespace: string): string {
  const counts = new Map<string, number>();
  for (const o of u.objects) {
    const ns = o.metadata?.namespace;
    if (typeof ns === 'string' && ns) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  const created = u.objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => String(o.metadata?.name ?? '')).sort();
  let best = u.cluster !== undefined && created.length && !created.includes(homeNamespace) ? created[0] : homeNamespace;
  let most = 0;
  for (const [ns, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) if (n > most) [best, most] = [ns, n];
  return best;
}

export interface DeliveredKinds {
  /** Kinds of the cluster-scoped objects (Namespace, ClusterSecretStore…), sorted. */
  readonly clusterScoped: readonly GroupKind[];
  /** Kinds of the namespaced objects, sorted. */
  readonly namespaced: readonly GroupKind[];
  /** Every namespace the objects are in or create, sorted. */
  readonly namespaces: readonly string[];
}

/** What a set of objects writes, as a least-privilege GitOps project needs to know it. */
export function deliveredKinds(objects: readonly Record<string, any>[]): DeliveredKinds {
  const cluster = new Map<string, GroupKind>();
  const namespaced = new Map<string, GroupKind>();
  const namespaces = new Set<string>();
  for (const o of objects) {
    const apiVersion = String(o.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const gk = { group, kind: String(o.kind ?? '') };
    const ns = o.metadata?.namespace;
    if (typeof ns === 'string' && ns) {
      namespaces.add(ns);
      namespaced.set(`${group}/${gk.kind}`, gk);
    } else {
      cluster.set(`${group}/${gk.kind}`, gk);
      if (gk.kind === 'Namespace' && group === '' && o.metadata?.name) namespaces.add(String(o.metadata.name));
    }
  }
  const sorted = (m: Map<string, GroupKind>) => [...m.keys()].sort().map((k) => m.get(k)!);
  return { clusterScoped: sorted(cluster), namespaced: sorted(namespaced), namespaces: [...namespaces].sort() };
}

/**
 * The resource name the API serves a kind under: lower case, then "es" after a final "s", "ies" for a
 * consonant and "y", else "s" (Ingress → ingresses, NetworkPolicy → networkpolicies, Gateway →
 * gateways), as the built-in kinds and the CRDs' `names.plural` have it. (apimachinery's
 * `UnsafeGuessKindToResource` says "gatewaies".) A kind served under another name would be refused by
 * the API server's RBAC in the Flux cluster tests, not silently allowed; the unit tests hold it to the
 * plural of every vendored CRD.
 */
export function guessResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** One RBAC PolicyRule. */
export interface AccessRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** What a unit's identity may do in one namespace: a Role there, bound to the unit's ServiceAccount. */
export interface UnitAccess {
  /** The unit ("shared", "ring-canary"). */
  readonly unit: string;
  readonly ring?: string;
  readonly namespace: string;
  readonly rules: readonly AccessRule[];
}

/** What applying, health-checking and pruning an object of a kind takes (server-side apply is a patch that may create). */
export const UNIT_WRITE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const;
/** What pruning an object takes: the GitOps tool reads it, then deletes it. */
export const UNIT_PRUNE_VERBS = ['delete', 'get', 'list', 'watch'] as const;
/** Read-only: what a Deployment health check reads besides the Deployment (kstatus follows its ReplicaSets and their Pods). */
export const UNIT_READ_VERBS = ['get', 'list', 'watch'] as const;
const HEALTH_CHECK_READS: readonly GroupKind[] = [
  { group: 'apps', kind: 'ReplicaSet' },
  { group: '', kind: 'Pod' },
];

/**
 * Every namespaced kind the project renders into the shared layer or a ring (a property test holds
 * every rendered unit to it). A unit's identity may prune these in its namespace even when the unit
 * no longer writes them: a ring whose last tenant moves away stops writing its Ingress and
 * Certificates, and the GitOps tool must still delete the ones it applied before (Flux's
 * kustomize-controller, impersonating the ring, was refused exactly that until this list existed).
 */
export const PRUNABLE_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'Secret' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'cert-manager.io', kind: 'Certificate' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
  { group: 'external-secrets.io', kind: 'SecretStore' },
  { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
  { group: 'gateway.networking.k8s.io', kind: 'ReferenceGrant' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
];

/**
 * Least privilege for delivering one unit, per namespace its objects are in: one rule per API group
 * with exactly the kinds it writes (every verb a GitOps apply, prune and health check uses); one per
 * group with the other PRUNABLE_KINDS, to read and delete only (what the unit wrote before); and
 * read-only ReplicaSets and Pods when it has Deployments (what their health checks follow).
 * Cluster-scoped objects get nothing: a unit run as its own identity cannot write them. Namespaces,
 * groups and resources sorted: deterministic.
 */
export function unitAccess(unit: RenderedUnit): UnitAccess[] {
  const byNamespace = new Map<string, Map<string, Set<string>>>();
  const deployments = new Set<string>();
  for (const o of unit.objects) {
    const ns = o.metadata?.namespace;
    if (typeof ns !== 'string' || !ns) continue;
    const apiVersion = String(o.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (!byNamespace.has(ns)) byNamespace.set(ns, new Map());
    const groups = byNamespace.get(ns)!;
    if (!groups.has(group)) groups.set(group, new Set());
    groups.get(group)!.add(guessResource(String(o.kind ?? '')));
    if (o.kind === 'Deployment' && group === 'apps') deployments.add(ns);
  }
  const byGroup = (kinds: readonly GroupKind[], except: ReadonlyMap<string, ReadonlySet<string>>) => {
    const out = new Map<string, Set<string>>();
    for (const k of kinds) {
      const resource = guessResource(k.kind);
      if (except.get(k.group)?.has(resource)) continue;
      if (!out.has(k.group)) out.set(k.group, new Set());
      out.get(k.group)!.add(resource);
    }
    return out;
  };
  const rulesOf = (groups: ReadonlyMap<string, ReadonlySet<string>>, verbs: readonly string[]): AccessRule[] =>
    [...groups.keys()].sort().map((g) => ({ apiGroups: [g], resources: [...groups.get(g)!].sort(), verbs: [...verbs] }));
  return [...byNamespace.keys()].sort().map((namespace) => {
    const written = byNamespace.get(namespace)!;
    const rules = [...rulesOf(written, UNIT_WRITE_VERBS), ...rulesOf(byGroup(PRUNABLE_KINDS, written), UNIT_PRUNE_VERBS)];
    if (deployments.has(namespace)) rules.push(...rulesOf(byGroup(HEALTH_CHECK_READS, written), UNIT_READ_VERBS));
    return { unit: unit.name, ...(unit.ring !== undefined ? { ring: unit.ring } : {}), namespace, rules };
  });
}
