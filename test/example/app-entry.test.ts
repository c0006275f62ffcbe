/**
 * The app entry as CI runs it: `node build/src/bin/synth-app.js` (npm run synth) and `cdk8s synth` write the
 * same dist/, a removed ring's file disappears, and a failed synth leaves dist/ byte-identical.
 * Runs the compiled build (npm test builds first).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readDir } from '../../src/render/dist';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'build', 'src', 'bin', 'synth-app.js');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rings-entry-'));
}
function copyRegistry(to: string): string {
  fs.cpSync(path.join(ROOT, 'rings'), to, { recursive: true });
  return to;
}
function synth(registry: string, out: string) {
  return spawnSync(process.execPath, [MAIN], { env: { ...process.env, RINGS_REGISTRY: registry, RINGS_OUT: out }, encoding: 'utf8' });
}

test('npm run synth and cdk8s synth write the same dist/', () => {
  const dir = tmp();
  const viaMain = path.join(dir, 'main-dist');
  expect(synth(path.join(ROOT, 'rings'), viaMain).status).toBe(0);
  const viaCli = path.join(dir, 'cli-dist');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', path.join(dir, 'cdk8s.out')], {
    cwd: ROOT,
    env: { ...process.env, RINGS_OUT: viaCli, CDK8S_CHECK_UPGRADE: 'false' },
    stdio: 'pipe',
  });
  expect(readDir(viaCli)).toEqual(readDir(viaMain));
  expect(readDir(path.join(dir, 'cdk8s.out'))).toEqual(readDir(viaMain));
});

test('a removed ring\'s file disappears from dist/', () => {
  const dir = tmp();
  const reg = copyRegistry(path.join(dir, 'rings'));
  const out = path.join(dir, 'dist');
  expect(synth(reg, out).status).toBe(0);
  expect(fs.existsSync(path.join(out, 'ring-experimental', 'ring-experimental.yaml'))).toBe(true);
  fs.rmSync(path.join(reg, 'experimental.toml'));
  fs.rmSync(path.join(reg, 'locks', 'experimental.lock.json'));
  fs.writeFileSync(path.join(reg, 'tenants.toml'), fs.readFileSync(path.join(reg, 'tenants.toml'), 'utf8').replace('internal-qa = "experimental"', 'internal-qa = "canary"'));
  const r = synth(reg, out);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['cluster', 'gitops', 'kustomization.yaml', 'ring-canary', 'ring-edge', 'ring-stable', 'shared']);
  expect(fs.readFileSync(path.join(out, 'kustomization.yaml'), 'utf8')).not.toContain('experimental');
});

test('a failed synth leaves dist/ byte-identical and prints one line per problem, no stack', () => {
  const dir = tmp();
  const reg = copyRegistry(path.join(dir, 'rings'));
  const out = path.join(dir, 'dist');
  expect(synth(reg, out).status).toBe(0);
  const before = readDir(out);
  fs.writeFileSync(path.join(reg, 'canary.toml'), fs.readFileSync(path.join(reg, 'canary.toml'), 'utf8').replace('api = 2', 'api = -1'));
  fs.writeFileSync(path.join(reg, 'tenants.toml'), fs.readFileSync(path.join(reg, 'tenants.toml'), 'utf8').replace('acme = "stable"', 'acme = "beta"'));
  const r = synth(reg, out);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter(Boolean)).toEqual([
    `${reg}/canary.toml: replicas.api: expected a whole number ≥ 0, got -1`,
    `${reg}/tenants.toml: tenants.acme: expected an existing ring (canary, edge, experimental, stable), got "beta"`,
    '2 problems found; nothing was written',
  ]);
  expect(readDir(out)).toEqual(before);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('.rings-tmp'))).toEqual([]);
});
