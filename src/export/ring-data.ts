/**
 * The app's own view of the rings, from a validated registry: the seed's `module_rings` rows and the
 * tenant → ring assignments. One model, three renderings: `rings export --format json`, idempotent
 * PostgreSQL upserts (`--format sql`), and the home namespace's ring-data ConfigMap. Pure.
 */
import type { Registry } from '../registry/load';
import type { RingFile } from '../registry/schema';

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

export function ringDataOf(reg: Registry): RingData {
  return ringDataFrom(reg.platform.domain, reg.rings.map((r) => r.spec), reg.tenants);
}

/** As ringDataOf, from the parts (tenants on a ring not given are left out). */
export function ringDataFrom(domain: string, ringFiles: readonly RingFile[], tenantMap: Readonly<Record<string, string>>): RingData {
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

/** `rings export --format json`: 2-space JSON, keys in a fixed order (the seed's column order), trailing newline. */
export function ringDataJson(data: RingData): string {
  // Objects are built with their keys in order, so JSON.stringify keeps it.
  const ordered = {
    module_rings: data.module_rings.map((r) => Object.fromEntries(MODULE_RING_COLUMNS.map((c) => [c, r[c]]))),
    tenants: data.tenants.map((t) => ({ name: t.name, ring: t.ring, api_host: t.api_host })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** A PostgreSQL string literal (standard_conforming_strings: only ' is doubled). */
export function sqlString(s: string): string {
  if (s.includes('\0')) throw new Error('a string with a NUL character cannot be written to PostgreSQL');
  return `'${s.replace(/'/g, "''")}'`;
}

function sqlValue(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return sqlString(v);
}

/**
 * `rings export --format sql`: one transaction of idempotent PostgreSQL statements.
 *
 * - rings: `INSERT … ON CONFLICT (name) DO UPDATE`, touching (and re-stamping `updated_at` of) only
 *   rows whose columns differ, so a second run changes nothing;
 * - tenants: by name, `module_ring_id` looked up by ring name; only rows whose ring differs change;
 * - rings the registry no longer has are deleted, unless a tenant is still assigned to one: then the
 *   whole transaction is refused with an error naming the ring and its tenants (nothing changes).
 */
export function ringDataSql(data: RingData, source = 'the ring registry'): string {
  const cols = MODULE_RING_COLUMNS;
  const updatable = cols.filter((c) => c !== 'name');
  const out: string[] = [
    `-- module_rings and tenants.module_ring_id from ${source.replace(/\n/g, ' ')}; generated by \`rings export --format sql\`.`,
    '-- Idempotent: run it after every registry change (psql -v ON_ERROR_STOP=1 -f …); a second run changes nothing.',
    "SET client_encoding = 'UTF8';",
    'BEGIN;',
    '',
  ];
  if (data.module_rings.length) {
    out.push(`INSERT INTO module_rings (${cols.join(', ')}, created_at, updated_at) VALUES`);
    out.push(
      data.module_rings.map((r) => `  (${cols.map((c) => sqlValue(r[c])).join(', ')}, now(), now())`).join(',\n'),
    );
    out.push('ON CONFLICT (name) DO UPDATE SET');
    out.push(`${updatable.map((c) => `  ${c} = EXCLUDED.${c}`).join(',\n')},`);
    out.push('  updated_at = now()');
    out.push(`WHERE (${updatable.map((c) => `module_rings.${c}`).join(', ')})`);
    out.push(`  IS DISTINCT FROM (${updatable.map((c) => `EXCLUDED.${c}`).join(', ')});`);
    out.push('');
  }
  if (data.tenants.length) {
    out.push('INSERT INTO tenants (name, module_ring_id)');
    out.push('SELECT v.name, r.id FROM (VALUES');
    out.push(data.tenants.map((t) => `  (${sqlString(t.name)}, ${sqlString(t.ring)})`).join(',\n'));
    out.push(') AS v(name, ring) JOIN module_rings r ON r.name = v.ring');
    out.push('ON CONFLICT (name) DO UPDATE SET module_ring_id = EXCLUDED.module_ring_id');
    out.push('WHERE tenants.module_ring_id IS DISTINCT FROM EXCLUDED.module_ring_id;');
    out.push('');
  }
  const keep = data.module_rings.map((r) => sqlString(r.name)).join(', ') || 'NULL';
  out.push(
    '-- Rings no longer in the registry: deleted only when no tenant is assigned to them.',
    'DO $rings$',
    'DECLARE busy text;',
    'BEGIN',
    "  SELECT string_agg(format('%s (%s)', m.name, t.names), ', ' ORDER BY m.name) INTO busy",
    '  FROM module_rings m',
    "  JOIN (SELECT module_ring_id, string_agg(name, ', ' ORDER BY name) AS names FROM tenants GROUP BY module_ring_id) t ON t.module_ring_id = m.id",
    `  WHERE m.name NOT IN (${keep});`,
    '  IF busy IS NOT NULL THEN',
    "    RAISE EXCEPTION 'rings: refusing to delete rings that still have tenants: %', busy",
    "      USING HINT = 'assign those tenants to a ring in the registry (rings assign <tenant> <ring>), export again and rerun; nothing was changed';",
    '  END IF;',
    `  DELETE FROM module_rings WHERE name NOT IN (${keep});`,
    'END',
    '$rings$;',
    '',
    'COMMIT;',
    '',
  );
  return out.join('\n');
}
