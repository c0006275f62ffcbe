/**
 * Release trains end to end through the built CLI, in a temporary copy of the project tree (rings/,
 * dist/ and the .gitignore): `rings promote --all --from R1 --to R2` as one unit through every gate,
 * nothing written on any refusal (the registry byte-identical) with one line per refused item,
 * --emergency, --dry-run --diff, --json, --commit (one commit), a crash mid-transaction recovered
 * whole, and `rings rollback --train ID` restoring every item byte for byte.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutMetricChecks } from '../support/metric-checks';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
/** ai 2.4.0 arrived in canary at 2026-11-23T02:00:00Z; canary's soak is 24h: the whole canary → edge train passes from 02:00 on. */
const NOW = '2026-11-24T03:00:00Z';
const TRAIN = 'canary-edge-20261124T030000Z';
const API_CANARY = 'registry.gitlab.com/autocommerce/main/api-octane:2026.12.0@sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606';
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

function sh(cwd: string, cmd: string, args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, RINGS_NOW: NOW, NO_COLOR: '1', RINGS_ACTOR: 'Priya Raman <priya.raman@acme.io>', ...GIT_ENV, ...extra };
  if (!extra.RINGS_CRASH_AFTER) delete env.RINGS_CRASH_AFTER;
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A copy of the project tree: rings/, dist/, .gitignore; with `git`, a repository with one commit.
 * Canary's metric checks are taken out unless `metrics` (the analysis gate has its own suite,
 * test/analysis/; one test here shows it applies to every item of a train).
 */
