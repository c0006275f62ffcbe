/**
 * `rings import` on ordinary kustomize trees (issue 20 §5): base/ + overlays/<ring>/, workloads of
 * any name, the tree's own values kept. The committed fixture test/fixtures/kustomize/shop, and a
 * property over generated trees: importing a tree and synthesizing it gives the tree's own values.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { loadRegistry, renderRegistry } from '../../../src';
import { ImportError, importTree, planImport } from '../../../src/operate/import/import-tree';
import { assignComponents, mapRegistry, Notes } from '../../../src/operate/import/map-registry';
import { propertyRuns } from '../../support/property';
import { APP_IMAGE, COMPONENT_OF, ENTRY_IMAGE, OrdinaryRing, OrdinaryTree, Role, ROLES, writeOrdinaryTree } from './support';
const YAML = require('yaml');

const SHOP = path.join(__dirname, '..', '..', 'fixtures', 'kustomize', 'shop');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-map-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SHOP_RINGS = [
  { ring: 'stable', dir: 'overlays/prod' },
  { ring: 'canary', dir: 'overlays/canary' },
];

describe('importMapsWorkloadsOfAnyName', () => {
  const dep = (name: string, labels: Record<string, string>, image = 'app:1') => ({ kind: 'Deployment', metadata: { name, namespace: 'x' }, spec: { template: { metadata: { labels }, spec: { containers: [{ name, image }] } } } });
  const svc = (name: string, selector: Record<string, string>) => ({ kind: 'Service', metadata: { name, namespace: 'x' }, spec: { selector } });
  const ingress = (backend: string) => ({ kind: 'Ingress', metadata: { name: 'i', namespace: 'x' }, spec: { rules: [{ host: 'a.b.example.com', http: { paths: [{ backend: { service: { name: backend } } }] } }] } });
  const assign = (objects: object[]) => {
    const n: Notes = { notes: [], problems: [] };
    const a = assignComponents({ dir: 'overlays/prod', ring: 'prod', objects }, n);
    return { a, n };
  };

  test('passes: by place (the Ingress backend is nginx, the other Service api, the worker horizon), and by name first', () => {
    const { a, n } = assign([dep('web', { app: 'web' }, 'nginx:1'), svc('web', { app: 'web' }), dep('backend', { app: 'b' }), svc('be', { app: 'b' }), dep('queue', { app: 'q' }), dep('tools', { app: 't' }, 'busybox:1'), ingress('web')]);
    expect(n.problems).toEqual([]);
    expect(Object.fromEntries(Object.entries(a!.deployments).map(([c, d]) => [c, d.metadata.name]))).toEqual({ api: 'backend', horizon: 'queue', nginx: 'web' });
    expect(a!.renamed).toEqual([['backend', 'api'], ['queue', 'horizon'], ['web', 'nginx']]);
    const named = assign([dep('api', { app: 'api' }), dep('horizon', { app: 'h' }), dep('nginx', { app: 'n' })]);
    expect(named.n.problems).toEqual([]);
    expect(named.a!.renamed).toEqual([]);
  });

  test('fails: one line per component it cannot place, naming the overlay and the candidates', () => {
    const { a, n } = assign([dep('web', { app: 'web' }), svc('web', { app: 'web' }), dep('one', { app: '1' }, 'x:1'), dep('two', { app: '2' }, 'y:1'), ingress('web')]);
    expect(a).toBeUndefined();
    expect(n.problems).toEqual([
      'overlays/prod: components.api: expected a Deployment named api or a Deployment behind a Service the Ingress does not route to, found none (Deployments: one, two, web)',
      "overlays/prod: components.horizon: expected one Deployment named horizon or a Deployment no Service selects: the worker, of several the one running the api's image, got one, two: rename the one that is horizon to horizon",
    ]);
  });
});

describe('importListsWhatItCannotMap: the hosts', () => {
  const ring = (name: string, ns: string, hosts: string[]) => ({
    dir: `overlays/${name}`,
    ring: name,
    objects: [
      ...['api', 'horizon', 'nginx'].map((c) => ({ kind: 'Deployment', metadata: { name: c, namespace: ns }, spec: { template: { spec: { containers: [{ name: c, image: `${c}:1` }] } } } })),
      { kind: 'Ingress', metadata: { name: 'tenants', namespace: ns }, spec: { rules: hosts.map((host) => ({ host })) } },
    ],
  });

  test('passes: <tenant>.<segment>.<domain> hosts give tenants, segments and the domain', () => {
    const m = mapRegistry({ rings: [ring('prod', 'shop', ['a.live.shop.example']), ring('canary', 'shop-canary', ['b.beta.shop.example'])] }, { order: ['prod', 'canary'] });
    expect(m.ok && [m.registry.domain, m.registry.rings.map((r) => r.segment), m.registry.tenants]).toEqual(['shop.example', ['live', 'beta'], { a: 'prod', b: 'canary' }]);
  });

  test('fails: a tenant in two rings, two segments in one ring, hosts sharing no domain: one line each, by field path', () => {
    const two = mapRegistry({ rings: [ring('prod', 'shop', ['a.live.shop.example', 'b.live.shop.example']), ring('canary', 'shop-canary', ['a.beta.shop.example', 'c.gamma.shop.example'])] });
    expect(two.ok ? [] : two.problems).toEqual([
      'overlays/canary: Ingress: spec.rules[host=a.beta.shop.example]: tenant a has hosts in two rings (prod, canary); expected one ring per tenant',
      'overlays/canary: Ingress: spec.rules[*].host: expected one hostname segment per ring, got beta, gamma (<tenant>.<segment>.shop.example hosts and *.<segment>.shop.example certificates)',
    ]);
    const none = mapRegistry({ rings: [ring('prod', 'shop', ['a.example.com']), ring('canary', 'shop-canary', ['b.example.org'])] });
    expect(none.ok ? [] : none.problems).toEqual(['overlays/prod/..: Ingress: spec.rules[*].host: expected hosts sharing a domain of at least two labels (<tenant>.<segment>.<domain>), got a.example.com, b.example.org']);
  });
});

describe('rings import: an ordinary tree with its own names (test/fixtures/kustomize/shop)', () => {
  let result: ReturnType<typeof importTree>;
  const out = path.join(tmp, 'shop-registry');
  beforeAll(() => {
    result = importTree(SHOP, out, { rings: SHOP_RINGS, shared: 'overlays/shared' });
  });

  test('importMapsRingsNamedOnTheCommandLine: rings, promotion order and home from --ring, the shared layer from --shared', () => {
    expect(result.mapping).toEqual(['ring stable ← overlays/prod (--ring)', 'ring canary ← overlays/canary (--ring)', 'shared layer ← overlays/shared (--shared)']);
    const reg = loadRegistry(out);
    expect(reg.platform).toMatchObject({ name: 'shop', domain: 'shop.example', home_ring: 'stable' });
    expect(reg.rings.map((r) => [r.spec.name, r.spec.namespace, r.spec.hostname_segment, r.spec.promotion_order, r.spec.default, r.spec.replicas, r.spec.images])).toEqual([
      ['stable', 'shop', 'prod', 0, true, { api: 3, horizon: 2, nginx: 2 }, { api: `${APP_IMAGE}:1.4.0`, nginx: ENTRY_IMAGE }],
      ['canary', 'shop-canary', 'canary', 10, false, { api: 1, horizon: 1, nginx: 1 }, { api: `${APP_IMAGE}:1.5.0-rc.1`, nginx: ENTRY_IMAGE }],
    ]);
    expect(reg.tenants).toEqual({ acme: 'stable', globex: 'stable', initech: 'canary' });
    expect(reg.platform.shared.services.map((s) => [s.name, s.port, s.image])).toEqual([['search', 7700, 'getmeili/meilisearch:v1.12.0']]);
    expect(result.notes.join('\n')).not.toMatch(/promotion_order/); // --ring stated it
  });

  test("importKeepsTheTreesValues: each ring's resources, by value (canary's 384Mi cut kept, its 1000m is the home's 1)", () => {
    const reg = loadRegistry(out);
    expect(reg.platform.components.api).toMatchObject({ cpu_request_millicores: 250, cpu_limit_millicores: 1000, memory_request_mib: 512, memory_limit_mib: 1024 });
    expect(reg.rings.find((r) => r.spec.name === 'canary')!.spec.components).toEqual({ api: { memory_request_mib: 256, memory_limit_mib: 384 } });
    expect(reg.rings.find((r) => r.spec.name === 'stable')!.spec.components).toEqual({});
  });

  test('importListsWhatItCannotMap: one line each, <overlay>: <object>: <field path>: …', () => {
    expect(result.notes).toEqual(
      expect.arrayContaining([
        `${SHOP}/overlays/canary: Deployment shop-canary/toolbox: not mapped (a ring runs api, horizon and nginx; add it as a shared service or keep it outside the registry)`,
        `${SHOP}/overlays/prod: Deployment shop/backend: spec.template.spec.containers[name=backend].env[name=FEATURE_FLAGS]: not mapped (set it in app_settings, or in a Secret listed in secrets.env_from)`,
        'Deployment web → nginx (the Deployment the Ingress routes to) in every ring: the registry names it nginx (compare shows the rename as [naming])',
      ]),
    );
  });

  test('importListsWhatItCannotMap (failing case): a quantity the registry cannot hold is named by its field path', () => {
    const dir = path.join(tmp, 'shop-odd-quantity');
    fs.cpSync(SHOP, dir, { recursive: true });
    const f = path.join(dir, 'base', 'web.yaml');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('memory: 128Mi', 'memory: 100M'));
    const r = planImport(dir, path.join(tmp, 'shop-odd-out'), { rings: SHOP_RINGS, shared: 'overlays/shared' });
    expect(r.notes).toContain(
      `${dir}/overlays/prod: Deployment shop/web: spec.template.spec.containers[name=web].resources.limits.memory: "100M" is not a whole number of MiB; not mapped (the registry's default applies: set memory_limit_mib)`,
    );
  });

  test('without --ring and --shared: the overlays are detected and the mapping says so; home is the shared layer\'s namespace', () => {
    const r = planImport(SHOP, path.join(tmp, 'shop-detected'), {});
    expect(r.mapping).toEqual(['ring canary ← overlays/canary (detected)', 'ring prod ← overlays/prod (detected)', 'shared layer ← overlays/shared (detected)']);
    expect(r.registry.homeRing).toBe('prod');
    expect(r.notes).toContain('promotion_order: not in the tree; set prod 0, canary 10 (the home ring first, then by name); pass --order to state it');
  });

  test('without a shared layer: the first --ring is home, and a note says so', () => {
    const dir = path.join(tmp, 'shop-no-shared');
    fs.cpSync(SHOP, dir, { recursive: true });
    fs.rmSync(path.join(dir, 'overlays', 'shared'), { recursive: true });
    const r = planImport(dir, path.join(tmp, 'shop-no-shared-out'), { rings: SHOP_RINGS });
    expect(r.mapping.at(-1)).toBe('shared layer: none (no overlays/shared, no --shared): the registry runs no shared services');
    expect(r.registry.homeRing).toBe('stable');
    expect(r.notes).toContain('home_ring: no shared layer in the tree (overlays/shared or --shared); home_ring = "stable" (the first --ring), and it runs no shared services');
  });

  test('a tree the registry refuses: the registry\'s own lines, nothing written', () => {
    const dir = path.join(tmp, 'shop-request-over-limit');
    fs.cpSync(SHOP, dir, { recursive: true });
    const k = path.join(dir, 'overlays', 'canary', 'kustomization.yaml');
    fs.writeFileSync(k, fs.readFileSync(k, 'utf8').replace('value: 256Mi', 'value: 512Mi'));
    const o = path.join(tmp, 'shop-refused');
    expect(() => importTree(dir, o, { rings: SHOP_RINGS, shared: 'overlays/shared' })).toThrow(ImportError);
    try {
      importTree(dir, o, { rings: SHOP_RINGS, shared: 'overlays/shared' });
    } catch (e) {
      expect((e as ImportError).lines).toEqual([`${o}/canary.toml: components.api.memory_request_mib: expected at most memory_limit_mib (384) after this ring's overrides, got 512`]);
    }
    expect(fs.existsSync(o)).toBe(false);
  });
});

// ------------------------------------------------------------------ the property

const label = (min: number, max: number) => fc.stringMatching(new RegExp(`^[a-z][a-z0-9]{${min - 1},${max - 1}}$`));
const PRESET: Readonly<Record<Role, string>> = { entry: 'nginx', app: 'api', worker: 'horizon' };

/** Role names: any DNS labels (or the preset's own), three distinct, none the preset name of another role. */
const names = fc
  .tuple(...ROLES.map((role) => fc.oneof(fc.constant(PRESET[role]), label(2, 10))))
  .map(([entry, app, worker]) => ({ entry, app, worker }))
  .filter((n) => new Set(Object.values(n)).size === 3 && ROLES.every((role) => !Object.entries(PRESET).some(([other, p]) => other !== role && n[role] === p)));

