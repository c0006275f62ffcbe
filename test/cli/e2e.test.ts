/**
 * End-to-end: the built CLI (`node bin/rings.js`, after `npm run build`) against temporary copies
 * of the example registry and its dist/. Each spawn costs ~0.3 s, so each test checks several
 * things per process; the pure logic has its own fast unit tests beside this file.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutMetricChecks } from '../support/metric-checks';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const NOW = '2026-11-23T12:00:00Z';

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'build/src/cli/run.js'))) throw new Error('build first: npm run build (npm test does it)');
});

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/**
 * A fresh copy of rings/ and dist/ in a temporary folder; commands run there, so the defaults apply.
 * `withoutApproval` drops stable's require_approval from the copy: tests of rollback, locking and
 * recovery promote into stable without an approver (the approval gate has its own suite,
 * approvals-e2e.test.ts, in a git repository with real signing keys).
 */
function workspace(opts: { withoutApproval?: boolean } = {}): { dir: string; reg: string; file: (rel: string) => string; write: (rel: string, s: string) => void; history: () => any[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-e2e-'));
  tmpDirs.push(dir);
  fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  const reg = path.join(dir, 'rings');
  if (opts.withoutApproval) {
    const stable = path.join(reg, 'stable.toml');
    const text = fs.readFileSync(stable, 'utf8');
    const without = text.replace(/^require_approval = true\n/m, '').replace(/^emergency_waives_approval = true\n/m, '');
    if (without === text) throw new Error('the example stable.toml no longer sets require_approval = true: update this helper');
    fs.writeFileSync(stable, without);
  }
  return {
    dir,
    reg,
    file: (rel) => fs.readFileSync(path.join(reg, rel), 'utf8'),
    write: (rel, s) => fs.writeFileSync(path.join(reg, rel), s),
    history: () => fs.readFileSync(path.join(reg, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, RINGS_NOW: NOW, NO_COLOR: '1', ...extra };
  delete e.RINGS_CRASH_AFTER;
  if (extra.RINGS_CRASH_AFTER) e.RINGS_CRASH_AFTER = extra.RINGS_CRASH_AFTER;
  return e;
}

function rings(cwd: string, args: string[], extra: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: env(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function ringsAsync(cwd: string, args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('read-only commands', () => {
  const ws = workspace();
  test('list --json: every ring with its counts and computed memory', () => {
    const r = rings(ws.dir, ['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: any) => [x.ring, x.promotionOrder, x.default, x.tenants, x.modules, x.apiMemoryLimitMib])).toEqual([
      ['stable', 0, true, 5, 23, 1536],
      ['edge', 10, false, 3, 23, 1536],
      ['canary', 20, false, 1, 23, 1536],
      ['experimental', 30, false, 1, 26, 1664],
    ]);
  });
  test('show --tenants --modules --json', () => {
    const r = rings(ws.dir, ['show', 'edge', '--tenants', '--modules', '--json']);
    const d = JSON.parse(r.stdout);
    expect(d.tenants.map((t: any) => t.tenant)).toEqual(['bar', 'hooli', 'widgets']);
    expect(d.tenants[0].hosts).toEqual(['bar.edge.acme.io', 'bar.acme.io']);
    expect(d.modules.orders).toBe('1.6.0');
  });
  test('status marks what runs ahead of stable; history filters', () => {
    const s = rings(ws.dir, ['status']);
    expect(s.stdout).toMatch(/^orders\s+1\.5\.0\s+1\.6\.0 \*\s+1\.6\.1 \*\s+1\.6\.1 \*$/m);
    expect(s.stdout).not.toContain('\x1b[');
    const h = JSON.parse(rings(ws.dir, ['history', '--module', 'orders', '--ring', 'edge', '--json']).stdout);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ action: 'promote', from: 'canary', to: 'edge', new: '1.6.0' });
  });
  test('check passes on the example, diff says dist/ is up to date', () => {
    expect(rings(ws.dir, ['check'])).toMatchObject({ code: 0 });
    expect(rings(ws.dir, ['diff'])).toMatchObject({ code: 0, stdout: 'dist/ is up to date with the registry\n' });
  });
  test('synth --out writes every chart and prints one line per ring', () => {
    const r = rings(ws.dir, ['synth', '--out', 'out']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).filter((l) => / objects .* hosts +api memory \d+Mi$/.test(l))).toHaveLength(4);
    expect(fs.readFileSync(path.join(ws.dir, 'out/ring-edge/ring-edge.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'dist/ring-edge/ring-edge.yaml'), 'utf8'));
  });
  test('usage errors exit 2 with the usage line; --help documents exit codes', () => {
    const r = rings(ws.dir, ['promote', 'orders', '--form', 'edge']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      'usage error: unknown option --form',
      'usage: rings promote <module> (--from <ring> | --with-version <v> [--sha256 <hash>]) --to <ring> [--reason TEXT] [--emergency] [--dry-run [--diff] [--at TIME]] [--yes] [--json] [--commit [--dist DIR]] [--registry DIR]',
    ]);
    const h = rings(ws.dir, ['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('exit codes: 0 success; 1 invalid input, invalid registry or a refused gate; 2 usage error');
  });
});

describe('check refuses an invalid registry', () => {
  test('one line per problem, exit 1', () => {
    const ws = workspace();
    ws.write('tenants.toml', ws.file('tenants.toml').replace('foo = "stable"', 'foo = "stabel"'));
    const r = rings(ws.dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tenants.toml: tenants.foo: expected an existing ring');
  });
});

describe('promotion gates', () => {
  const ws = workspace();
  withoutMetricChecks(ws.reg); // the analysis gate has its own suite (test/analysis/)
  const before = () => ({ stable: ws.file('locks/stable.lock.json'), edge: ws.file('locks/edge.lock.json'), history: ws.file('history.jsonl') });
  test('soak: refused with one line saying when it would pass, nothing written', () => {
    const b = before();
    const r = rings(ws.dir, ['promote', 'orders', '--from', 'edge', '--to', 'stable', '--yes']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([
      'refused by the soak gate: orders 1.6.0 has run in edge for 5d 3h since 2026-11-18T09:00:00Z; edge needs 7d: promotable after 2026-11-25T09:00:00Z, or pass --emergency --reason TEXT',
    ]);
    expect(before()).toEqual(b);
  });
  test('soak is measured from history with the injected clock', () => {
    expect(rings(ws.dir, ['promote', 'ai', '--from', 'canary', '--to', 'edge', '--yes']).stderr).toMatch(/^refused by the soak gate: ai 2.4.0 has run in canary for 10h/);
    const r = rings(ws.dir, ['promote', 'ai', '--from', 'canary', '--to', 'edge', '--yes', '--json'], { RINGS_NOW: '2026-11-24T02:00:00Z' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).entry).toMatchObject({ time: '2026-11-24T02:00:00Z', module: 'ai', previous: '2.3.1', new: '2.4.0', gates_checked: ['order', 'soak'], gates_waived: [] });
  });
  test('order: skipping a ring is refused', () => {
    const r = rings(ws.dir, ['promote', 'orders', '--from', 'canary', '--to', 'stable', '--yes']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['refused by the order gate: canary → stable skips edge; promote from canary to edge only']);
  });
  test('entry: --with-version outside the entry ring is refused, and waived with --emergency', () => {
    const sha = ['--sha256', 'c'.repeat(64)];
    const refused = rings(ws.dir, ['promote', 'checkout', '--with-version', '2.8.1', ...sha, '--to', 'canary', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^refused by the entry gate: --with-version pins only into experimental, not canary/);
    const waived = rings(ws.dir, ['promote', 'checkout', '--with-version', '2.8.1', ...sha, '--to', 'canary', '--emergency', '--reason', 'INC-9: checkout hotfix', '--yes']);
    expect(waived.code).toBe(0);
    expect(ws.history().pop()).toMatchObject({ module: 'checkout', to: 'canary', gates_checked: ['entry'], gates_waived: ['entry'], reason: 'INC-9: checkout hotfix' });
  });
  test('soak waived with --emergency --reason; the waiver is recorded; only the destination lock changes, by one line', () => {
    const b = before();
    const r = rings(ws.dir, ['promote', 'orders', '--from', 'edge', '--to', 'stable', '--emergency', '--reason', 'INC-12', '--yes']);
    expect(r.code).toBe(0);
    expect(ws.file('locks/edge.lock.json')).toBe(b.edge);
    // Only the entry's two values changed, byte for byte everywhere else.
    const edgeSha = JSON.parse(b.edge).modules.orders.sha256;
    const after = ws.file('locks/stable.lock.json').split('\n');
    const old = b.stable.split('\n');
    expect(after).toHaveLength(old.length);
    expect(after.filter((l, i) => l !== old[i]).map((l) => l.trim())).toEqual(['"version": "1.6.0",', `"sha256": "${edgeSha}"`]);
    // stable requires approval and lets an emergency waive it (emergency_waives_approval = true): both are waived and recorded.
    expect(ws.history().pop()).toMatchObject({ action: 'promote', module: 'orders', from: 'edge', to: 'stable', previous: '1.5.0', new: '1.6.0', gates_checked: ['order', 'soak', 'approval'], gates_waived: ['soak', 'approval'] });
  });
  test('--emergency without --reason is a usage error', () => {
    expect(rings(ws.dir, ['promote', 'orders', '--from', 'edge', '--to', 'stable', '--emergency', '--yes']).code).toBe(2);
  });
  test('no history record of the version in the source ring: refused, saying so', () => {
    ws.write('locks/edge.lock.json', ws.file('locks/edge.lock.json').replace(/("crm": \{\s*"version": )"1\.5\.3"/, '$1"1.5.4"'));
    const r = rings(ws.dir, ['promote', 'crm', '--from', 'edge', '--to', 'stable', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^refused by the soak gate: history has no record of crm 1.5.4 arriving in edge/);
  });
});

describe('rollback', () => {
  test('restores the exact previous lock bytes, and records it', () => {
    const ws = workspace({ withoutApproval: true });
    const original = ws.file('locks/stable.lock.json');
    expect(rings(ws.dir, ['promote', 'payments', '--from', 'edge', '--to', 'stable', '--yes']).code).toBe(0);
    expect(ws.file('locks/stable.lock.json')).not.toBe(original);
    const r = rings(ws.dir, ['rollback', 'payments', '--ring', 'stable', '--reason', 'card failures', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(ws.file('locks/stable.lock.json')).toBe(original);
    expect(JSON.parse(r.stdout).entry).toMatchObject({ action: 'rollback', module: 'payments', to: 'stable', previous: '3.2.0', new: '3.1.0', reason: 'card failures' });
  });
});

describe('assign', () => {
  const ws = workspace();
  test('changes one line of tenants.toml, keeping comments and order; diff then reports the moved host', () => {
    const before = ws.file('tenants.toml');
    const r = rings(ws.dir, ['assign', 'acme', 'canary', '--reason', 'opted into beta', '--yes']);
    expect(r.code).toBe(0);
    expect(ws.file('tenants.toml')).toBe(before.replace('acme = "stable"', 'acme = "canary"'));
    expect(ws.history().pop()).toMatchObject({ action: 'assign', tenant: 'acme', from: 'stable', to: 'canary', reason: 'opted into beta', gates_checked: ['active-ring'] });

    const d = rings(ws.dir, ['diff', '--json']);
    expect(d.code).toBe(1);
    const files = JSON.parse(d.stdout).files;
    const canary = files.find((f: any) => f.file === 'ring-canary/ring-canary.yaml');
    expect(canary.changed).toContainEqual({ key: 'Ingress autocom-canary/tenants', paths: expect.arrayContaining(['spec.rules[host=acme.canary.acme.io]', 'spec.rules[host=acme.acme.io]']) });
    expect(files.find((f: any) => f.file === 'ring-stable/ring-stable.yaml').changed[0].paths).toContain('spec.rules[host=acme.stable.acme.io]');
  });
  test('refuses an unknown ring and an inactive ring, writing nothing', () => {
    ws.write('tenants.toml', ws.file('tenants.toml').replace('internal-qa = "experimental"', 'internal-qa = "canary"'));
    ws.write('experimental.toml', ws.file('experimental.toml').replace('active = true', 'active = false'));
    const before = ws.file('tenants.toml');
    const unknown = rings(ws.dir, ['assign', 'acme', 'beta', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: unknown ring "beta" (active rings: stable, edge, canary)\n');
    const inactive = rings(ws.dir, ['assign', 'acme', 'experimental', '--yes']);
    expect(inactive.code).toBe(1);
    expect(inactive.stderr).toMatch(/^error: ring "experimental" is inactive \(active = false in .*experimental\.toml\); assign to an active ring: stable, edge, canary\n$/);
    expect(ws.file('tenants.toml')).toBe(before);
  });
  test('a change that would make the registry invalid is refused before writing', () => {
    const before = ws.file('tenants.toml');
    // "docs" is a shared-layer host (docs.acme.io): a tenant of that name would collide.
    const r = rings(ws.dir, ['assign', 'docs', 'edge', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^refused: the change would make the registry invalid; nothing was written\n.*tenants\.docs: expected a tenant whose host docs\.acme\.io is free/);
    expect(ws.file('tenants.toml')).toBe(before);
  });
  test('without a terminal and without --yes it refuses, saying to pass --yes', () => {
    const r = rings(ws.dir, ['assign', 'foo', 'edge']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).pop()).toBe('refused: not a terminal, so no confirmation is possible; pass --yes to apply');
    expect(ws.file('tenants.toml')).toContain('foo = "stable"');
  });
});

describe('safety under concurrency and crashes', () => {
  test('two promotions at once: each succeeds or refuses cleanly, files never corrupt', async () => {
    const ws = workspace({ withoutApproval: true });
    const historyBefore = ws.history().length;
    const [a, b] = await Promise.all([
      ringsAsync(ws.dir, ['promote', 'payments', '--from', 'edge', '--to', 'stable', '--yes']),
      ringsAsync(ws.dir, ['promote', 'shipping-india-post', '--from', 'edge', '--to', 'stable', '--yes']),
    ]);
    for (const r of [a, b]) {
      if (r.code !== 0) expect(r.stderr).toMatch(/^error: another rings command is running \(pid \d+\)/);
    }
    const ok = [a, b].filter((r) => r.code === 0).length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ws.history()).toHaveLength(historyBefore + ok);
    const lock = JSON.parse(ws.file('locks/stable.lock.json'));
    if (a.code === 0) expect(lock.modules.payments.version).toBe('3.2.0');
    if (b.code === 0) expect(lock.modules['shipping-india-post'].version).toBe('1.6.0');
    expect(fs.existsSync(path.join(ws.reg, '.lock'))).toBe(false);
    expect(rings(ws.dir, ['check']).code).toBe(0);
  });
  test('a crash after the edit leaves a journal; the next command completes it first', () => {
    const ws = workspace({ withoutApproval: true });
    const historyBefore = ws.history().length;
    const crashed = rings(ws.dir, ['promote', 'payments', '--from', 'edge', '--to', 'stable', '--yes'], { RINGS_CRASH_AFTER: 'edit' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(JSON.parse(ws.file('locks/stable.lock.json')).modules.payments.version).toBe('3.2.0');
    expect(ws.history()).toHaveLength(historyBefore); // the edit is there, its history line is not yet
    expect(fs.existsSync(path.join(ws.reg, '.pending.json'))).toBe(true);
    expect(fs.existsSync(path.join(ws.reg, '.lock'))).toBe(true); // left by the dead process: stale

    const next = rings(ws.dir, ['assign', 'foo', 'edge', '--yes']);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain('recovered an interrupted command and completed it: promote payments 3.2.0 from edge to stable (was 3.1.0; rollback target 3.1.0; evidence: soaked since 2026-11-05T11:00:00Z)');
    expect(ws.history().slice(historyBefore).map((e) => e.action)).toEqual(['promote', 'assign']);
    expect(fs.existsSync(path.join(ws.reg, '.pending.json'))).toBe(false);
    expect(fs.existsSync(path.join(ws.reg, '.lock'))).toBe(false);
  });
});
