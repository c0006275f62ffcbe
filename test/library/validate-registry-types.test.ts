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
