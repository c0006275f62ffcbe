/** The registry's component tables (platform.toml, ring files) → component props: escape hatches, ring overrides. */
import type { ComponentOverrides, OctaneComponentOverrides } from '../../constructs';
import type { PlatformFile, RingFile } from '../registry/schema/presets';

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

export function octaneOverrides(c: PlatformFile['components']['api']): OctaneComponentOverrides {
  return {
    ...hatchesOf(c),
    cpuRequestMillicores: c.cpu_request_millicores,
    cpuLimitMillicores: c.cpu_limit_millicores,
    ...(c.memory_request_mib !== undefined ? { memoryRequestMib: c.memory_request_mib } : {}),
    ...(c.memory_limit_mib !== undefined ? { memoryLimitMib: c.memory_limit_mib } : {}),
  };
}
