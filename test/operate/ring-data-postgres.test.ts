/**
 * `rings export --format sql` against a real PostgreSQL (Debian's package, started here on a Unix
 * socket, stopped in afterAll, also when a test fails) holding the seed's two tables: twice
 * (idempotent), after a tenant move (only that row changes), after a ring retirement (refused while
 * tenants remain, then done once they moved).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ringDataSql } from '../../src/operate/ring-data-export';
import { ringDataOf } from '../../src/resolve/ring-data-of';
import { exampleSources, parse } from '../support/registry-fixture';
import { Postgres, startPostgres } from '../support/postgres';

/** The seed's central-database tables: module_rings with exactly its columns plus id and timestamps. */
const SCHEMA = `
CREATE TABLE module_rings (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  display_name text NOT NULL,
  description text,
  manifest_path text NOT NULL,
  k8s_namespace text NOT NULL,
  k8s_service text NOT NULL,
  hostname_segment text NOT NULL,
  promotion_order integer NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamp(0) without time zone,
  updated_at timestamp(0) without time zone
);
CREATE TABLE tenants (
  id serial PRIMARY KEY,
  name text UNIQUE,
  module_ring_id integer REFERENCES module_rings(id)
);
`;

const RING_COLUMNS = 'id, name, display_name, description, manifest_path, k8s_namespace, k8s_service, hostname_segment, promotion_order, is_active, is_default, created_at, updated_at';

let pg: Postgres | undefined;
let sqlDir: string;

beforeAll(() => {
  pg = startPostgres();
  sqlDir = pg.dir;
  pg.psql(SCHEMA);
});
afterAll(() => pg?.stop());

/** Writes the export of these sources to a file and runs it with psql -f, as an operator would. */
function apply(sources: Map<string, string>): { status: number; stderr: string } {
  const file = path.join(sqlDir, 'ring-data.sql');
  fs.writeFileSync(file, ringDataSql(ringDataOf(parse(sources))));
  fs.chmodSync(file, 0o644);
  return pg!.psqlResult('', { file });
}

function snapshot() {
  return {
    rings: pg!.rows(`SELECT ${RING_COLUMNS}, xmin::text FROM module_rings ORDER BY id`),
    tenants: pg!.rows('SELECT t.id, t.name, t.module_ring_id, m.name, t.xmin::text FROM tenants t LEFT JOIN module_rings m ON m.id = t.module_ring_id ORDER BY t.id'),
  };
}

function withEdit(sources: Map<string, string>, rel: string, find: RegExp, replace: string): Map<string, string> {
  const s = new Map(sources);
  const text = s.get(rel)!;
  const out = text.replace(find, replace);
  if (out === text) throw new Error(`edit of ${rel} changed nothing`);
  s.set(rel, out);
  return s;
}

describe('rings export --format sql on PostgreSQL', () => {
  const example = exampleSources();
  const registry = parse(example);

  test('the first run fills both tables from the registry', () => {
    expect(apply(example)).toMatchObject({ status: 0 });
    const rings = pg!.rows('SELECT name, display_name, description, manifest_path, k8s_namespace, k8s_service, hostname_segment, promotion_order, is_active, is_default FROM module_rings ORDER BY promotion_order');
    expect(rings).toEqual(
      ringDataOf(registry).module_rings.map((r) => [
        r.name, r.display_name, r.description, r.manifest_path, r.k8s_namespace, r.k8s_service, r.hostname_segment,
        String(r.promotion_order), r.is_active ? 't' : 'f', r.is_default ? 't' : 'f',
      ]),
    );
    expect(rings.find((r) => r[0] === 'canary')![2]).toBe('Bleeding edge — internal QA tenants only');
    const tenants = pg!.rows('SELECT t.name, m.name FROM tenants t JOIN module_rings m ON m.id = t.module_ring_id ORDER BY t.name');
    expect(tenants).toEqual(Object.entries(registry.tenants).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(pg!.rows('SELECT count(*) FROM module_rings WHERE created_at IS NULL OR updated_at IS NULL')).toEqual([['0']]);
  });

  test('a second run changes nothing: no row is rewritten (same xmin, same updated_at)', () => {
    const before = snapshot();
    expect(apply(example)).toMatchObject({ status: 0 });
    expect(snapshot()).toEqual(before);
  });

  test('a tenant move changes exactly that tenant row', () => {
    const before = snapshot();
    const moved = withEdit(example, 'tenants.toml', /^acme = .*$/m, 'acme = "canary"');
    expect(apply(moved)).toMatchObject({ status: 0 });
    const after = snapshot();
    expect(after.rings).toEqual(before.rings);
    const changed = after.tenants.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before.tenants[i]));
    expect(changed.map((r) => [r[1], r[3]])).toEqual([['acme', 'canary']]);
    expect(after.tenants.length).toBe(before.tenants.length);
    // and back, so the next tests start from the example registry
    expect(apply(example)).toMatchObject({ status: 0 });
  });

  test('a ring change rewrites that ring row only, and re-stamps its updated_at', () => {
    pg!.psql("UPDATE module_rings SET updated_at = '2000-01-01 00:00:00'");
    const before = snapshot();
    const renamed = withEdit(example, 'edge.toml', /^display_name = .*$/m, `display_name = "Edge (O'Brien's)"`);
    expect(apply(renamed)).toMatchObject({ status: 0 });
    const after = snapshot();
    const changed = after.rings.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before.rings[i]));
    expect(changed.map((r) => [r[1], r[2]])).toEqual([['edge', "Edge (O'Brien's)"]]);
    expect(changed[0][12]).not.toBe('2000-01-01 00:00:00');
    expect(after.tenants).toEqual(before.tenants);
    expect(apply(example)).toMatchObject({ status: 0 });
  });

  test('retiring a ring is refused while a tenant remains on it, and nothing changes', () => {
    // experimental retired in the registry: its tenant moves to canary, its files go.
    let retired = withEdit(example, 'tenants.toml', /^internal-qa = .*$/m, 'internal-qa = "canary"');
    retired.delete('experimental.toml');
    retired.delete('locks/experimental.lock.json');
    retired = new Map(retired);
    // A tenant the database has but the registry does not list is still on experimental.
    pg!.psql("INSERT INTO tenants (name, module_ring_id) SELECT 'legacy-shop', id FROM module_rings WHERE name = 'experimental'");
    const before = snapshot();
    const refused = apply(retired);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('rings: refusing to delete rings that still have tenants: experimental (legacy-shop)');
    expect(snapshot()).toEqual(before); // one transaction: internal-qa did not move either

    // Once that tenant is elsewhere, the ring row goes, and internal-qa moved.
    pg!.psql("UPDATE tenants SET module_ring_id = (SELECT id FROM module_rings WHERE name = 'stable') WHERE name = 'legacy-shop'");
    expect(apply(retired)).toMatchObject({ status: 0 });
    expect(pg!.rows("SELECT count(*) FROM module_rings WHERE name = 'experimental'")).toEqual([['0']]);
    expect(pg!.rows("SELECT m.name FROM tenants t JOIN module_rings m ON m.id = t.module_ring_id WHERE t.name = 'internal-qa'")).toEqual([['canary']]);
    // and the retirement export is idempotent too
    const settled = snapshot();
    expect(apply(retired)).toMatchObject({ status: 0 });
    expect(snapshot()).toEqual(settled);
  });
});
