/**
 * End to end through the built CLI: ring images promoted and rolled back like modules, AutoCom's
 * lock pairs, check --strict, --dry-run [--diff] [--at], and RINGS_NOW never dating history in the future.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readDir } from '../../src/render/dist';
import { withoutMetricChecks } from '../support/metric-checks';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const NOW = '2026-11-23T12:00:00Z';
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-e2e10-'));
  tmpDirs.push(dir);
  fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  const reg = path.join(dir, 'rings');
  withoutMetricChecks(reg); // the analysis gate has its own suite (test/analysis/)
  const file = (rel: string) => fs.readFileSync(path.join(reg, rel), 'utf8');
  const snapshot = () => Object.fromEntries(fs.readdirSync(reg, { recursive: true, withFileTypes: false } as any).map((f: any) => [f, fs.statSync(path.join(reg, f)).isFile() ? file(f) : '']));
  return {
    dir,
    reg,
    file,
    snapshot,
    write: (rel: string, s: string) => fs.writeFileSync(path.join(reg, rel), s),
    history: () => file('history.jsonl').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

function rings(cwd: string, args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, RINGS_NOW: NOW, NO_COLOR: '1', ...extra };
  delete env.RINGS_CRASH_AFTER;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const changedLines = (a: string, b: string) => {
  const x = a.split('\n');
  const y = b.split('\n');
  return y.filter((l, i) => l !== x[i]);
};

describe('rings promote image', () => {
  test('canary → edge after the soak: one line of edge.toml, the history line, then rollback restores the bytes', () => {
    const ws = workspace();
    const edge = ws.file('edge.toml');
    const others = ['stable.toml', 'canary.toml', 'experimental.toml', 'platform.toml', 'locks/edge.lock.json'].map((f) => ws.file(f));
    const canaryApi = /api = "([^"]+)"/.exec(ws.file('canary.toml'))![1];
    const r = rings(ws.dir, ['promote', 'image', 'api', '--from', 'canary', '--to', 'edge', '--reason', 'canary clean', '--yes', '--json']);
    expect(r).toMatchObject({ code: 0 });
    expect(changedLines(edge, ws.file('edge.toml'))).toEqual([`api = "${canaryApi}"`]);
    expect(['stable.toml', 'canary.toml', 'experimental.toml', 'platform.toml', 'locks/edge.lock.json'].map((f) => ws.file(f))).toEqual(others);
    expect(ws.history().pop()).toMatchObject({ action: 'promote', image: 'api', from: 'canary', to: 'edge', new: canaryApi, gates_checked: ['order', 'soak'], gates_waived: [] });
    // The synth rolls only edge: only ring-edge/ring-edge.yaml changes.
    const before = readDir(path.join(ws.dir, 'dist'));
    expect(rings(ws.dir, ['synth']).code).toBe(0);
    const after = readDir(path.join(ws.dir, 'dist'));
    expect([...after.keys()].filter((f) => after.get(f) !== before.get(f))).toEqual(['ring-edge/ring-edge.yaml']);
    // status shows it
    const st = JSON.parse(rings(ws.dir, ['status', '--json']).stdout);
    expect(st.images.find((i: any) => i.component === 'api').refs.edge).toBe(canaryApi);
    expect(rings(ws.dir, ['status']).stdout).toMatch(/^image api +api-octane:2026\.11\.3@sha256:[0-9a-f]{8}… +api-octane:2026\.12\.0/m);
    const back = rings(ws.dir, ['rollback', 'image', 'api', '--ring', 'edge', '--yes']);
    expect(back.code).toBe(0);
    expect(ws.file('edge.toml')).toBe(edge);
    expect(ws.history().pop()).toMatchObject({ action: 'rollback', image: 'api', to: 'edge', new: /api-octane:2026\.11\.3/ });
  });
  test('the same gates as modules: order, soak, entry, --emergency --reason', () => {
    const ws = workspace();
    const b = ws.snapshot();
    expect(rings(ws.dir, ['promote', 'image', 'api', '--from', 'experimental', '--to', 'edge', '--yes']).stderr).toMatch(/^refused by the order gate: experimental → edge skips canary/);
    expect(rings(ws.dir, ['promote', 'image', 'api', '--from', 'canary', '--to', 'edge', '--yes'], { RINGS_NOW: '2026-11-22T00:00:00Z' }).stderr).toMatch(
      /^refused by the soak gate: the api image \S+ has run in canary for 9h since 2026-11-21T15:00:00Z; canary needs 24h/,
    );
    const ref = `registry.gitlab.com/autocommerce/main/api-octane:2026.12.1@sha256:${'1'.repeat(64)}`;
    expect(rings(ws.dir, ['promote', 'image', 'api', '--with-image', ref, '--to', 'canary', '--yes']).stderr).toMatch(/^refused by the entry gate: --with-image pins only into experimental, not canary/);
    expect(rings(ws.dir, ['promote', 'image', 'api', '--with-image', 'registry.example/api:latest', '--to', 'experimental', '--yes']).stderr).toBe(
      'error: invalid image reference "registry.example/api:latest": expected an image pinned by a tag other than latest, or a digest\n',
    );
    expect(rings(ws.dir, ['promote', 'image', 'php', '--from', 'canary', '--to', 'edge', '--yes'])).toMatchObject({ code: 2 });
    expect(ws.snapshot()).toEqual(b);
    const ok = rings(ws.dir, ['promote', 'image', 'api', '--with-image', ref, '--to', 'canary', '--emergency', '--reason', 'INC-7: PHP CVE', '--yes']);
    expect(ok.code).toBe(0);
    expect(ws.history().pop()).toMatchObject({ image: 'api', to: 'canary', new: ref, gates_waived: ['entry'], reason: 'INC-7: PHP CVE' });
    expect(ws.file('canary.toml')).toContain(`api = "${ref}"`);
  });
});

describe("AutoCom's lock pairs from the CLI", () => {
  test('--with-version needs --sha256 for an AutoCom lock; with it, the pair is pinned and recorded; check --strict accepts the recorded hash', () => {
    const ws = workspace();
    const b = ws.snapshot();
    const missing = rings(ws.dir, ['promote', 'orders', '--with-version', '1.7.0', '--to', 'experimental', '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe("usage error: rings/locks/experimental.lock.json is in the hashed form (version + sha256): --with-version needs --sha256 <64 lower-case hex>");
    expect(rings(ws.dir, ['promote', 'orders', '--with-version', '1.7.0', '--sha256', 'ABC', '--to', 'experimental', '--yes']).stderr).toBe(
      'error: invalid sha256 "ABC": expected 64 lower-case hex characters\n',
    );
    expect(ws.snapshot()).toEqual(b);
    const sha = 'd'.repeat(64);
    const lock = ws.file('locks/experimental.lock.json');
    expect(rings(ws.dir, ['promote', 'orders', '--with-version', '1.7.0', '--sha256', sha, '--to', 'experimental', '--yes']).code).toBe(0);
    expect(changedLines(lock, ws.file('locks/experimental.lock.json')).map((l) => l.trim())).toEqual(['"version": "1.7.0",', `"sha256": "${sha}"`]);
    expect(ws.history().pop()).toMatchObject({ module: 'orders', new: '1.7.0', new_sha256: sha, previous: '1.6.1' });
    expect(rings(ws.dir, ['check', '--strict']).code).toBe(0);
  });
  test('the same version with another hash than other rings pin is refused; a hand-edited new hash fails check --strict only', () => {
    const ws = workspace();
    const r = rings(ws.dir, ['promote', 'crm', '--with-version', '1.5.3', '--sha256', 'e'.repeat(64), '--to', 'experimental', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^refused: the change would make the registry invalid; nothing was written\n  rings\/locks\/experimental\.lock\.json: modules\.crm\.sha256: expected [0-9a-f]{64} \(crm 1\.5\.3 as /);
    ws.write('locks/experimental.lock.json', ws.file('locks/experimental.lock.json').replace(/("wms": \{\s*"version": )"1\.9\.0-rc\.1",(\s*"sha256": )"[0-9a-f]+"/, `$1"1.9.0-rc.2",$2"${'9'.repeat(64)}"`));
    expect(rings(ws.dir, ['check']).code).toBe(0);
    const strict = rings(ws.dir, ['check', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^rings\/locks\/experimental\.lock\.json: modules\.wms\.sha256: new hash [0-9a-f]{64} for wms 1\.9\.0-rc\.2: no other ring pins it/);
  });
  test('check reports which form each lock has', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['check']).stdout).toMatch(/locks: 4 hashed \(version \+ sha256\), 0 flat\n$/);
    expect(JSON.parse(rings(ws.dir, ['check', '--json']).stdout).lockFormats).toEqual({ stable: 'hashed', edge: 'hashed', canary: 'hashed', experimental: 'hashed' });
  });
});

describe('--dry-run', () => {
  test('prints the registry change and, with --diff, the objects of dist/ it changes; writes nothing; exit 0', () => {
    const ws = workspace();
    const b = ws.snapshot();
    const r = rings(ws.dir, ['promote', 'ai', '--from', 'canary', '--to', 'edge', '--dry-run', '--diff', '--at', '2026-11-24T03:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dry run: nothing was written\n');
    expect(r.stdout).toMatch(/rings\/locks\/edge\.lock\.json: ai 2\.3\.1 → 2\.4\.0/);
    expect(r.stdout).toContain('would record: promote ai 2.4.0 from canary to edge (was 2.3.1; rollback target 2.3.1; evidence: soaked since 2026-11-23T02:00:00Z)');
    expect(r.stdout).toMatch(/^ring-edge\/ring-edge\.yaml$/m);
    expect(r.stdout).toMatch(/^  \+ ConfigMap autocom-edge\/module-lock-[0-9a-f]{10}$/m);
    expect(r.stdout).toMatch(/^  ~ Deployment autocom-edge\/api: /m);
    expect(r.stdout).not.toMatch(/ring-canary\.yaml/);
    expect(ws.snapshot()).toEqual(b);
    expect(fs.existsSync(path.join(ws.reg, '.lock'))).toBe(false);
  });
  test('without --at the clock decides the gates as a real run would; --json says dryRun', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['promote', 'ai', '--from', 'canary', '--to', 'edge', '--dry-run']).stderr).toMatch(/^refused by the soak gate/);
    const j = JSON.parse(rings(ws.dir, ['assign', 'acme', 'canary', '--dry-run', '--json']).stdout);
    expect(j).toMatchObject({ dryRun: true, changed: true, entry: { action: 'assign', tenant: 'acme', to: 'canary' } });
  });
  test('--at and --diff need --dry-run', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['promote', 'ai', '--from', 'canary', '--to', 'edge', '--at', '2026-11-24T03:00:00Z', '--yes']).code).toBe(2);
    expect(rings(ws.dir, ['assign', 'acme', 'canary', '--diff', '--yes']).code).toBe(2);
  });
});

describe('RINGS_NOW never writes a history line dated in the future', () => {
  test('a future clock is refused for a real change (and allowed for a dry run)', () => {
    const ws = workspace();
    const b = ws.snapshot();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const r = rings(ws.dir, ['assign', 'acme', 'canary', '--yes'], { RINGS_NOW: future });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^refused: the clock \(RINGS_NOW=\S+\) is in the future of the real time \(\S+\), and a history line may not be dated in the future; ask what-if questions with --dry-run --at TIME\n$/);
    expect(ws.snapshot()).toEqual(b);
    expect(rings(ws.dir, ['assign', 'acme', 'canary', '--dry-run'], { RINGS_NOW: future }).code).toBe(0);
    expect(rings(ws.dir, ['assign', 'acme', 'canary', '--yes']).code).toBe(0);
  });
});