const resources = fc
  .tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 32, max: 2048 }), fc.integer({ min: 0, max: 2048 }))
  .map(([c, dc, m, dm]) => ({ cpu: [c * 10, (c + dc) * 10] as const, memory: [m, m + dm] as const }));

const ring = fc.record({
  replicas: fc.record({ entry: fc.integer({ min: 1, max: 4 }), app: fc.integer({ min: 1, max: 4 }), worker: fc.integer({ min: 1, max: 4 }) }),
  resources: fc.record({ entry: resources, app: resources, worker: resources }),
  tag: fc.constantFrom('1.4.0', '1.5.0-rc.1', '2.0.0'),
  tenants: fc.integer({ min: 0, max: 3 }),
});

const tree: fc.Arbitrary<OrdinaryTree> = fc
  .record({
    names,
    rings: fc.array(ring, { minLength: 2, maxLength: 3 }),
    ringNames: fc.uniqueArray(label(2, 8), { minLength: 3, maxLength: 3 }),
    dirs: fc.uniqueArray(label(2, 8), { minLength: 3, maxLength: 3 }),
    segments: fc.uniqueArray(label(2, 6), { minLength: 3, maxLength: 3 }),
    notation: fc.integer({ min: 0, max: 2 }),
    domain: fc.constantFrom('shop.example', 'apps.example.org'),
  })
  .map(({ names, rings, ringNames, dirs, segments, notation, domain }) => {
    let t = 0;
    const out: OrdinaryRing[] = rings.map((r, i) => ({
      ring: ringNames[i],
      dir: dirs[i],
      namespace: `ns-${ringNames[i]}`,
      segment: `s${segments[i]}`,
      tag: r.tag,
      replicas: r.replicas,
      resources: r.resources,
      // The home ring needs a tenant for its segment to show; every other ring may have none (its certificate names it).
      tenants: Array.from({ length: i === 0 ? Math.max(1, r.tenants) : r.tenants }, () => `t${++t}`),
    }));
    return { domain, names, rings: out, notation };
  });

