/**
 * The escape hatches every component takes (node selector, tolerations, affinity, PriorityClass,
 * labels, pod annotations, env, ephemeral-storage bounds, spread, init folders): the one list of them,
 * with each registry key (snake_case, in a component table of platform.toml or a ring file) and the
 * construct prop it becomes (camelCase, `ComponentOverrides`). The schema, resolve, the registry's
 * rules and the constructs all read this table. Pure.
 */

/** Registry key → construct prop, in the order resolve writes them. */
export const ESCAPE_HATCHES = {
  node_selector: 'nodeSelector',
  tolerations: 'tolerations',
  affinity: 'affinity',
  priority_class: 'priorityClassName',
  labels: 'labels',
  annotations: 'podAnnotations',
  env: 'env',
  ephemeral_storage_request_mib: 'ephemeralStorageRequestMib',
  ephemeral_storage_limit_mib: 'ephemeralStorageLimitMib',
  writable_size_limit_mib: 'writableSizeLimitMib',
  spread: 'spreadWhenUnsatisfiable',
  init_dirs: 'initDirectories',
} as const;

/** An escape hatch as a registry component table spells it. */
export type EscapeHatchKey = keyof typeof ESCAPE_HATCHES;

/**
 * An escape hatch as a construct prop. `writableSizeLimitsMib` (a size limit per writable path) is
 * the constructs' own: the registry has one size for every path.
 */
export type EscapeHatchProp = (typeof ESCAPE_HATCHES)[EscapeHatchKey] | 'writableSizeLimitsMib';

/** The hatches that are maps: a ring's table merges into platform.toml's key by key (the ring wins); every other key is replaced. */
export const MERGED_BY_KEY: readonly string[] = ['node_selector', 'labels', 'annotations', 'env'] satisfies readonly EscapeHatchKey[];

/** A component's settings with a ring's overrides: maps merge key by key (the ring wins), everything else is replaced. */
export function mergeComponent<T extends Record<string, unknown>>(base: T, ring: Partial<T> | undefined): T {
  if (!ring) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(ring)) {
    if (v === undefined) continue;
    out[k] = MERGED_BY_KEY.includes(k) ? { ...((base[k] as object) ?? {}), ...(v as object) } : v;
  }
  return out as T;
}
