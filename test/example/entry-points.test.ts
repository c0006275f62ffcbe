/**
 * The three entry points — `rings synth`, `npm run synth` and `npx cdk8s synth --no-check-upgrade` —
 * on the same inputs: the same success or failure, the same problem lines, never a stack trace, and
 * on failure an untouched output folder. On success they write the same files, and under cdk8s the
 * app names what it wrote to the output folder before the CLI lists its copy.
 * Runs the compiled build (npm test builds first).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

type Entry = 'rings synth' | 'npm run synth' | 'cdk8s synth';
const ENTRIES: readonly Entry[] = ['rings synth', 'npm run synth', 'cdk8s synth'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  out: string;
  cdk8sOut: string;
}

/** Every file below `dir` (relative path → content). */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else files[r] = fs.readFileSync(path.join(dir, r), 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk('');
  return files;
}

/** A scratch registry (the example's, edited by `edit`) and one copy of the committed dist/ per entry point. */
function workspace(edit: (reg: string) => void): { dir: string; reg: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-entries-'));
  tmpDirs.push(dir);
  const reg = path.join(dir, 'rings');
  fs.cpSync(path.join(ROOT, 'rings'), reg, { recursive: true });
  edit(reg);
  ENTRIES.forEach((_, i) => fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, `dist-${i}`), { recursive: true }));
  return { dir, reg };
}

function run(entry: Entry, dir: string, reg: string): Run {
  const out = path.join(dir, `dist-${ENTRIES.indexOf(entry)}`);
  const cdk8sOut = path.join(dir, 'cdk8s.out');
  const env: NodeJS.ProcessEnv = { ...process.env, RINGS_REGISTRY: reg, RINGS_OUT: out, CDK8S_CHECK_UPGRADE: 'false', NO_COLOR: '1' };
  delete env.CDK8S_OUTDIR;
  const opts = { cwd: ROOT, env, encoding: 'utf8' as const };
  const r =
    entry === 'rings synth'
      ? spawnSync(process.execPath, [path.join(ROOT, 'bin', 'rings.js'), 'synth', '--registry', reg, '--out', out], opts)
      : entry === 'npm run synth'
        ? spawnSync('npm', ['run', 'synth'], opts)
        : spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', cdk8sOut], opts);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out, cdk8sOut };
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
/** What the app printed: without npm's "> script" header and the cdk8s CLI's own lines. */
function appLines(entry: Entry, r: Run): { stdout: string[]; stderr: string[] } {
  let stdout = lines(r.stdout);
  let stderr = lines(r.stderr);
  if (entry === 'npm run synth') stdout = stdout.filter((l) => !l.startsWith('> '));
  if (entry === 'cdk8s synth') {
    stdout = stdout.filter((l) => l !== 'Synthesizing application' && !l.startsWith(`  - ${r.cdk8sOut}/`));
    stderr = stderr.filter((l) => l !== `ERROR: synthesis failed, app expected to create "${r.cdk8sOut}"`);
  }
  return { stdout, stderr };
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/node:internal|\.js:\d+(:\d+)?\b/);
  expect(text).not.toMatch(/\b(Type|Reference|Syntax|Range)?Error: .*\n\s+at /);
}

const BAD_INPUTS: ReadonlyArray<[string, (reg: string) => void]> = [
  ['a malformed TOML file', (reg) => fs.appendFileSync(path.join(reg, 'canary.toml'), '\nbroken = [\n')],
  ['a broken history.jsonl', (reg) => fs.appendFileSync(path.join(reg, 'history.jsonl'), '{"not": "a history entry"\n')],
  [
    'an invalid value and an unknown ring',
    (reg) => {
      const edit = (f: string, from: string, to: string) => fs.writeFileSync(path.join(reg, f), fs.readFileSync(path.join(reg, f), 'utf8').replace(from, to));
      edit('canary.toml', 'api = 2', 'api = -1');
      edit('tenants.toml', 'acme = "stable"', 'acme = "beta"');
    },
  ],
];

describe.each(BAD_INPUTS)('on %s, the three entry points', (_what, edit) => {
  const before = tree(path.join(ROOT, 'dist'));
  let dir: string;
  let runs: ReadonlyArray<readonly [Entry, Run]>;
  beforeAll(() => {
    const ws = workspace(edit);
    dir = ws.dir;
    runs = ENTRIES.map((e) => [e, run(e, ws.dir, ws.reg)] as const);
  });

  test('all fail, with the same problem lines and nothing on stdout', () => {
    const [first, ...rest] = runs.map(([e, r]) => ({ entry: e, status: r.status, ...appLines(e, r) }));
    expect(first.status).toBe(1);
    expect(first.stderr.length).toBeGreaterThan(0);
    expect(first.stderr[first.stderr.length - 1]).toMatch(/problems? found; nothing was written$/);
    expect(first.stdout).toEqual([]);
    for (const r of rest) expect({ ...r, entry: first.entry }).toEqual(first);
  });

  test('never print a stack trace', () => {
    for (const [, r] of runs) expectNoStackTrace(r.stdout + r.stderr);
  });

  test('leave the output folder byte-identical and no temporary folder behind', () => {
    for (const [, r] of runs) expect(tree(r.out)).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.rings-tmp'))).toEqual([]);
  });
});

describe('on the example registry, the three entry points', () => {
  const expected = tree(path.join(ROOT, 'dist'));
  let runs: ReadonlyArray<readonly [Entry, Run]>;
  beforeAll(() => {
    const ws = workspace(() => undefined);
    runs = ENTRIES.map((e) => [e, run(e, ws.dir, ws.reg)] as const);
  });

  test('all succeed and write the committed dist/', () => {
    for (const [e, r] of runs) {
      expect({ entry: e, status: r.status }).toEqual({ entry: e, status: 0 });
      expect(tree(r.out)).toEqual(expected);
      expectNoStackTrace(r.stdout + r.stderr);
    }
  });

  test('print the same summary (under cdk8s on stderr, which the CLI does not swallow)', () => {
    const summary = (e: Entry, r: Run) => {
      const app = appLines(e, r);
      return (e === 'cdk8s synth' ? app.stderr : app.stdout).filter((l) => !l.startsWith('  - ') && !l.startsWith('and a copy of them to ')).map((l) => l.replace(r.out, 'OUT'));
    };
    const [[e0, r0], ...rest] = runs;
    const first = summary(e0, r0);
    expect(first[first.length - 1]).toBe(`wrote ${Object.keys(expected).length} files to OUT/`);
    for (const [e, r] of rest) expect(summary(e, r)).toEqual(first);
    expect(lines(runs[0][1].stderr)).toEqual([]);
  });

  test("cdk8s synth names every file written to the output folder, then the CLI's listing of its copy", () => {
    const [, r] = runs[2];
    const files = Object.keys(expected).sort();
    const err = lines(r.stderr);
    const at = err.indexOf(`wrote ${files.length} files to ${r.out}/`);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(err.slice(at + 1)).toEqual([...files.map((f) => `  - ${r.out}/${f}`), `and a copy of them to ${r.cdk8sOut}/ for the cdk8s CLI:`]);
    // The CLI lists a folder's files before its subfolders': compared as a set.
    const [head, ...listing] = lines(r.stdout);
    expect(head).toBe('Synthesizing application');
    expect(listing.sort()).toEqual(files.map((f) => `  - ${r.cdk8sOut}/${f}`));
    expect(tree(r.cdk8sOut)).toEqual(expected);
  });
});
