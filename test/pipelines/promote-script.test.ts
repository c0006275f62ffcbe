/**
 * End to end: the promotion job's script (examples/ci/promote.sh, what the GitLab and GitHub jobs
 * run) in a temporary git repository with a bare remote: one commit with the expected message and
 * files, pushed; a refused gate, or an emergency without a reason, leaves the remote untouched.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutMetricChecks } from '../support/metric-checks';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'examples/ci/promote.sh');
const NOW = '2026-11-23T12:00:00Z';

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'build/src/cli/run.js'))) throw new Error('build first: npm run build (npm test does it)');
});

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

function run(cwd: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1', ...GIT_ENV, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
const git = (cwd: string, ...args: string[]) => run(cwd, 'git', args).out.trim();

/** work/ (a clone with rings/, dist/ and the script, committed and pushed) and remote.git (bare). */
function project(): { work: string; remote: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-pipeline-'));
  tmpDirs.push(dir);
  const remote = path.join(dir, 'remote.git');
  const work = path.join(dir, 'work');
  run(dir, 'git', ['init', '-q', '--bare', remote]);
  run(dir, 'git', ['init', '-q', '-b', 'main', work]);
  fs.cpSync(path.join(ROOT, 'rings'), path.join(work, 'rings'), { recursive: true });
  withoutMetricChecks(path.join(work, 'rings')); // the analysis gate has its own suite (test/analysis/)
  fs.mkdirSync(path.join(work, 'examples/ci'), { recursive: true });
  fs.copyFileSync(SCRIPT, path.join(work, 'examples/ci/promote.sh'));
  expect(run(work, process.execPath, [path.join(ROOT, 'bin/rings.js'), 'synth']).code).toBe(0);
  run(work, 'git', ['config', 'user.name', 'ring-promote']);
  run(work, 'git', ['config', 'user.email', 'ring-promote@ci.acme.io']);
  run(work, 'git', ['add', '-A']);
  run(work, 'git', ['commit', '-qm', 'initial registry']);
  run(work, 'git', ['remote', 'add', 'origin', remote]);
  run(work, 'git', ['push', '-q', 'origin', 'main']);
  return { work, remote };
}

function promoteJob(work: string, vars: Record<string, string>) {
  return run(work, 'bash', ['examples/ci/promote.sh'], {
    RINGS: `${process.execPath} ${path.join(ROOT, 'bin/rings.js')}`,
    RINGS_NOW: NOW,
    PUSH_BRANCH: 'main',
    RINGS_ACTOR: 'Priya Raman <priya.raman@acme.io>',
    ...vars,
  });
}

test('a promotion that passes its gates: one commit, expected message and files, pushed', () => {
  const { work, remote } = project();
  const before = git(remote, 'rev-parse', 'main');
  const r = promoteJob(work, { PROMOTE_ALIAS: 'orders', PROMOTE_FROM: 'canary', PROMOTE_TO: 'edge', PROMOTE_REASON: 'canary clean for a day' });
  expect(r.out).toContain('committed ');
  expect(r.code).toBe(0);
  expect(git(remote, 'rev-list', '--count', `${before}..main`)).toBe('1');
  expect(git(remote, 'rev-parse', 'main')).toBe(git(work, 'rev-parse', 'HEAD'));
  expect(git(remote, 'log', '-1', '--format=%B', 'main')).toBe(
    'promote(edge): orders 1.6.0 → 1.6.1\n\ncanary clean for a day\n\nRings-Actor: Priya Raman <priya.raman@acme.io>\nRings-Time: 2026-11-23T12:00:00Z',
  );
  expect(git(remote, 'log', '-1', '--format=%an <%ae>', 'main')).toBe('ring-promote <ring-promote@ci.acme.io>');
  expect(git(remote, 'show', '--name-only', '--format=', 'main').split('\n').sort()).toEqual(['dist/ring-edge/ring-edge.yaml', 'rings/history.jsonl', 'rings/locks/edge.lock.json']);
  expect(JSON.parse(git(remote, 'show', 'main:rings/locks/edge.lock.json')).modules.orders.version).toBe('1.6.1');
  expect(git(work, 'status', '--porcelain')).toBe('');
});

test('a refused gate leaves the remote (and the work tree) untouched', () => {
  const { work, remote } = project();
  const before = git(remote, 'rev-parse', 'main');
  const r = promoteJob(work, { PROMOTE_ALIAS: 'orders', PROMOTE_FROM: 'experimental', PROMOTE_TO: 'edge' });
  expect(r.code).toBe(1);
  expect(r.out).toContain('refused by the order gate');
  expect(r.out).not.toContain('== push');
  expect(git(remote, 'rev-parse', 'main')).toBe(before);
  expect(git(work, 'rev-parse', 'HEAD')).toBe(before);
  expect(git(work, 'status', '--porcelain')).toBe('');
});

test('--emergency only with a reason; with one it passes the gate and records the waiver', () => {
  const { work, remote } = project();
  const before = git(remote, 'rev-parse', 'main');
  const vars = { PROMOTE_ALIAS: 'orders', PROMOTE_FROM: 'experimental', PROMOTE_TO: 'edge', PROMOTE_EMERGENCY: 'true' };
  const noReason = promoteJob(work, vars);
  expect(noReason.code).toBe(1);
  expect(noReason.out).toBe('ring-promote: PROMOTE_EMERGENCY=true needs PROMOTE_REASON (the waiver is recorded)\n');
  expect(git(remote, 'rev-parse', 'main')).toBe(before);

  const withReason = promoteJob(work, { ...vars, PROMOTE_REASON: 'INC-501: totals wrong on edge' });
  expect(withReason.code).toBe(0);
  expect(git(remote, 'log', '-1', '--format=%B', 'main')).toContain('\n\nINC-501: totals wrong on edge\n\nGates waived (--emergency): order.\n\n');
});

test('missing or contradictory inputs fail before anything runs', () => {
  const { work } = project();
  expect(promoteJob(work, { PROMOTE_TO: 'edge', PROMOTE_FROM: 'canary' }).out).toContain('PROMOTE_ALIAS is empty');
  expect(promoteJob(work, { PROMOTE_ALIAS: 'orders', PROMOTE_TO: 'edge' }).out).toContain('set PROMOTE_FROM (promote from that ring) or PROMOTE_VERSION');
  expect(promoteJob(work, { PROMOTE_ALIAS: 'orders', PROMOTE_TO: 'edge', PROMOTE_FROM: 'canary', PROMOTE_VERSION: '1.7.0' }).out).toContain('not both');
  expect(promoteJob(work, { PROMOTE_ALIAS: 'orders', PROMOTE_TO: 'edge', PROMOTE_FROM: 'canary', PROMOTE_EMERGENCY: 'yes' }).code).toBe(1);
});
