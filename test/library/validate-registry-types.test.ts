/**
 * validateRegistry's parameter is the schema's input type, so tsc refuses what the schema refuses.
 * This file is the type-level test: `npx tsc -p test` (part of `npm test`) fails on every
 * `@ts-expect-error` below that stops being an error, and on any correct input that stops
 * compiling. At run time (jest) the same inputs are refused with the usual problem lines, so the
 * types and the checks say the same thing.
 */
import { loadRegistry, Registry, RegistryInput, registryProblems, RingInput, validateRegistry, validateRegistryData } from '../../src';
import { EXAMPLE_DIR } from '../support/registry-fixture';

const platform = {
  name: 'shop',
  domain: 'shop.example',
  home_ring: 'stable',
  images: { api: 'registry.example/shop/api:1.4.2', nginx: 'nginxinc/nginx-unprivileged:1.29.3-alpine' },
} as const;
const stable = { name: 'stable', namespace: 'shop', hostname_segment: 'stable', promotion_order: 0, default: true, replicas: { api: 1, horizon: 1, nginx: 1 } } as const;
const locks = { stable: { orders: '1.5.0' }, canary: { orders: '1.6.0' } };

describe('validateRegistry is typed by the schema (tsc -p test checks this file)', () => {
  test('a correct registry literal compiles and validates', () => {
    const reg: Registry = validateRegistry({
      platform,
      rings: [stable, { name: 'canary', namespace: 'shop-canary', hostname_segment: 'canary', promotion_order: 10, replicas: { api: 1, horizon: 1, nginx: 1 } }],
      tenants: { acme: 'canary' },
      locks,
    });
    expect(reg.rings.map((r) => r.spec.name)).toEqual(['stable', 'canary']);
    // A RegistryInput built elsewhere is accepted as is; so is a loaded registry, changed in code.
    const input: RegistryInput = { platform, rings: [stable], locks: { stable: locks.stable } };
    expect(registryProblems(input)).toEqual([]);
    const loaded = loadRegistry(EXAMPLE_DIR);
    expect(registryProblems({ ...loaded, tenants: { ...loaded.tenants, initech: 'edge' } })).toEqual([]);
  });

  test('a misspelt key does not compile (and is refused at run time)', () => {
    const canary: RingInput = {
      name: 'canary',
      namespace: 'shop-canary',
      // @ts-expect-error hostname_segmnet is no key of a ring file (tsc: "Did you mean 'hostname_segment'?")
      hostname_segmnet: 'canary',
      hostname_segment: 'canary',
      promotion_order: 10,
      replicas: { api: 1, horizon: 1, nginx: 1 },
    };
    expect(() => validateRegistry({ platform, rings: [stable, canary], locks })).toThrow(
      "<registry>/canary.toml: hostname_segmnet: unknown key; did you mean 'hostname_segment'?",
    );
    // The same in one literal, as the README writes it.
    expect(() =>
      validateRegistry({
        platform,
        // @ts-expect-error hostname_segmnet is no key of a ring file
        rings: [stable, { name: 'canary', namespace: 'shop-canary', hostname_segmnet: 'canary', hostname_segment: 'canary', promotion_order: 10, replicas: { api: 1, horizon: 1, nginx: 1 } }],
        locks,
      }),
    ).toThrow(/hostname_segmnet: unknown key/);
    // A misspelt platform key, too.
    expect(() =>
      validateRegistry({
        // @ts-expect-error home_rign is no key of platform.toml
        platform: { ...platform, home_rign: 'stable' },
        rings: [stable],
        locks: { stable: locks.stable },
      }),
    ).toThrow(/platform\.toml: home_rign: unknown key/);
  });

  test('a value of the wrong type does not compile (and is refused at run time)', () => {
    expect(() =>
      validateRegistry({
        platform,
        rings: [
          stable,
          // @ts-expect-error promotion_order is a number, not a string
          { name: 'canary', namespace: 'shop-canary', hostname_segment: 'canary', promotion_order: '10', replicas: { api: 1, horizon: 1, nginx: 1 } },
        ],
        locks,
      }),
    ).toThrow(/<registry>\/canary\.toml: promotion_order: expected .*got "10"/);
    expect(() =>
      validateRegistry({
        // @ts-expect-error images.api is an image reference (a string), not a number
        platform: { ...platform, images: { ...platform.images, api: 142 } },
        rings: [stable],
        locks: { stable: locks.stable },
      }),
    ).toThrow(/platform\.toml: images\.api: expected/);
  });

  test('a loaded registry changed into a wrong type does not compile either', () => {
    const loaded = loadRegistry(EXAMPLE_DIR);
    const [first, ...rest] = loaded.rings;
    const changed = [{ ...first, spec: { ...first.spec, replicas: { ...first.spec.replicas, api: 'two' } } }, ...rest];
    // @ts-expect-error replicas.api is a number, not a string
    expect(() => validateRegistry({ ...loaded, rings: changed })).toThrow(/stable\.toml: replicas\.api: expected/);
  });

  test('data of unknown shape goes through validateRegistryData, which tsc lets take anything', () => {
    const fromJson: unknown = JSON.parse('{"platform": {"name": "shop"}, "rings": [], "locks": {}}');
    // @ts-expect-error validateRegistry takes a RegistryInput or a Registry, not unknown data
    expect(() => validateRegistry(fromJson)).toThrow();
    expect(() => validateRegistryData(fromJson)).toThrow(/<registry>\/platform\.toml: domain: /);
  });
});

describe('the type-level test can fail', () => {
  test('with the old signature (input: unknown), tsc reports each @ts-expect-error on validateRegistry as unused', () => {
    // Type-check this file with validate-object.ts's typed parameters put back to `unknown`: every
    // expectation that rests on validateRegistry's parameter type must then fail (TS2578).
    const ts: typeof import('typescript') = require('typescript');
    const path: typeof import('path') = require('path');
    const fs: typeof import('fs') = require('fs');
    const self = path.join(__dirname, 'validate-registry-types.test.ts');
    const target = path.resolve(__dirname, '../../src/registry/validate-object.ts');
    const config = ts.getParsedCommandLineOfConfigFile(path.resolve(__dirname, '../tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const original = fs.readFileSync(target, 'utf8');
    const loosened = original.replace(/input: RegistryInput \| Registry/g, 'input: unknown');
    expect(loosened.match(/input: unknown/g)!.length).toBeGreaterThanOrEqual(4); // validateRegistry and registryProblems, besides the *Data ones
    const host = ts.createCompilerHost(config.options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) => (path.resolve(name) === target ? ts.createSourceFile(name, loosened, lang) : read(name, lang, ...rest));
    const program = ts.createProgram([self], { ...config.options, noEmit: true, skipLibCheck: true }, host);
    const source = program.getSourceFile(self)!;
    const unused = ts
      .getPreEmitDiagnostics(program, source)
      .filter((d) => d.code === 2578)
      .map((d) => source.getLineAndCharacterOfPosition(d.start!).line);
    const directives = source.text.split('\n').flatMap((l, i) => (/^\s*\/\/ @ts-expect-error/.test(l) ? [i] : []));
    // The one on a `RingInput`-typed constant does not rest on validateRegistry's signature; every other one does.
    const onRingInput = directives.filter((i) => /^\s*hostname_segmnet: 'canary',$/.test(source.text.split('\n')[i + 1]));
    expect(onRingInput).toHaveLength(1);
    expect(unused.sort((a, b) => a - b)).toEqual(directives.filter((i) => !onRingInput.includes(i)));
  });
});