/** Test-local readings of the quantities the synthesized YAML holds (not the importer's parser). */
const millicores = (q: string): number => (/m$/.test(q) ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000));
const mib = (q: string): number => (/Mi$/.test(q) ? Number(q.slice(0, -2)) : /Gi$/.test(q) ? Number(q.slice(0, -2)) * 1024 : Number(q) / 1048576);

describe('importRoundTripKeepsValues (property)', () => {
  test('importing a generated tree and synthesizing it gives the tree\'s own replicas, images, resources and hosts', () => {
    let run = 0;
    fc.assert(
      fc.property(tree, (t) => {
        const dir = path.join(tmp, `gen-${++run}`);
        writeOrdinaryTree(path.join(dir, 'k8s'), t);
        const out = path.join(dir, 'registry');
        importTree(path.join(dir, 'k8s'), out, { rings: t.rings.map((r) => ({ ring: r.ring, dir: `overlays/${r.dir}` })) });
        const objects: any[] = [...renderRegistry(out).result.files].filter(([f]) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml')).flatMap(([, text]) => YAML.parseAllDocuments(text).map((d: any) => d.toJSON()));
        for (const r of t.rings) {
          for (const role of ROLES) {
            const d = objects.find((o) => o?.kind === 'Deployment' && o.metadata.namespace === r.namespace && o.metadata.name === COMPONENT_OF[role]);
            expect(d).toBeDefined();
            const c = d.spec.template.spec.containers.find((x: any) => x.name === COMPONENT_OF[role]);
            const want = r.resources[role];
            expect([d.spec.replicas, c.image]).toEqual([r.replicas[role], role === 'entry' ? ENTRY_IMAGE : `${APP_IMAGE}:${r.tag}`]);
            expect([millicores(c.resources.requests.cpu), millicores(c.resources.limits.cpu), mib(c.resources.requests.memory), mib(c.resources.limits.memory)]).toEqual([want.cpu[0], want.cpu[1], want.memory[0], want.memory[1]]);
          }
          const hosts = objects.filter((o) => o?.kind === 'Ingress' && o.metadata.namespace === r.namespace).flatMap((o) => o.spec.rules.map((x: any) => x.host));
          for (const tenant of r.tenants) expect(hosts).toContain(`${tenant}.${r.segment}.${t.domain}`);
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      propertyRuns(6),
    );
  });
});
