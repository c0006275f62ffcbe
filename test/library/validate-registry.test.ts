/**
 * The library as another repo uses it: a registry built in code is validated with the same problem
 * lines as the TOML path (validateRegistry / registryProblems), resolvePlan refuses what it cannot
 * place, no raw ZodError escapes, and nothing AutoCom-specific is rendered unless asked for.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { propertyRuns } from '../support/property';
import { ZodError } from 'zod';
import * as lib from '../../src';
import { RegistryError, registryDataProblems, registryProblems, resolvePlan, synthesize, validateRegistry, validateRegistryData, RegistryInput } from '../../src';
import { loadRegistry } from '../../src/registry/load';
import { parseToml } from '../../src/registry/toml';
import { badCases, materialize, validCases } from '../bad-inputs/corpus';
import { EXAMPLE_DIR, exampleSources, parse, problemsOf, sourcesWith } from '../support/registry-fixture';
import type { Registry } from '../../src';

/** A registry folder as the objects its files hold (TOML and JSON parsed, nothing validated). */
function objectsOf(dir: string): RegistryInput | undefined {
  const platformText = fs.readFileSync(path.join(dir, 'platform.toml'), 'utf8');
  const tenantsText = fs.readFileSync(path.join(dir, 'tenants.toml'), 'utf8');
  const p = parseToml(platformText.replace(/^\uFEFF/, ''));
  const t = parseToml(tenantsText.replace(/^\uFEFF/, ''));
  if (!p.ok || !t.ok || platformText.trim() === '') return undefined; // an empty file is a file-level problem
  const rings: any[] = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.toml') && f !== 'platform.toml' && f !== 'tenants.toml').sort()) {
    const r = parseToml(fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, ''));
    if (!r.ok || r.value.name !== path.basename(f, '.toml')) return undefined; // the file name is the ring's name
    rings.push(r.value);
  }
  const locks: Record<string, any> = {};
  for (const f of fs.readdirSync(path.join(dir, 'locks')).sort()) {
    const m = /^(.+)\.lock\.json$/.exec(f);
    if (!m) return undefined;
    try {
      locks[m[1]] = JSON.parse(fs.readFileSync(path.join(dir, 'locks', f), 'utf8'));
    } catch {
      return undefined;
    }
  }
  const tv = t.value as { tenants?: any; previews?: any };
  if (Object.keys(tv).some((k) => k !== 'tenants' && k !== 'previews')) return undefined;
  return { platform: p.value as any, rings, tenants: tv.tenants ?? {}, previews: tv.previews ?? {}, locks };
}

/** A two-ring registry written in code, as the README's smallest app does. */
const shop = (): RegistryInput => ({
  platform: {
    name: 'shop',
    domain: 'shop.example',
    home_ring: 'stable',
    images: { api: 'registry.example/shop/api:1.4.2', nginx: 'nginxinc/nginx-unprivileged:1.29.3-alpine' },
    shared: { services: [{ name: 'cache', image: 'redis:7.4.1-alpine', port: 6379, run_as_user: 999, writable_paths: ['/tmp'] }] },
  },
  rings: [
    { name: 'stable', namespace: 'shop', hostname_segment: 'stable', promotion_order: 0, default: true, replicas: { api: 2, horizon: 1, nginx: 2 } },
    { name: 'canary', namespace: 'shop-canary', hostname_segment: 'canary', promotion_order: 10, replicas: { api: 1, horizon: 1, nginx: 1 } },
  ],
  tenants: { acme: 'canary', globex: 'stable' },
  locks: { stable: { orders: '1.5.0' }, canary: { orders: '1.6.0' } },
});

