/**
 * `cdk8s synth` as the docs print it shows no stack trace from the cdk8s CLI's upgrade check. The CLI
 * reads `--check-upgrade` (default true) from the command line and CDK8S_CHECK_UPGRADE only, not from
 * cdk8s.yaml, so every documented cdk8s command carries `--no-check-upgrade` (docs/output.md says why).
 * The check is driven offline: a fresh ~/.cdk8s-cli.version (the CLI's 30-minute cache of the latest
 * version) in a scratch HOME stands in for the npm registry's answer.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const FLAG = '--no-check-upgrade';

/** Each place a text prints a cdk8s command (`cdk8s synth`, `npx cdk8s import …`) without --no-check-upgrade. */
export function cdk8sCommandsWithoutFlag(text: string): string[] {
  const out: string[] = [];
  const fence = /^```[\s\S]*?^```$/gm;
  const commandLines = [...text.matchAll(fence)].flatMap((m) => m[0].split('\n'));
  // Inline code spans in prose, and whole lines inside fenced blocks (a `$ rings check  # or … cdk8s synth` comment too).
  const spans = [...text.replace(fence, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  for (const s of [...spans, ...commandLines]) {
    if (/\bcdk8s (synth|import)\b/.test(s) && !s.includes(FLAG)) out.push(s.trim());
  }
  return out;
}

/** cdk8s.yaml's comments are prose too: each `…` span in them. */
function yamlComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');
}

describe('every documented cdk8s command carries --no-check-upgrade', () => {
  const pages = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  test('passes: README.md, docs/*.md and the comments of cdk8s.yaml', () => {
    const missing = pages.flatMap((p) => cdk8sCommandsWithoutFlag(fs.readFileSync(path.join(ROOT, p), 'utf8')).map((s) => `${p}: ${s}`));
    missing.push(...cdk8sCommandsWithoutFlag(yamlComments(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'))).map((s) => `cdk8s.yaml: ${s}`));
    expect(missing).toEqual([]);
  });
  test('fails: a command without the flag, inline or in a code block, is found', () => {
    expect(cdk8sCommandsWithoutFlag('run `npx cdk8s synth` in CI, or `cdk8s synth --no-check-upgrade`')).toEqual(['npx cdk8s synth']);
    expect(cdk8sCommandsWithoutFlag('```sh\n$ rings check   # or cdk8s synth\nnpx cdk8s import\n```\n')).toEqual(['$ rings check   # or cdk8s synth', 'npx cdk8s import']);
  });
});

describe('the cdk8s CLI upgrade check: what --no-check-upgrade stops, and that cdk8s.yaml cannot', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-cdk8s-check-'));
    fs.mkdirSync(path.join(dir, 'home'));
    fs.mkdirSync(path.join(dir, 'app'));
    // An app that synthesizes nothing: only the CLI's own output is looked at.
    fs.writeFileSync(path.join(dir, 'app', 'app.js'), 'require("fs").mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const synth = (yaml: string, args: string[], env: Record<string, string> = {}) => {
    fs.writeFileSync(path.join(dir, 'app', 'cdk8s.yaml'), `language: typescript\napp: node app.js\noutput: out\n${yaml}`);
    // Fresh for each run (the CLI trusts it for 30 minutes): the "latest version" without asking the network.
    fs.writeFileSync(path.join(dir, 'home', '.cdk8s-cli.version'), '99.0.0');
    const e: NodeJS.ProcessEnv = { ...process.env, HOME: path.join(dir, 'home') };
    delete e.CDK8S_CHECK_UPGRADE;
    Object.assign(e, env);
    const r = spawnSync(process.execPath, [CDK8S, 'synth', ...args], { cwd: path.join(dir, 'app'), env: e, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  };
  test('fails without the flag: the check runs, also with checkUpgrade / check-upgrade: false in cdk8s.yaml', () => {
    expect(synth('', []).stderr).toContain('A new version 99.0.0 of cdk8s-cli is available');
    expect(synth('checkUpgrade: false\ncheck-upgrade: false\n', []).stderr).toContain('A new version 99.0.0 of cdk8s-cli is available');
  });
  test('passes with --no-check-upgrade (as the docs print it) and with CDK8S_CHECK_UPGRADE=false: no check, no stack trace', () => {
    for (const r of [synth('', [FLAG]), synth('', [], { CDK8S_CHECK_UPGRADE: 'false' })]) {
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/new version|^\s+at |Error:/m);
    }
  });
});
