/**
 * `rings export`: the rows match the registry field by field, the JSON's key order is fixed, the SQL
 * quotes what it must; the ring-data ConfigMap is immutable, content-addressed and in the home
 * namespace; the ringDataFitsAConfigMap rule.
 */
import { Testing } from 'cdk8s';
import { contentAddressedName, contentHash } from '../../src/model/content-address';
import { RingData, ringDataFiles } from '../../constructs/ring-data-config-map';
import { SharedLayer } from '../../constructs/shared-layer';
import { MODULE_RING_COLUMNS } from '../../src/model/ring-data';
import { ringDataJson, ringDataSql, sqlString } from '../../src/operate/ring-data-export';
import { ringDataOf } from '../../src/resolve/ring-data-of';
import { loadRegistry } from '../../src/registry/load';
import { ringDataFitsAConfigMap, ringDataMountsNeedRingData, writablePathsDistinct } from '../../src/registry/rules/validate';
import { synthesize } from '../../src/render/synth';
import { EXAMPLE_DIR, edit, examplePlan, parse, planOf, problemsOf } from '../support/registry-fixture';

const reg = loadRegistry(EXAMPLE_DIR);

describe('export rows', () => {
  const data = ringDataOf(reg);

  test('every ring is a module_rings row with the seed columns, field by field', () => {
    expect(data.module_rings.map((r) => r.name)).toEqual(['stable', 'edge', 'canary', 'experimental']);
    for (const { spec } of reg.rings) {
      const row = data.module_rings.find((r) => r.name === spec.name)!;
      expect(Object.keys(row)).toEqual([...MODULE_RING_COLUMNS]);
      expect(row).toEqual({
        name: spec.name,
        display_name: spec.display_name ?? spec.name,
        description: spec.description,
        manifest_path: `modules/manifests/${spec.name}.lock.json`,
        k8s_namespace: spec.namespace,
        k8s_service: `nginx.${spec.namespace}.svc.cluster.local`,
        hostname_segment: spec.hostname_segment,
        promotion_order: spec.promotion_order,
        is_active: spec.active,
        is_default: spec.default,
      });
    }
  });

  test('the seed example: canary row as the seed registers it', () => {
    expect(data.module_rings.find((r) => r.name === 'canary')).toEqual({
      name: 'canary',
      display_name: 'Canary',
      description: 'Bleeding edge — internal QA tenants only',
      manifest_path: 'modules/manifests/canary.lock.json',
      k8s_namespace: 'autocom-canary',
      k8s_service: 'nginx.autocom-canary.svc.cluster.local',
      hostname_segment: 'canary',
      promotion_order: 20,
      is_active: true,
      is_default: false,
    });
  });

  test('every tenant, by name, with its ring and API host', () => {
    expect(data.tenants.map((t) => t.name)).toEqual(Object.keys(reg.tenants).sort());
    for (const t of data.tenants) {
      expect(t.ring).toBe(reg.tenants[t.name]);
      const seg = reg.rings.find((r) => r.spec.name === t.ring)!.spec.hostname_segment;
      expect(t.api_host).toBe(`${t.name}.${seg}.acme.io`);
    }
    expect(data.tenants.find((t) => t.name === 'test-canary')).toEqual({ name: 'test-canary', ring: 'canary', api_host: 'test-canary.canary.acme.io' });
  });
});

describe('export --format json', () => {
  test('keys in a fixed order, whatever the order of the registry', () => {
    const text = ringDataJson(ringDataOf(reg));
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['module_rings', 'tenants']);
    expect(Object.keys(parsed.module_rings[0])).toEqual([...MODULE_RING_COLUMNS]);
    expect(Object.keys(parsed.tenants[0])).toEqual(['name', 'ring', 'api_host']);
    expect(text.endsWith('}\n')).toBe(true);
    // tenants.toml reversed gives the same bytes
    const tenants = reg.tenants;
    const reversed = `[tenants]\n${Object.keys(tenants).reverse().map((t) => `${t} = "${tenants[t]}"`).join('\n')}\n`;
    expect(ringDataJson(ringDataOf(parse(edit('tenants.toml', /[\s\S]*/, reversed))))).toBe(text);
  });
});