describe('validateRegistry: the same problem lines as the TOML path', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-validate-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const compared: string[] = [];
  test.each(badCases().filter((c) => !c.meta.generate && !fs.existsSync(path.join(c.dir, 'remove.txt'))).map((c) => [c.name, c] as const))('%s', (name, c) => {
    const reg = materialize(c, path.join(tmp, name));
    const objects = objectsOf(reg);
    if (!objects) return; // a file-level problem (syntax, file names): no object form exists
    // The loader's lines for the same files (synth-time checks such as [[patches]] guarantees come later, on both paths).
    let loaderLines: string[] = [];
    try {
      loadRegistry(reg);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      loaderLines = e.lines();
    }
    if (loaderLines.length) compared.push(name);
    expect(registryProblems(objects, { source: reg })).toEqual(loaderLines);
    if (loaderLines.length) expect(() => validateRegistry(objects, { source: reg })).toThrow(RegistryError);
  });
  test('most of the corpus has an object form and was compared', () => {
    expect(compared.length).toBeGreaterThanOrEqual(35);
  });

  test.each(validCases().filter((c) => !c.meta.generate).map((c) => [c.name, c] as const))('valid: %s gives the registry loadRegistry gives', (name, c) => {
    const reg = materialize(c, path.join(tmp, `valid-${name}`));
    const objects = objectsOf(reg);
    if (!objects) return;
    expect(registryProblems(objects, { source: reg })).toEqual([]);
    expect(validateRegistry(objects, { source: reg })).toEqual(loadRegistry(reg));
  });

  test('the example registry, as objects, validates to what loadRegistry gives', () => {
    const objects = objectsOf(EXAMPLE_DIR)!;
    expect(validateRegistry(objects, { source: EXAMPLE_DIR })).toEqual(loadRegistry(EXAMPLE_DIR));
  });
});

