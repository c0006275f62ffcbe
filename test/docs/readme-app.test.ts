/**
 * The README's smallest app runs: its TypeScript block is transpiled, `cdk8s-rings` is the built
 * package root, and the App writes into a temporary folder instead of the working directory's dist/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test("the README's smallest app validates its registry and synthesizes both rings and the shared layer", () => {
  if (!fs.existsSync(path.join(ROOT, 'build/src/index.js'))) throw new Error('build first: npm run build (npm test does it)');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  const [app] = blocks;
  expect(app).toContain("from 'cdk8s-rings'");
  expect(app.match(/new App\(\)/g)).toHaveLength(1);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-readme-app-'));
  try {
    const js = ts.transpileModule(app.replace('new App()', `new App({ outdir: ${JSON.stringify(out)} })`), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const load = (id: string) => (id === 'cdk8s-rings' ? require(path.join(ROOT, 'build/src/index.js')) : require(id));
    new Function('require', 'exports', js)(load, {});
    const files = fs.readdirSync(out).sort();
    expect(files.length).toBeGreaterThanOrEqual(3);
    const yaml = files.map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
    for (const ns of ['namespace: shop\n', 'namespace: shop-canary\n']) expect(yaml).toContain(ns);
    expect(yaml).toContain('name: cache');
    expect(yaml).toMatch(/host: acme\.canary\.shop\.example/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
