/**
 * The app's own view of the rings (the seed's `module_rings` rows and the tenant → ring assignments),
 * derived from ring and tenant data, and the files of the home namespace's ring-data ConfigMap. Pure:
 * validation (its size rule), the constructs (RingData) and `rings export` share it.
 */

/** What a ring contributes to its `module_rings` row (a ring file has these fields). */
export interface RingFields {
  readonly name: string;
  readonly display_name?: string;
  readonly description: string;
  readonly namespace: string;
  readonly hostname_segment: string;
  readonly promotion_order: number;
  readonly active: boolean;
  readonly default: boolean;
}

/** One `module_rings` row, with exactly the seed's columns, in the seed's order. */
export interface ModuleRingRow {
  readonly name: string;
  readonly display_name: string;
  readonly description: string;
  /** The seed's convention: `modules/manifests/<ring>.lock.json` (the app-relative lock path). */
  readonly manifest_path: string;
  readonly k8s_namespace: string;
  /** The ring's nginx Service: `nginx.<namespace>.svc.cluster.local`. */
  readonly k8s_service: string;
  readonly hostname_segment: string;
  readonly promotion_order: number;
  readonly is_active: boolean;
  readonly is_default: boolean;
}

export interface TenantRow {
  readonly name: string;
  /** The ring's name (`module_rings.name`). */
  readonly ring: string;
  /** The tenant's ring-specific API host: `<tenant>.<segment>.<domain>`. */
  readonly api_host: string;
}

export interface RingData {
  /** Most conservative first (promotion order). */
  readonly module_rings: readonly ModuleRingRow[];
  /** Sorted by tenant name. */
  readonly tenants: readonly TenantRow[];
}

/** The columns of `module_rings` the export writes, in order (besides id and the timestamps). */
export const MODULE_RING_COLUMNS = [
  'name',
  'display_name',
  'description',
  'manifest_path',
  'k8s_namespace',
  'k8s_service',
  'hostname_segment',
  'promotion_order',
  'is_active',
  'is_default',
] as const satisfies readonly (keyof ModuleRingRow)[];

export const manifestPath = (ring: string) => `modules/manifests/${ring}.lock.json`;
export const k8sService = (namespace: string) => `nginx.${namespace}.svc.cluster.local`;
export const apiHost = (tenant: string, segment: string, domain: string) => `${tenant}.${segment}.${domain}`;

/** As ringDataOf, from the parts (tenants on a ring not given are left out). */
export function ringDataFrom(domain: string, ringFiles: readonly RingFields[], tenantMap: Readonly<Record<string, string>>): RingData {
  const rings = [...ringFiles].sort((a, b) => a.promotion_order - b.promotion_order);
  const module_rings = rings.map((r): ModuleRingRow => ({
    name: r.name,
    display_name: r.display_name ?? r.name,
    description: r.description,
    manifest_path: manifestPath(r.name),
    k8s_namespace: r.namespace,
    k8s_service: k8sService(r.namespace),
    hostname_segment: r.hostname_segment,
    promotion_order: r.promotion_order,
    is_active: r.active,
    is_default: r.default,
  }));
  const segment = new Map(rings.map((r) => [r.name, r.hostname_segment]));
  const tenants = Object.keys(tenantMap)
    .filter((name) => segment.has(tenantMap[name]))
    .sort(byCodePoint)
    .map((name): TenantRow => {
      const ring = tenantMap[name];
      return { name, ring, api_host: apiHost(name, segment.get(ring)!, domain) };
    });
  return { module_rings, tenants };
}

/** Plain code-point order, independent of the locale (so the output is the same on every machine). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A ring as the app's `module_rings` table holds it (the seed's columns): the same row as the export's. */
export type RingDataRing = ModuleRingRow;

/** The data keys: `rings.json` (rows with their tenants) and `tenants.json` (tenant → ring and API host). */
export function ringDataFiles(props: { readonly domain: string; readonly rings: readonly RingDataRing[]; readonly tenants: Readonly<Record<string, string>> }): Record<string, string> {
  const ringByName = new Map(props.rings.map((r) => [r.name, r]));
  const problems: string[] = [];
  const names = Object.keys(props.tenants).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const tenants: Record<string, { ring: string; api_host: string }> = {};
  for (const t of names) {
    const r = ringByName.get(props.tenants[t]);
    if (!r) problems.push(`tenant ${JSON.stringify(t)} is on ${JSON.stringify(props.tenants[t])}, which is not one of the rings given`);
    else tenants[t] = { ring: r.name, api_host: `${t}.${r.hostname_segment}.${props.domain}` };
  }
  if (problems.length) throw new Error(`ring data: ${problems.join('; ')}`);
  const rings = props.rings.map((r) => ({
    name: r.name,
    display_name: r.display_name,
    description: r.description,
    manifest_path: r.manifest_path,
    k8s_namespace: r.k8s_namespace,
    k8s_service: r.k8s_service,
    hostname_segment: r.hostname_segment,
    promotion_order: r.promotion_order,
    is_active: r.is_active,
    is_default: r.is_default,
  }));
  // One line per tenant: a tenant move is a one-line diff, and the size stays linear.
  const tenantLines = names.map((t) => `  ${JSON.stringify(t)}: ${JSON.stringify(tenants[t])}`);
  return {
    'rings.json': `${JSON.stringify(rings, null, 2)}\n`,
    'tenants.json': tenantLines.length ? `{\n${tenantLines.join(',\n')}\n}\n` : '{}\n',
  };
}