describe('validateRegistry takes what loadRegistry returns: loaded, changed in code, validated again', () => {
  const loaded = () => parse(exampleSources()); // the example registry (rings/), as loadRegistry gives it
  const changedRing = (reg: Registry, name: string, f: (spec: Registry['rings'][number]['spec']) => Registry['rings'][number]['spec']): Registry => ({
    ...reg,
    rings: reg.rings.map((r) => (r.spec.name === name ? { ...r, spec: f(r.spec) } : r)),
  });

  test('loadedRegistryValidatesAgain: unchanged, it validates to itself (hashed locks, their sha256 and metadata included)', () => {
    const reg = loaded();
    expect(registryProblems(reg)).toEqual([]);
    expect(validateRegistry(reg)).toEqual(reg);
    expect(Object.values(reg.locks).map((l) => l.format)).toEqual(['hashed', 'hashed', 'hashed', 'hashed']);
  });

  test('loadedRegistryChangedInCode: a changed field gives what loading the edited files gives', () => {
    const reg = loaded();
    const changed = validateRegistry(changedRing({ ...reg, tenants: { ...reg.tenants, acme: 'canary' } }, 'canary', (spec) => ({ ...spec, replicas: { ...spec.replicas, api: 3 } })));
    const fromFiles = parse(
      sourcesWith({
        'canary.toml': exampleSources().get('canary.toml')!.replace('[replicas]\napi = 2', '[replicas]\napi = 3'),
        'tenants.toml': exampleSources().get('tenants.toml')!.replace(/^acme = "stable"/m, 'acme = "canary"'),
      }),
    );
    expect(fromFiles.rings.find((r) => r.spec.name === 'canary')!.spec.replicas.api).toBe(3);
    expect(fromFiles.tenants.acme).toBe('canary');
    expect(changed).toEqual(fromFiles);
    // and it renders: the change reaches the output
    const canary = synthesize(resolvePlan(changed)).charts.find((c) => c.file === 'ring-canary/ring-canary.yaml')!;
    expect(canary.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!.spec.replicas).toBe(3);
  });

  test('loadedRegistryChangedInCode (failing): an invalid change gives the line loading the edited file gives, under the registry folder', () => {
    const reg = loaded();
    const lines = registryProblems(changedRing(reg, 'canary', (spec) => ({ ...spec, replicas: { ...spec.replicas, api: -1 } })));
    expect(lines).toEqual(['rings/canary.toml: replicas.api: expected a whole number ≥ 0, got -1']);
    expect(problemsOf(sourcesWith({ 'canary.toml': exampleSources().get('canary.toml')!.replace('[replicas]\napi = 2', '[replicas]\napi = -1') }))).toEqual(lines);
    // A cross-file rule too: a tenant moved to a ring that does not exist.
    expect(() => validateRegistry({ ...reg, tenants: { ...reg.tenants, acme: 'beta' } })).toThrow(
      'rings/tenants.toml: tenants.acme: expected an existing ring (canary, edge, experimental, stable), got "beta"',
    );
    // `source` still names another folder.
    expect(registryProblems({ ...reg, tenants: { ...reg.tenants, acme: 'beta' } }, { source: 'elsewhere' })[0]).toMatch(/^elsewhere\/tenants\.toml: /);
  });

  test('loadedRegistryLocks: a lock pin changed in code is checked as the lock file would be', () => {
    const reg = loaded();
    const canary = reg.locks.canary;
    const bumped = { ...reg, locks: { ...reg.locks, canary: { ...canary, modules: { ...canary.modules, orders: '1.7.0' }, hashes: { ...canary.hashes, orders: 'f'.repeat(64) } } } };
    expect(validateRegistry(bumped).locks.canary.modules.orders).toBe('1.7.0');
    const noHash = { ...reg, locks: { ...reg.locks, canary: { ...canary, modules: { ...canary.modules, orders: '1.7.0' }, hashes: { ...canary.hashes, orders: 'ABC' } } } };
    expect(registryProblems(noHash)).toContain('rings/locks/canary.lock.json: modules.orders.sha256: expected a sha256: 64 lower-case hex characters, got "ABC"');
    const flat = { ...reg, locks: { ...reg.locks, canary: { file: canary.file, ring: 'canary', modules: { ...canary.modules, orders: 'latest' } } } };
    expect(registryProblems(flat)).toContain('rings/locks/canary.lock.json: orders: expected a semantic version such as "1.6.0", got "latest"');
  });

  test('a loaded registry changed in any way gives problem lines under its folder, never a raw ZodError (property)', () => {
    const reg = loaded();
    fc.assert(
      fc.property(
        fc.constantFrom('platform', 'ring', 'lock', 'tenants', 'previews'),
        fc.constantFrom('name', 'domain', 'images', 'replicas', 'home_ring', 'modules', 'hashes', 'format', 'metadata', 'acme'),
        fc.anything({ maxDepth: 2 }),
        (part, key, value) => {
          const r = JSON.parse(JSON.stringify(reg));
          if (part === 'platform') r.platform[key] = value;
          else if (part === 'ring') r.rings[1].spec[key] = value;
          else if (part === 'lock') r.locks.canary[key] = value;
          else r[part] = { ...r[part], [key]: value };
          try {
            validateRegistryData(r);
          } catch (e) {
            expect(e).toBeInstanceOf(RegistryError);
            for (const line of (e as RegistryError).lines()) expect(line).toMatch(/^rings[/:]/);
          }
        },
      ),
      propertyRuns(200),
    );
  });

  test('a loaded registry whose parts are not of its shape gives problem lines, not crashes', () => {
    const reg = loaded();
    expect(registryDataProblems({ ...reg, dir: 42 })).toContain('<registry>: dir: expected the registry\'s folder (a non-empty string), got 42');
    expect(registryDataProblems({ ...reg, rings: [reg.rings[0], 'canary'] })).toContain('rings: rings.1: expected a ring entry { file, spec } as loadRegistry returns it, got "canary"');
    expect(registryDataProblems({ ...reg, extra: 1 })).toContain('rings: extra: unknown key; expected dir, platform, rings, tenants, previews or locks');
  });
});