describe('export --format sql', () => {
  test('string literals double single quotes and refuse NUL', () => {
    expect(sqlString("O'Brien's")).toBe("'O''Brien''s'");
    expect(sqlString('back\\slash')).toBe("'back\\slash'");
    expect(() => sqlString('a\0b')).toThrow(/NUL/);
  });

  test('one transaction: ring upsert by name, tenant upsert by name, guarded delete', () => {
    const sql = ringDataSql(ringDataOf(parse(edit('canary.toml', /^description = .*$/m, `description = "QA's ring"`))));
    expect(sql).toMatch(/^BEGIN;$/m);
    expect(sql).toMatch(/^COMMIT;$/m);
    expect(sql).toContain('ON CONFLICT (name) DO UPDATE SET');
    expect(sql).toContain("'QA''s ring'");
    expect(sql).toContain("('test-canary', 'canary')");
    expect(sql).toContain("WHERE name NOT IN ('stable', 'edge', 'canary', 'experimental')");
    expect(sql).toContain('RAISE EXCEPTION');
  });
});

describe('ring-data ConfigMap', () => {
  test('contentAddressedName: the hash follows the content, not the key order', () => {
    expect(contentAddressedName('ring-data', { a: '1', b: '2' })).toBe(contentAddressedName('ring-data', { b: '2', a: '1' }));
    expect(contentAddressedName('ring-data', { a: '1' })).not.toBe(contentAddressedName('ring-data', { a: '2' }));
    expect(contentAddressedName('ring-data', { a: '1' })).toMatch(/^ring-data-[0-9a-f]{10}$/);
    expect(contentHash({ a: '1' })).toHaveLength(10);
    expect(() => contentAddressedName('Ring_Data', {})).toThrow(/got "Ring_Data"/);
  });

  test('in the home namespace, immutable, named by its content', () => {
    const plan = examplePlan();
    const shared = synthesize(plan).charts.find((c) => c.file === 'shared/shared.yaml')!.objects;
    const cms = shared.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.['rings.cdk8s.io/ring-data'] === 'true');
    expect(cms).toHaveLength(1);
    const cm = cms[0];
    expect(cm.metadata.namespace).toBe('autocom');
    expect(cm.immutable).toBe(true);
    expect(cm.metadata.name).toBe(contentAddressedName('ring-data', cm.data));
    const tenants = JSON.parse(cm.data['tenants.json']);
    expect(tenants.acme).toEqual({ ring: 'stable', api_host: 'acme.stable.acme.io' });
    expect(Object.keys(tenants)).toEqual(Object.keys(reg.tenants).sort());
    expect(JSON.parse(cm.data['rings.json'])).toEqual(ringDataOf(reg).module_rings);
  });

  test('moving a tenant changes its line and the name, and nothing else in the data', () => {
    const before = ringDataFiles(examplePlan().shared.ringData!);
    const moved = planOf(edit('tenants.toml', /^acme = .*$/m, 'acme = "canary"'));
    const after = ringDataFiles(moved.shared.ringData!);
    expect(after['rings.json']).toBe(before['rings.json']);
    const diff = after['tenants.json'].split('\n').filter((l, i) => l !== before['tenants.json'].split('\n')[i]);
    expect(diff).toEqual(['  "acme": {"ring":"canary","api_host":"acme.canary.acme.io"},']);
    expect(contentAddressedName('ring-data', after)).not.toBe(contentAddressedName('ring-data', before));
  });

  test('mounted read-only into the shared services that ask (the frontend), which roll when it changes', () => {
    const frontend = (plan: ReturnType<typeof examplePlan>) => {
      const objs = synthesize(plan).charts.find((c) => c.file === 'shared/shared.yaml')!.objects;
      const cm = objs.find((o) => o.metadata.labels?.['rings.cdk8s.io/ring-data'] === 'true')!;
      const pod = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'frontend')!.spec.template.spec;
      return { cm, pod };
    };
    const { cm, pod } = frontend(examplePlan());
    const volume = pod.volumes.find((v: any) => v.configMap?.name === cm.metadata.name);
    expect(volume).toBeDefined();
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: '/etc/ring-data', readOnly: true });
    const docs = synthesize(examplePlan()).charts.find((c) => c.file === 'shared/shared.yaml')!.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'docs')!;
    expect(JSON.stringify(docs)).not.toContain('ring-data');
    const moved = frontend(planOf(edit('tenants.toml', /^acme = .*$/m, 'acme = "canary"')));
    expect(moved.pod.volumes.some((v: any) => v.configMap?.name === moved.cm.metadata.name)).toBe(true);
    expect(moved.cm.metadata.name).not.toBe(cm.metadata.name);
  });

  test('a service asking for ring data without any is an error naming it', () => {
    const chart = Testing.app();
    expect(
      () =>
        new SharedLayer(chart, 'shared', {
          namespace: 'shop', domain: 'shop.example',
          services: [{ name: 'frontend', image: 'registry.example/frontend:1.0.0', port: 3000, ringDataPath: '/etc/ring-data' }],
        }),
    ).toThrow('shared layer: frontend set ringDataPath, but no ringData is given to mount; pass ringData or drop ringDataPath');
  });

  test('ring_data = false leaves it out', () => {
    const off = edit('platform.toml', /^ring_data = true.*$/m, 'ring_data = false');
    off.set('platform.toml', off.get('platform.toml')!.replace(/^ring_data_path = .*$/m, ''));
    const plan = planOf(off);
    expect(plan.shared.ringData).toBeUndefined();
    const shared = synthesize(plan).charts.find((c) => c.file === 'shared/shared.yaml')!.objects;
    expect(shared.some((o) => o.metadata.labels?.['rings.cdk8s.io/ring-data'])).toBe(false);
  });

  test('a tenant on a ring not given is an error naming it', () => {
    const chart = Testing.chart();
    expect(
      () => new RingData(chart, 'x', { namespace: 'shop', domain: 'shop.example', rings: [], tenants: { acme: 'beta' } }),
    ).toThrow('ring data: tenant "acme" is on "beta", which is not one of the rings given');
  });
});

