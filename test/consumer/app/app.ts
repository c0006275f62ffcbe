/**
 * A consumer's app, compiled against the packed tarball: builds a two-ring registry in code,
 * validates a broken one (exact problem lines), synthesizes the good one with the consumer's own
 * cdk8s App and the library's constructs. Exits non-zero on the first surprise.
 */
import { App } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { ClusterLayer, Ring, RegistryError, RegistryInput, registryProblems, resolvePlan, SharedLayer, validateRegistry } from 'cdk8s-rings';

const registry: RegistryInput = {
  platform: {
    name: 'shop',
    domain: 'shop.example',
    home_ring: 'stable',
    images: { api: 'registry.example/shop/api:1.4.2', nginx: 'nginxinc/nginx-unprivileged:1.29.3-alpine' },
    shared: { services: [{ name: 'cache', image: 'redis:7.4.1-alpine', port: 6379, run_as_user: 999, writable_paths: ['/data'] }] },
  },
  rings: [
    { name: 'stable', namespace: 'shop', hostname_segment: 'stable', promotion_order: 0, default: true, replicas: { api: 2, horizon: 1, nginx: 2 } },
    { name: 'canary', namespace: 'shop-canary', hostname_segment: 'canary', promotion_order: 10, replicas: { api: 1, horizon: 1, nginx: 1 } },
  ],
  tenants: { acme: 'canary', globex: 'stable' },
  locks: { stable: { orders: '1.5.0' }, canary: { orders: '1.6.0' } },
};

// The shipped declarations type the input as the schemas do: a misspelt key or a wrong type does not
// compile (tsc fails on an @ts-expect-error that is no error).
export const misspelt: RegistryInput = {
  ...registry,
  // @ts-expect-error hostname_segmnet is no key of a ring file
  rings: [{ name: 'stable', namespace: 'shop', hostname_segmnet: 'stable', hostname_segment: 'stable', promotion_order: 0, replicas: { api: 1, horizon: 1, nginx: 1 } }],
};
export const wrongType: RegistryInput = {
  ...registry,
  // @ts-expect-error promotion_order is a number
  rings: [{ name: 'stable', namespace: 'shop', hostname_segment: 'stable', promotion_order: '0', replicas: { api: 1, horizon: 1, nginx: 1 } }],
};

function fail(message: string): never {
  process.stderr.write(`consumer app: ${message}\n`);
  process.exit(1);
}

// 1. A broken registry: the exact lines the TOML path would give, under a synthetic location.
const broken: RegistryInput = {
  ...registry,
  rings: [registry.rings[0], { ...registry.rings[1], replicas: { api: -1, horizon: 1, nginx: 1 } }],
  tenants: { ...registry.tenants, initech: 'beta' },
};
const expected = [
  '<registry>/canary.toml: replicas.api: expected a whole number ≥ 0, got -1',
  '<registry>/tenants.toml: tenants.initech: expected an existing ring (canary, stable), got "beta"',
];
const got = registryProblems(broken);
if (JSON.stringify(got) !== JSON.stringify(expected)) fail(`problem lines differ:\n${got.join('\n')}`);
try {
  validateRegistry(broken);
  fail('validateRegistry accepted a broken registry');
} catch (e) {
  if (!(e instanceof RegistryError)) fail(`validateRegistry threw ${String(e)}, not a RegistryError`);
  if (JSON.stringify(e.lines()) !== JSON.stringify(expected)) fail('RegistryError.lines() differ from registryProblems()');
}

// 2. The good one, into the consumer's own App: one cdk8s, one constructs, or `new Ring(app, …)` fails.
const outdir = process.argv[2] ?? 'dist';
const plan = resolvePlan(validateRegistry(registry));
const app = new App({ outdir });
new ClusterLayer(app, 'cluster', plan.cluster);
new SharedLayer(app, 'shared', plan.shared);
for (const ring of plan.rings) new Ring(app, `ring-${ring.name}`, ring);
app.synth();

const files = fs.readdirSync(outdir).sort();
const want = ['cluster.k8s.yaml', 'ring-canary.k8s.yaml', 'ring-stable.k8s.yaml', 'shared.k8s.yaml'];
if (JSON.stringify(files) !== JSON.stringify(want)) fail(`synthesized ${files.join(', ')}, expected ${want.join(', ')}`);
const canary = fs.readFileSync(path.join(outdir, 'ring-canary.k8s.yaml'), 'utf8');
for (const needle of ['name: shop-canary', 'RING_NAME: canary', 'acme.canary.shop.example', 'kind: ExternalName'.replace('kind: ', 'type: ')]) {
  if (!canary.includes(needle)) fail(`ring-canary.k8s.yaml lacks ${JSON.stringify(needle)}`);
}
if (/DB_HOST|autocom/.test(canary)) fail('ring-canary.k8s.yaml renders an AutoCom default (DB_HOST or autocom) the registry did not ask for');

// 3. Only the public entry point: deep imports are not exported.
try {
  require('cdk8s-rings/build/src/registry/schema/schema');
  fail('a deep import of cdk8s-rings/build/src/registry/schema/schema resolved; the exports map should refuse it');
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') fail(`deep import failed with ${String(e)}`);
}
process.stdout.write(`consumer app: ${files.length} files synthesized into ${outdir}, broken registry refused with ${got.length} problem lines\n`);