describe('validateRegistry on a registry built in code', () => {
  test('a valid two-ring registry resolves and synthesizes', () => {
    const plan = resolvePlan(validateRegistry(shop()));
    expect(plan.rings.map((r) => r.name)).toEqual(['stable', 'canary']);
    const files = [...synthesize(plan).files.keys()];
    expect(files).toEqual(expect.arrayContaining(['ring-stable/ring-stable.yaml', 'ring-canary/ring-canary.yaml', 'shared/shared.yaml', 'kustomization.yaml']));
  });

  test('problems name a synthetic location: <registry>/<file>: field: expected …, got …', () => {
    const bad = shop();
    const broken: RegistryInput = {
      ...bad,
      rings: [bad.rings[0], { ...bad.rings[1], replicas: { api: -1, horizon: 1, nginx: 1 } }],
      tenants: { ...bad.tenants, initech: 'beta' },
    };
    expect(registryProblems(broken)).toEqual([
      '<registry>/canary.toml: replicas.api: expected a whole number ≥ 0, got -1',
      '<registry>/tenants.toml: tenants.initech: expected an existing ring (canary, stable), got "beta"',
    ]);
    expect(registryProblems(broken, { source: 'shop' })[0]).toBe('shop/canary.toml: replicas.api: expected a whole number ≥ 0, got -1');
    expect(registryProblems(shop())).toEqual([]);
  });

  test('a ring without a usable name is shown by its index; two rings of one name are refused', () => {
    const s = shop();
    expect(registryProblems({ ...s, rings: [s.rings[0], { ...s.rings[1], name: 'Canary' }] })).toContain(
      "<registry>/rings.1: name: expected a ring name: a DNS label (lower-case letters, digits and '-', at most 63 characters), got \"Canary\"",
    );
    expect(registryProblems({ ...s, rings: [s.rings[0], s.rings[1], s.rings[1]] })).toContain('<registry>/rings.2: name: expected a unique ring name, got "canary" again');
  });

  test('shapes that are not a registry are problems, not crashes (registryDataProblems / validateRegistryData take unknown data)', () => {
    expect(registryDataProblems(null)).toEqual(['<registry>: expected a registry object { platform, rings, tenants, locks }, got null']);
    expect(registryDataProblems({ platform: shop().platform, rings: 'stable', locks: [] })).toEqual([
      '<registry>: locks: expected a table of ring name → lock (module alias → version), got an array',
      '<registry>: rings: expected an array of rings, got "stable"',
    ]);
    expect(registryDataProblems({ ...shop(), ring: [] })).toContain('<registry>: ring: unknown key; expected platform, rings, tenants, previews or locks');
    expect(() => validateRegistryData(JSON.parse('{"platform": {}}'))).toThrow(RegistryError);
    expect(validateRegistryData(JSON.parse(JSON.stringify(shop())))).toEqual(validateRegistry(shop()));
  });

  test('no raw ZodError escapes, whatever the input (property)', () => {
    const base = shop() as any;
    const anyValue = fc.anything({ maxDepth: 2 });
    fc.assert(
      fc.property(fc.constantFrom('platform', 'rings', 'tenants', 'locks', 'previews'), anyValue, fc.option(fc.constantFrom('name', 'domain', 'images', 'replicas', 'home_ring')), (part, value, key) => {
        const input = JSON.parse(JSON.stringify(base));
        if (key && part === 'platform') input.platform[key] = value;
        else if (key && part === 'rings') input.rings[1][key] = value;
        else input[part] = value;
        try {
          validateRegistry(input);
        } catch (e) {
          expect(e).toBeInstanceOf(RegistryError);
          expect(e).not.toBeInstanceOf(ZodError);
          for (const line of (e as RegistryError).lines()) expect(line).toMatch(/^<registry>[/:]/);
        }
      }),
      propertyRuns(300),
    );
  });

  test('the zod schemas are not part of the public API (their parse throws raw ZodErrors)', () => {
    for (const name of ['platformSchema', 'ringSchema', 'tenantsSchema', 'lockSchema']) expect((lib as Record<string, unknown>)[name]).toBeUndefined();
    expect(typeof lib.validateRegistry).toBe('function');
    expect(typeof lib.checkPlan).toBe('function');
  });
});