describe('ringDataFitsAConfigMap', () => {
  const input = (tenantCount: number, ringData = true) => ({
    dir: 'rings',
    platform: { ...reg.platform, ring_data: ringData },
    platformFile: 'rings/platform.toml',
    tenantsFile: 'rings/tenants.toml',
    rings: reg.rings,
    tenants: tenantCount ? Object.fromEntries(Array.from({ length: tenantCount }, (_, i) => [`tenant-with-a-longish-name-${i}`, 'stable'])) : reg.tenants,
    locks: {},
    lockFiles: [],
    ringFiles: [],
    ringFilesFailed: false,
  });

  test('passes: the example registry, 5,000 tenants, and 20,000 with ring_data = false', () => {
    expect(ringDataFitsAConfigMap(input(0))).toEqual([]);
    expect(ringDataFitsAConfigMap(input(5000))).toEqual([]);
    expect(ringDataFitsAConfigMap(input(20000, false))).toEqual([]);
  });

  test('fails: 20,000 tenants with the ConfigMap on, with the size and what to do', () => {
    const problems = ringDataFitsAConfigMap(input(20000));
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe('rings/tenants.toml');
    expect(problems[0].path).toBe('tenants');
    expect(problems[0].message).toMatch(/^expected ring data of at most 1024000 bytes \(.*\), got \d+ for 20000 tenants; set ring_data = false in platform\.toml and sync the app with rings export$/);
  });

  test('reported by the loader like every rule', () => {
    const s = edit('platform.toml', /^ring_data = true.*$/m, 'ring_data = "yes"');
    expect(problemsOf(s)).toEqual(['rings/platform.toml: ring_data: expected true or false, got "yes"']);
  });
});

describe('ringDataMountsNeedRingData', () => {
  test('passes: the example (frontend mounts it, ring_data on)', () => {
    expect(ringDataMountsNeedRingData({ platform: reg.platform, platformFile: 'rings/platform.toml' } as any)).toEqual([]);
  });
  test('fails: a mount with ring_data = false', () => {
    expect(problemsOf(edit('platform.toml', /^ring_data = true.*$/m, 'ring_data = false'))).toEqual([
      'rings/platform.toml: shared.services[name=frontend].ring_data_path: expected no ring-data mount while ring_data = false (there is no ConfigMap to mount), got "/etc/ring-data"; remove it or set ring_data = true',
    ]);
  });
  test('writablePathsDistinct: a writable path over the ring-data mount is refused', () => {
    const s = edit('platform.toml', 'writable_paths = ["/tmp", "/app/.next/cache"]', 'writable_paths = ["/tmp", "/etc/ring-data"]');
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: shared.services[name=frontend].writable_paths.1: expected a folder no other mount uses, got "/etc/ring-data" (clashes with the ConfigMap mounted at "/etc/ring-data")',
    ]);
    expect(writablePathsDistinct({ platform: reg.platform, platformFile: 'rings/platform.toml' } as any)).toEqual([]);
  });
});
