/** The registry's component tables (platform.toml, ring files) → component props: escape hatches, ring overrides. */
import type { ComponentOverrides, OctaneComponentOverrides } from '../../constructs';
import { ESCAPE_HATCHES, EscapeHatchKey, mergeComponent } from '../model/escape-hatches';
import type { OctanePlatformFile, OctaneRingFile } from '../registry/schema/schema';

/** Registry keys → construct props (snake_case → camelCase, the table in src/model/escape-hatches.ts); only what is set. */
export function hatchesOf(x: Partial<Pick<OctanePlatformFile['components']['api'], EscapeHatchKey>>): ComponentOverrides {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(ESCAPE_HATCHES) as [EscapeHatchKey, string][]) {
    const v = key === 'tolerations' ? x.tolerations?.map(tolerationOf) : x[key];
    if (v !== undefined) out[prop] = v;
  }
  return out as ComponentOverrides;
}

type RegistryToleration = NonNullable<OctanePlatformFile['components']['api']['tolerations']>[number];
const tolerationOf = (t: RegistryToleration) => ({
  ...(t.key !== undefined ? { key: t.key } : {}),
  ...(t.operator !== undefined ? { operator: t.operator } : {}),
  ...(t.value !== undefined ? { value: t.value } : {}),
  ...(t.effect !== undefined ? { effect: t.effect } : {}),
  ...(t.toleration_seconds !== undefined ? { tolerationSeconds: t.toleration_seconds } : {}),
});

/** A component's settings with a ring's overrides (the rule lives in src/model/escape-hatches.ts). */
export { mergeComponent };

/** The Octane component `name` of ring `r`: platform.toml's table with the ring file's overrides. */
export function effectiveComponent(p: OctanePlatformFile, r: OctaneRingFile, name: 'api' | 'horizon' | 'nginx'): OctanePlatformFile['components']['api'] {
  return mergeComponent(p.components[name] as OctanePlatformFile['components']['api'], r.components?.[name] as Partial<OctanePlatformFile['components']['api']>);
}

export function octaneOverrides(c: OctanePlatformFile['components']['api']): OctaneComponentOverrides {
  return {
    ...hatchesOf(c),
    cpuRequestMillicores: c.cpu_request_millicores,
    cpuLimitMillicores: c.cpu_limit_millicores,
    ...(c.memory_request_mib !== undefined ? { memoryRequestMib: c.memory_request_mib } : {}),
    ...(c.memory_limit_mib !== undefined ? { memoryLimitMib: c.memory_limit_mib } : {}),
  };
}