function workspace(opts: { git?: boolean; metrics?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-train-'));
  tmpDirs.push(dir);
  for (const f of ['rings', 'dist', '.gitignore']) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  if (!opts.metrics) withoutMetricChecks(path.join(dir, 'rings'));
  if (opts.git) {
    sh(dir, 'git', ['init', '-q', '-b', 'main']);
    sh(dir, 'git', ['config', 'user.name', 'CI Bot']);
    sh(dir, 'git', ['config', 'user.email', 'ci@acme.io']);
    sh(dir, 'git', ['add', '-A']);
    sh(dir, 'git', ['commit', '-qm', 'init']);
  }
  const reg = path.join(dir, 'rings');
  const file = (rel: string) => fs.readFileSync(path.join(reg, rel), 'utf8');
  const snapshot = () => {
    const out: Record<string, string> = {};
    for (const f of fs.readdirSync(reg, { recursive: true }) as string[]) if (fs.statSync(path.join(reg, f)).isFile()) out[f] = file(f);
    return out;
  };
  return {
    dir,
    file,
    snapshot,
    write: (rel: string, s: string) => fs.writeFileSync(path.join(reg, rel), s),
    history: () => file('history.jsonl').trim().split('\n').map((l) => JSON.parse(l)),
    rings: (args: string[], extra: Record<string, string> = {}) => sh(dir, process.execPath, [BIN, ...args], extra),
    git: (...args: string[]) => sh(dir, 'git', args).stdout.trim(),
  };
}

const TRAIN_ARGS = ['promote', '--all', '--from', 'canary', '--to', 'edge'];

describe('rings promote --all (a release train)', () => {
  test('promotes every differing module pin and ring image as one unit: one history line each, sharing the train id', () => {
    const ws = workspace();
    const before = ws.snapshot();
    const r = ws.rings([...TRAIN_ARGS, '--reason', 'canary clean', '--yes']);
    expect(r.stderr).toContain(`train ${TRAIN}: 5 changes from canary to edge, promoted as one unit`);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`done: promote train ${TRAIN}: 5 changes from canary to edge; recorded 5 lines in rings/history.jsonl`);
    const lines = ws.history().slice(-5);
    expect(lines.map((e) => [e.module ?? `image:${e.image}`, e.previous, e.new, e.train])).toEqual([
      ['ai', '2.3.1', '2.4.0', TRAIN],
      ['orders', '1.6.0', '1.6.1', TRAIN],
      ['wms', '1.8.0', '1.9.0-rc.1', TRAIN],
      ['workflows', '1.6.0', '1.7.0', TRAIN],
      ['image:api', expect.stringContaining('2026.11.3'), API_CANARY, TRAIN],
    ]);
    for (const e of lines) expect(e).toMatchObject({ time: NOW, actor: 'Priya Raman <priya.raman@acme.io>', action: 'promote', from: 'canary', to: 'edge', reason: 'canary clean', gates_checked: ['order', 'soak'], gates_waived: [] });
    expect(lines[1]).toMatchObject({ rollback_target: '1.6.0', new_sha256: '8ddb4507907498a9c9626a81deb49ba038404b0c9f6867fecfee390a465a5444', evidence: [{ gate: 'soak', arrived: '2026-11-20T10:00:00Z' }] });
    // Only the destination changed: four entries of its lock, one line of its ring file, the history.
    const after = ws.snapshot();
    expect(Object.keys(after).filter((f) => after[f] !== before[f]).sort()).toEqual(['edge.toml', 'history.jsonl', 'locks/edge.lock.json']);
    const canary = JSON.parse(ws.file('locks/canary.lock.json')).modules;
    expect(JSON.parse(ws.file('locks/edge.lock.json')).modules).toEqual(canary);
    const changed = (a: string, b: string) => b.split('\n').filter((l, i) => l !== a.split('\n')[i]);
    expect(changed(before['edge.toml'], after['edge.toml'])).toEqual([`api = "${API_CANARY}"`]);
    expect(changed(before['locks/edge.lock.json'], after['locks/edge.lock.json'])).toHaveLength(8);
    // Nothing left to carry: a second train is a no-op.
    const again = ws.rings([...TRAIN_ARGS, '--yes']);
    expect(again).toMatchObject({ code: 0, stdout: 'edge already runs every module version and image canary runs; nothing to promote\n' });
    expect(ws.rings(['history', '--train', TRAIN]).stdout.trim().split('\n')).toHaveLength(5);
    expect(ws.rings(['check']).code).toBe(0);
  });

  test('a refused item refuses the train: nothing written (byte-identical registry), one line per refused item, every refusing gate named', () => {
    const ws = workspace();
    // canary now requires verified evidence, which no item has; ai 2.4.0 has also not soaked at 2026-11-23T12:00.
    ws.write('canary.toml', ws.file('canary.toml').replace('soak = "24h"', 'soak = "24h"\nrequire_verified = true'));
    const before = ws.snapshot();
    const r = ws.rings([...TRAIN_ARGS, '--yes'], { RINGS_NOW: '2026-11-23T12:00:00Z' });
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('refused: 5 of the 5 changes of the train canary → edge cannot be made, so none is; nothing was written');
    expect(lines.slice(1).map((l) => l.replace(/: refused by the (\w+) gate: .*?(; also refused by the (.*))?$/, ': $1 $3'))).toEqual([
      '  ai 2.4.0: soak verified gate',
      '  orders 1.6.1: verified ',
      '  wms 1.9.0-rc.1: verified ',
      '  workflows 1.7.0: verified ',
      '  image api: verified ',
    ]);
    expect(lines[1]).toMatch(/^ {2}ai 2\.4\.0: refused by the soak gate: ai 2\.4\.0 has run in canary for 10h since 2026-11-23T02:00:00Z; canary needs 24h: promotable after 2026-11-24T02:00:00Z, or pass --emergency --reason TEXT; also refused by the verified gate$/);
    expect(lines[2]).toContain('refused by the verified gate: no verify of canary recorded since 2026-11-21T10:00:00Z; run rings verify --ring canary --record');
    expect(ws.snapshot()).toEqual(before);
    // --json: the same, one problem per refused item, each naming its gate
    const j = JSON.parse(ws.rings([...TRAIN_ARGS, '--yes', '--json'], { RINGS_NOW: '2026-11-23T12:00:00Z' }).stdout);
    expect(j).toMatchObject({ ok: false, error: 'refused' });
    expect(j.problems.map((p: { gate?: string }) => p.gate)).toEqual([undefined, 'soak', 'verified', 'verified', 'verified', 'verified']);
    expect(ws.snapshot()).toEqual(before);
  });

  test('the analysis gate (canary declares metric checks) applies to every item: none was measured, so each is refused by it', () => {
    const ws = workspace({ metrics: true });
    const before = ws.snapshot();
    const r = ws.rings([...TRAIN_ARGS, '--yes']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('refused: 5 of the 5 changes of the train canary → edge cannot be made, so none is; nothing was written');
    expect(lines.slice(1).map((l) => /^ {2}(.+?): refused by the (\w+) gate: /.exec(l)?.slice(1).join(' '))).toEqual(['ai 2.4.0 analysis', 'orders 1.6.1 analysis', 'wms 1.9.0-rc.1 analysis', 'workflows 1.7.0 analysis', 'image api analysis']);
    expect(lines[2]).toContain('run rings verify --ring canary --metrics --record now');
    expect(ws.snapshot()).toEqual(before);
  });

  test('one refused item among passing ones: still nothing written; the dry run refuses the same way', () => {
    const ws = workspace();
    const before = ws.snapshot();
    const r = ws.rings([...TRAIN_ARGS, '--yes'], { RINGS_NOW: '2026-11-23T12:00:00Z' });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'refused: 1 of the 5 changes of the train canary → edge cannot be made, so none is; nothing was written',
      '  ai 2.4.0: refused by the soak gate: ai 2.4.0 has run in canary for 10h since 2026-11-23T02:00:00Z; canary needs 24h: promotable after 2026-11-24T02:00:00Z, or pass --emergency --reason TEXT',
    ]);
    expect(ws.rings([...TRAIN_ARGS, '--dry-run'], { RINGS_NOW: '2026-11-23T12:00:00Z' })).toMatchObject({ code: 1, stderr: r.stderr });
    expect(ws.snapshot()).toEqual(before);
    // the order gate applies to every item: a train may not skip a ring
    const skip = ws.rings(['promote', '--all', '--from', 'canary', '--to', 'stable', '--yes']);
    expect(skip.code).toBe(1);
    expect(skip.stderr.split('\n').filter((l) => l.includes('refused by the order gate: canary → stable skips edge'))).toHaveLength(7);
    expect(ws.snapshot()).toEqual(before);
  });

  test('--emergency --reason waives the refusing gates of each item, recorded per item', () => {
    const ws = workspace();
    const r = ws.rings([...TRAIN_ARGS, '--emergency', '--reason', 'INC-7: ship the fix', '--yes', '--json'], { RINGS_NOW: '2026-11-23T12:00:00Z' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ changed: true, train: 'canary-edge-20261123T120000Z' });
    expect(out.entries.map((e: { gates_waived: string[] }) => e.gates_waived)).toEqual([['soak'], [], [], [], []]);
    expect(out.entries[0].evidence).toEqual([{ gate: 'soak', waived: true }]);
    expect(ws.history().slice(-5).map((e) => e.train)).toEqual(Array(5).fill('canary-edge-20261123T120000Z'));
    expect(ws.rings([...TRAIN_ARGS, '--emergency', '--yes']).code).toBe(2);
  });

  test('--dry-run --diff shows the whole train and its effect on dist/, writes nothing', () => {
    const ws = workspace();
    const before = ws.snapshot();
    const r = ws.rings([...TRAIN_ARGS, '--dry-run', '--diff']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('dry run: nothing was written\n');
    for (const m of ['ai 2.3.1 → 2.4.0', 'orders 1.6.0 → 1.6.1', 'wms 1.8.0 → 1.9.0-rc.1', 'workflows 1.6.0 → 1.7.0']) expect(out).toContain(`rings/locks/edge.lock.json: ${m}`);
    expect(out).toContain(`rings/edge.toml: [images] api `);
    expect(out).toContain(`would record (promote train ${TRAIN}: 5 changes from canary to edge):\n`);
    expect(out.split('\n').filter((l) => l.endsWith(`[train ${TRAIN}]`))).toHaveLength(5);
    expect(out).toMatch(/^ring-edge\/ring-edge\.yaml\n {2}\+ ConfigMap autocom-edge\/module-lock-[0-9a-f]{10}$/m);
    expect(out).toMatch(/~ Deployment autocom-edge\/api: .*containers\[name=api\]\.image/);
    expect(out).not.toMatch(/^ring-(stable|canary|experimental)\//m);
    const j = JSON.parse(ws.rings([...TRAIN_ARGS, '--dry-run', '--json']).stdout);
    expect(j).toMatchObject({ dryRun: true, changed: true, train: TRAIN, files: ['rings/locks/edge.lock.json', 'rings/edge.toml'] });
    expect(j.entries).toHaveLength(5);
    expect(ws.snapshot()).toEqual(before);
  });

  test('usage: --all takes no module and no --with-version; needs --from', () => {
    const ws = workspace();
    expect(ws.rings(['promote', 'orders', '--all', '--from', 'canary', '--to', 'edge']).stderr).toContain('--all promotes everything --from runs ahead of --to; drop "orders"');
    expect(ws.rings(['promote', '--all', '--with-version', '1.0.0', '--to', 'experimental']).stderr).toContain('--with-version pins a new version into the entry ring');
    expect(ws.rings(['promote', '--all', '--to', 'edge']).stderr).toContain('--all needs --from <ring>');
    expect(ws.rings(['promote', '--from', 'canary', '--to', 'edge']).stderr).toContain('missing <module> (or --all for a release train)');
    expect(ws.rings(['promote', '--all', '--from', 'nowhere', '--to', 'edge', '--yes']).stderr).toContain('unknown ring "nowhere"');
  });

  test('--commit: one commit of the whole train, `promote(edge): 5 changes from canary`, one body line per change', () => {
    const ws = workspace({ git: true });
    const r = ws.rings([...TRAIN_ARGS, '--reason', 'canary clean', '--yes', '--commit']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^committed [0-9a-f]{12}: promote\(edge\): 5 changes from canary$/m);
    expect(ws.git('rev-list', '--count', 'HEAD')).toBe('2');
    expect(ws.git('log', '-1', '--format=%B')).toBe(
      [
        'promote(edge): 5 changes from canary',
        '',
        'ai 2.3.1 → 2.4.0',
        'orders 1.6.0 → 1.6.1',
        'wms 1.8.0 → 1.9.0-rc.1',
        'workflows 1.6.0 → 1.7.0',
        `image api registry.gitlab.com/autocommerce/main/api-octane:2026.11.3@sha256:cc607d99d2432b28f5e74c481b2a84a88258a101cc69709630b2f57cb0fe7d4f → ${API_CANARY}`,
        '',
        'canary clean',
        '',
        'Rings-Actor: Priya Raman <priya.raman@acme.io>',
        `Rings-Time: ${NOW}`,
        `Rings-Train: ${TRAIN}`,
      ].join('\n'),
    );
    expect(ws.git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['dist/ring-edge/ring-edge.yaml', 'rings/edge.toml', 'rings/history.jsonl', 'rings/locks/edge.lock.json']);
    expect(ws.git('status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(ws.rings(['diff']).code).toBe(0);
    // and its rollback, as one commit too
    const back = ws.rings(['rollback', '--train', TRAIN, '--reason', 'INC-9', '--yes', '--commit'], { RINGS_NOW: '2026-11-24T04:00:00Z' });
    expect(back.code).toBe(0);
    expect(ws.git('log', '-1', '--format=%B').split('\n').slice(0, 3)).toEqual([`rollback(edge): 5 changes of train ${TRAIN}`, '', 'ai 2.4.0 → 2.3.1']);
    expect(ws.git('log', '-1', '--format=%(trailers:key=Rings-Rolls-Back,valueonly)')).toBe(TRAIN);
    // the registry is back byte for byte (dist/ keeps the train's lock ConfigMap for pods still reading it, by design)
    expect(ws.git('diff', 'HEAD~2', '--stat', '--', 'rings/locks', 'rings/edge.toml')).toBe('');
    expect(ws.git('status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(ws.rings(['diff']).code).toBe(0);
  });

  for (const step of ['journal', 'edit', 'history'] as const) {
    test(`a crash after "${step}" leaves a journal that recovery completes whole: every file and all 5 lines, once`, () => {
      const clean = workspace();
      expect(clean.rings([...TRAIN_ARGS, '--yes']).code).toBe(0);
      const ws = workspace();
      const crashed = ws.rings([...TRAIN_ARGS, '--yes'], { RINGS_CRASH_AFTER: step });
      expect(crashed.signal).toBe('SIGKILL');
      expect(fs.existsSync(path.join(ws.dir, 'rings/.pending.json'))).toBe(true);
      const refusal = ws.rings(['check']);
      expect(refusal.code).toBe(1);
      expect(refusal.stderr).toContain(`an interrupted \`rings promote --all\` (train ${TRAIN}, 5 changes, ring edge) left its journal`);
      const rec = ws.rings(['recover']);
      expect(rec.code).toBe(0);
      expect(rec.stdout).toMatch(new RegExp(`^recovered: completed train ${TRAIN} \\(5 changes\\): promote ai 2\\.4\\.0 from canary to edge`));
      expect(ws.snapshot()).toEqual(clean.snapshot());
      expect(ws.rings(['recover']).stdout).toBe('nothing to recover\n');
    });
  }
});

describe('rings rollback --train', () => {
  test('restores every item of the train in its ring, byte for byte, as one unit; its lines share a new id and name the train they undo', () => {
    const ws = workspace();
    const before = ws.snapshot();
    expect(ws.rings([...TRAIN_ARGS, '--yes']).code).toBe(0);
    const r = ws.rings(['rollback', '--train', TRAIN, '--reason', 'INC-9: totals wrong', '--yes', '--json'], { RINGS_NOW: '2026-11-24T04:00:00Z' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.train).toBe('rollback-edge-20261124T040000Z');
    expect(out.entries.map((e: { action: string; module?: string; image?: string; new: string; rolls_back: string; train: string }) => [e.action, e.module ?? e.image, e.new, e.train, e.rolls_back])).toEqual([
      ['rollback', 'ai', '2.3.1', out.train, TRAIN],
      ['rollback', 'orders', '1.6.0', out.train, TRAIN],
      ['rollback', 'wms', '1.8.0', out.train, TRAIN],
      ['rollback', 'workflows', '1.6.0', out.train, TRAIN],
      ['rollback', 'api', expect.stringContaining('2026.11.3'), out.train, TRAIN],
    ]);
    const after = ws.snapshot();
    for (const f of Object.keys(before)) if (f !== 'history.jsonl') expect(after[f]).toBe(before[f]);
    expect(ws.rings(['history', '--train', TRAIN]).stdout.trim().split('\n')).toHaveLength(10);
    // twice: refused, naming the rollback; a rollback train is not rolled back; an unknown id names the latest trains
    const again = ws.rings(['rollback', '--train', TRAIN, '--yes']);
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toMatch(new RegExp(`^refused: train ${TRAIN} was already rolled back by train rollback-edge-20261124T040000Z \\(2026-11-24T04:00:00Z by Priya Raman <priya.raman@acme.io>\\); nothing to do\\n$`));
    expect(ws.rings(['rollback', '--train', out.train, '--yes']).stderr).toBe(`refused: train ${out.train} is a rollback (of train ${TRAIN}); to run those versions again, promote them (rings promote --all …)\n`);
    expect(ws.rings(['rollback', '--train', 'nope', '--yes']).stderr).toBe(`refused: history has no train "nope" (latest trains: ${TRAIN})\n`);
    expect(ws.rings(['rollback', '--train', TRAIN, '--ring', 'canary', '--yes']).stderr).toBe(`refused: train ${TRAIN} promoted into edge, not canary\n`);
  });

  test('refused, nothing written, when an item has been rolled back or promoted again since: one line per such item', () => {
    const ws = workspace();
    expect(ws.rings([...TRAIN_ARGS, '--yes']).code).toBe(0);
    expect(ws.rings(['rollback', 'orders', '--ring', 'edge', '--yes'], { RINGS_NOW: '2026-11-24T03:30:00Z' }).code).toBe(0);
    expect(ws.rings(['promote', 'wms', '--with-version', '1.9.0', '--sha256', 'e'.repeat(64), '--to', 'edge', '--emergency', '--reason', 'hotfix', '--yes'], { RINGS_NOW: '2026-11-24T03:40:00Z' }).code).toBe(0);
    const before = ws.snapshot();
    const r = ws.rings(['rollback', '--train', TRAIN, '--yes'], { RINGS_NOW: '2026-11-24T04:00:00Z' });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `refused: 2 of the 5 changes of train ${TRAIN} cannot be made, so none is; nothing was written`,
      '  orders 1.6.1: refused: already rolled back (history shows no promotion of this train left to undo for orders in edge)',
      '  wms 1.9.0-rc.1: refused: edge has had wms promoted again since (2026-11-24T03:40:00Z, 1.9.0); roll that back first',
    ]);
    expect(ws.snapshot()).toEqual(before);
  });

  test('usage: --train takes no module', () => {
    const ws = workspace();
    expect(ws.rings(['rollback', 'orders', '--train', TRAIN]).stderr).toContain('--train rolls back every item of the train; drop "orders"');
    expect(ws.rings(['rollback', '--ring', 'edge']).stderr).toContain('missing <module> (or --train <id>)');
  });
});
