/**
 * The order objects are written in, so that applying dist/ works in one pass whatever way users apply it:
 * `kubectl apply -f` file by file in kustomization.yaml order, `kubectl apply -f dist/` (files sorted by
 * name), or kustomize (which sorts by kind itself).
 *
 * - Every Namespace goes to the first unit (`cluster/cluster.yaml`): a namespaced object applied before its
 *   Namespace is refused (`namespaces "autocom" not found`), and the shared layer and cluster objects
 *   live in the home ring's namespace.
 * - Within a file: Namespaces, then other cluster-scoped built-in objects, then namespaced built-in
 *   objects, then objects of custom resources (they need an operator's CRD; an object that fails
 *   for a missing CRD must not stop the built-in ones before it). The order inside each tier is kept.
 */

/** API groups served by Kubernetes itself (everything else needs a CustomResourceDefinition). */
const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

export interface ManifestLike {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly namespace?: unknown };
}

/** The API group of an apiVersion ("apps/v1" → "apps", "v1" → ""). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function needsCrd(o: ManifestLike): boolean {
  return typeof o.apiVersion === 'string' && !BUILT_IN_GROUPS.has(apiGroup(o.apiVersion));
}

/** 0 Namespace, 1 cluster-scoped built-in, 2 namespaced built-in, 3 custom resource. */
export function applyTier(o: ManifestLike): number {
  if (o.kind === 'Namespace' && apiGroup(String(o.apiVersion ?? '')) === '') return 0;
  if (needsCrd(o)) return 3;
  return o.metadata?.namespace ? 2 : 1;
}

/** A stable sort by tier. */
export function inApplyOrder<T extends ManifestLike>(objects: readonly T[]): T[] {
  return objects
    .map((o, i) => ({ o, i, t: applyTier(o) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.o);
}

/**
 * Moves every Namespace of `files` (in file order) to the front of the first file, and puts each
 * file's objects in apply order. Files are `[name, objects]` pairs, the first one being the cluster file.
 */
export function arrangeForApply<T extends ManifestLike>(files: ReadonlyArray<readonly [string, readonly T[]]>): Array<[string, T[]]> {
  const namespaces = files.flatMap(([, objs]) => objs.filter((o) => applyTier(o) === 0));
  return files.map(([name, objs], i) => {
    const rest = objs.filter((o) => applyTier(o) !== 0);
    return [name, inApplyOrder(i === 0 ? [...namespaces, ...rest] : rest)];
  });
}