describe('resolvePlan refuses, never drops', () => {
  const valid = () => validateRegistry(shop());
  const linesOf = (f: () => unknown): string[] => {
    try {
      f();
    } catch (e) {
      if (e instanceof RegistryError) return e.lines();
      throw e;
    }
    throw new Error('expected a RegistryError');
  };
  test('resolvePlanRefusesTenantOnUnknownRing: a tenant on a ring that does not exist', () => {
    const reg = valid();
    expect(() => resolvePlan(reg)).not.toThrow();
    expect(linesOf(() => resolvePlan({ ...reg, tenants: { ...reg.tenants, initech: 'beta' } }))).toEqual([
      '<registry>/tenants.toml: tenants.initech: expected an existing ring (canary, stable), got "beta"',
    ]);
  });
  test('resolvePlanRefusesTenantOnInactiveRing', () => {
    const reg = valid();
    const rings = reg.rings.map((r) => (r.spec.name === 'canary' ? { ...r, spec: { ...r.spec, active: false } } : r));
    expect(linesOf(() => resolvePlan({ ...reg, rings }))).toEqual(['<registry>/tenants.toml: tenants.acme: expected an active ring, got "canary" (active = false in <registry>/canary.toml)']);
  });
  test('resolvePlanRefusesMissingHomeRingOrLock', () => {
    const reg = valid();
    expect(linesOf(() => resolvePlan({ ...reg, platform: { ...reg.platform, home_ring: 'main' } }))).toEqual([
      '<registry>/platform.toml: home_ring: expected the name of a ring, got "main" (rings: stable, canary)',
    ]);
    const { canary: _dropped, ...locks } = reg.locks;
    expect(linesOf(() => resolvePlan({ ...reg, locks }))).toEqual(['<registry>/canary.toml: expected a lock file <registry>/locks/canary.lock.json, found none']);
  });
  test('resolvePlanRefusesPreviewOnUnknownRing', () => {
    const reg = valid();
    expect(linesOf(() => resolvePlan({ ...reg, previews: { acme: { ring: 'beta', header: 'X-Ring' } } }))).toEqual([
      '<registry>/tenants.toml: previews.acme.ring: expected an existing ring (stable, canary), got "beta"',
    ]);
  });
});

describe('nothing AutoCom-specific unless asked for', () => {
  const ringConfig = (input: RegistryInput, ring: string) =>
    synthesize(resolvePlan(validateRegistry(input)))
      .charts.find((c) => c.file === `ring-${ring}/ring-${ring}.yaml`)!
      .objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('ring-config'))!.data;

  test('noDatabaseKeysWithoutDatabase: no [database] → no DB_*; [database] → DB_HOST/DB_PORT', () => {
    const without = ringConfig(shop(), 'canary');
    expect(Object.keys(without).filter((k) => /^(DB|REDIS)_/.test(k))).toEqual([]);
    expect(JSON.stringify(without)).not.toMatch(/autocom/);
    const s = shop();
    const withDb = ringConfig({ ...s, platform: { ...s.platform, database: { host: 'shop-db-rw' }, redis: { host: 'cache' } } }, 'canary');
    expect(withDb).toMatchObject({ DB_HOST: 'shop-db-rw', DB_PORT: '5432', REDIS_HOST: 'cache', REDIS_PORT: '6379' });
  });

  test('noAutocomInShopOutput: a platform called shop renders no AutoCom name', () => {
    const yaml = [...synthesize(resolvePlan(validateRegistry(shop()))).files.values()].join('\n');
    expect(yaml).not.toMatch(/autocom|acme\.io/i);
  });

  test('reservedSettingsFollowTheRegistry: DB_HOST in app_settings is refused only when [database] sets it', () => {
    const s = shop();
    const settings = { ...s, platform: { ...s.platform, app_settings: { DB_HOST: 'elsewhere' } } };
    expect(registryProblems(settings)).toEqual([]);
    expect(registryProblems({ ...settings, platform: { ...settings.platform, database: { host: 'shop-db-rw' } } })).toEqual([
      '<registry>/platform.toml: app_settings.DB_HOST: expected a setting the ring ConfigMap does not set itself (RING_NAME, MODULE_LOCK_PATH, REDIS_*, and DB_* when [database] is set, come from the registry)',
    ]);
  });
});
