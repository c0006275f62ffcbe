/**
 * The README's smallest app runs and is complete: its TypeScript block is transpiled, `cdk8s-rings`
 * is the built package root, and the App writes into a temporary folder instead of the working
 * directory's dist/. Its output is what the library's own pipeline renders for the same registry
 * (no unit left out), and nothing in it points at an object nobody creates: every reference resolves
 * to an object of the output or to a prerequisite the README lists (test/support/references.ts).
 * (`test/consumer/run.sh` compiles the same block with tsc against the packed tarball.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import type { Registry } from '../../src/registry/load';
import type { RingPlan } from '../../src/resolve/resolve-plan';
import { K8sObject } from '../support/invariants';
import { danglingReferences, OPERATOR_PROVIDED_SECRETS, registryPrerequisites } from '../support/references';
import { parseYamlObjects } from '../support/render';

const ROOT = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Use from another repo'), readme.indexOf('## Documentation'));

function appBlock(): string {
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

/** Runs the app (optionally edited) and returns its files' objects, and the registry and plan it rendered. */
function runApp(app: string): { files: string[]; objects: K8sObject[]; registry: Registry; plan: RingPlan } {
  if (!fs.existsSync(path.join(ROOT, 'build/src/index.js'))) throw new Error('build first: npm run build (npm test does it)');
  expect(app).toContain("from 'cdk8s-rings'");
  expect(app.match(/new App\(\)/g)).toHaveLength(1);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-readme-app-'));
  try {
    const js = ts.transpileModule(app.replace('new App()', `new App({ outdir: ${JSON.stringify(out)} })`), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const lib = require(path.join(ROOT, 'build/src/index.js'));
    let seen: { registry: Registry; plan: RingPlan } | undefined;
    const resolvePlan = (registry: Registry) => {
      const plan = lib.resolvePlan(registry);
      seen = { registry, plan };
      return plan;
    };
    const load = (id: string) => (id === 'cdk8s-rings' ? { ...lib, resolvePlan } : require(id));
    new Function('require', 'exports', js)(load, {});
    if (!seen) throw new Error('the app never called resolvePlan');
    const files = fs.readdirSync(out).sort();
    const objects = files.flatMap((f) => parseYamlObjects(fs.readFileSync(path.join(out, f), 'utf8'), f));
    return { files, objects, ...seen };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const idOf = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe("the README's smallest app", () => {
  const run = runApp(appBlock());

  test('validates its registry and synthesizes the cluster layer, the shared layer and both rings', () => {
    expect(run.files).toEqual(['cluster.k8s.yaml', 'ring-canary.k8s.yaml', 'ring-stable.k8s.yaml', 'shared.k8s.yaml']);
    for (const f of run.files) expect(section).toContain(`\`${f}\``);
    const yaml = JSON.stringify(run.objects);
    for (const ns of ['shop', 'shop-canary']) expect(run.objects).toContainEqual(expect.objectContaining({ kind: 'Namespace', metadata: expect.objectContaining({ name: ns }) }));
    expect(yaml).toContain('"name":"cache"');
    expect(yaml).toContain('"host":"acme.canary.shop.example"');
  });

  test('renders every object the library renders for its registry (no unit left out)', () => {
    const { synthesize } = require(path.join(ROOT, 'build/src/index.js'));
    const own = synthesize(run.plan).charts.flatMap((c: { objects: K8sObject[] }) => c.objects);
    expect(run.objects.map(idOf).sort()).toEqual(own.map(idOf).sort());
  });

  test('readmeAppReferencesResolve: every reference resolves to an object of its output or a prerequisite the README lists', () => {
    const prerequisites = registryPrerequisites(run.registry, run.plan);
    expect(prerequisites).toEqual(['IngressClass nginx']);
    for (const p of prerequisites) expect(section).toContain(`${p.split(' ')[0]} \`${p.split(' ')[1]}\``);
    expect(danglingReferences(run.objects, { external: prerequisites })).toEqual([]);
    // The by-hand secrets the home Namespace lists are the ones the README names.
    const home = run.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === run.plan.homeNamespace)!;
    const byHand = String(home.metadata.annotations[OPERATOR_PROVIDED_SECRETS]).split(',');
    expect(byHand.length).toBeGreaterThan(0);
    expect(section).toContain(OPERATOR_PROVIDED_SECRETS);
    for (const s of byHand) expect(section).toContain(`\`${s}\``);
  });

  test('readmeAppReferencesResolve (failing): without its cluster layer the rings point at a ClusterSecretStore nobody creates', () => {
    const app = appBlock();
    const without = app.replace(/^new ClusterLayer\(.*\n/m, '');
    expect(without).not.toBe(app);
    const dangling = danglingReferences(runApp(without).objects, { external: ['IngressClass nginx'] });
    expect(dangling).toContain(
      'ExternalSecret/shop-canary/wildcard-tls: spec.secretStoreRef → ClusterSecretStore ring-home-secrets, which the output does not create and no prerequisite lists',
    );
  });
});
