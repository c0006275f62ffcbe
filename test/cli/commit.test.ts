/**
 * `--commit` on assign, promote, rollback and ring add/retire: the conventional message (unit), and end to end in two
 * kinds of git repository — a copy of this project's own tree (its .gitignore lists rings/.lock) and a
 * scratch repository that ignores nothing: one commit of exactly the registry change, its history line
 * and dist/, `done:` printed only once the commit exists; refused (nothing written) on a dirty tree
 * outside rings/ and dist/ or outside a git repository.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutMetricChecks } from '../support/metric-checks';
import { commitMessage } from '../../src/cli/git-commit';
import type { HistoryEntry } from '../../src/operate/history';
import { projectCopy } from '../support/project-copy';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const NOW = '2026-11-23T12:00:00Z';

const base: HistoryEntry = {
  time: NOW, actor: 'Marco Rossi <marco.rossi@acme.io>', action: 'promote', module: 'orders', from: 'canary', to: 'edge',
  previous: '1.5.0', new: '1.6.0', reason: 'canary clean for a week', gates_checked: ['order', 'soak'], gates_waived: [],
};

describe('commitMessage', () => {
  test('promote: subject, reason as body, actor and time as trailers', () => {
    expect(commitMessage(base)).toBe(
      'promote(edge): orders 1.5.0 → 1.6.0\n\ncanary clean for a week\n\nRings-Actor: Marco Rossi <marco.rossi@acme.io>\nRings-Time: 2026-11-23T12:00:00Z\n',
    );
  });
  test('assign, rollback, a new pin, a removal, a waiver, no reason', () => {
    const assign: HistoryEntry = { ...base, action: 'assign', module: undefined, tenant: 'acme', from: 'stable', to: 'canary', previous: null, new: null, reason: null };
    expect(commitMessage(assign).split('\n')[0]).toBe('assign(canary): acme ← stable');
    expect(commitMessage({ ...assign, from: null }).split('\n')[0]).toBe('assign(canary): acme ← (new)');
    expect(commitMessage(assign)).toBe('assign(canary): acme ← stable\n\nRings-Actor: Marco Rossi <marco.rossi@acme.io>\nRings-Time: 2026-11-23T12:00:00Z\n');
    const rollback: HistoryEntry = { ...base, action: 'rollback', from: null, to: 'canary', previous: '1.6.1', new: '1.6.0' };
    expect(commitMessage(rollback).split('\n')[0]).toBe('rollback(canary): orders 1.6.1 → 1.6.0');
    expect(commitMessage({ ...rollback, new: null }).split('\n')[0]).toBe('rollback(canary): orders 1.6.1 → (removed)');
    expect(commitMessage({ ...base, from: null, previous: null, to: 'experimental' }).split('\n')[0]).toBe('promote(experimental): orders (none) → 1.6.0');
    expect(commitMessage({ ...base, gates_waived: ['soak'], reason: 'INC-501' })).toContain('\n\nINC-501\n\nGates waived (--emergency): soak.\n\n');
  });
  test('an image: `image <component> <previous> → <new>`, the platform default when the ring had no pin of its own', () => {
    const image: HistoryEntry = { ...base, module: undefined, image: 'api', previous: 'reg/api:1.0', new: 'reg/api:1.1' };
    expect(commitMessage(image).split('\n')[0]).toBe('promote(edge): image api reg/api:1.0 → reg/api:1.1');
    expect(commitMessage({ ...image, action: 'rollback', previous: 'reg/api:1.1', new: null }).split('\n')[0]).toBe('rollback(edge): image api reg/api:1.1 → (platform default)');
  });
  test('an action without its own subject gets <action>(<ring>)', () => {
    expect(commitMessage({ ...base, action: 'ring-retire' as HistoryEntry['action'] }).split('\n')[0]).toBe('ring-retire(edge)');
  });
});

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function sh(cwd: string, cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RINGS_NOW: NOW, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const git = (cwd: string, ...args: string[]) => sh(cwd, 'git', args).stdout.trim();
const rings = (cwd: string, ...args: string[]) => sh(cwd, process.execPath, [BIN, ...args]);

type RepoKind = 'project' | 'ignores-nothing';

/**
 * 'project': a copy of this project's tracked tree, .gitignore included, committed once.
 * 'ignores-nothing': a scratch repo (no .gitignore) with the example rings/ and a fresh dist/, one commit.
 */
function repo(kind: RepoKind = 'ignores-nothing'): string {
  if (kind === 'project') {
    const dir = projectCopy('rings-commit-project-');
    tmpDirs.push(dir);
    withoutMetricChecks(path.join(dir, 'rings')); // the analysis gate has its own suite (test/analysis/)
    sh(dir, 'git', ['commit', '-qa', '--amend', '--no-edit']);
    return dir;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-commit-'));
  tmpDirs.push(dir);
  fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
  withoutMetricChecks(path.join(dir, 'rings')); // the analysis gate has its own suite (test/analysis/)
  fs.writeFileSync(path.join(dir, 'README.md'), 'platform\n');
  sh(dir, 'git', ['init', '-q', '-b', 'main']);
  sh(dir, 'git', ['config', 'user.name', 'CI Bot']);
  sh(dir, 'git', ['config', 'user.email', 'ci@acme.io']);
  expect(rings(dir, 'synth').code).toBe(0);
  sh(dir, 'git', ['add', '-A']);
  sh(dir, 'git', ['commit', '-qm', 'init']);
  return dir;
}

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const top of ['rings', 'dist']) {
    if (!fs.existsSync(path.join(dir, top))) continue;
    for (const f of fs.readdirSync(path.join(dir, top), { recursive: true }) as string[]) {
      const p = path.join(dir, top, f);
      if (fs.statSync(p).isFile()) out[`${top}/${f}`] = fs.readFileSync(p, 'utf8');
    }
  }
  return out;
}

describe.each<RepoKind>(['project', 'ignores-nothing'])('--commit end to end, in a repository that is %s', (kind) => {
  test('promote --commit: one commit of the lock, the history line and dist/, with the conventional message; done: only after the commit', () => {
    const dir = repo(kind);
    const r = rings(dir, 'promote', 'orders', '--from', 'canary', '--to', 'edge', '--reason', 'canary clean', '--yes', '--commit');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error|hint|not committed/);
    // done: is printed once the commit exists (a refused commit prints none: see the pre-commit hook test)
    expect(r.stdout).toMatch(/^done: promote orders 1\.6\.1 from canary to edge .*\ncommitted [0-9a-f]{12}: promote\(edge\): orders 1\.6\.0 → 1\.6\.1\n$/);
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('2');
    expect(git(dir, 'log', '-1', '--format=%B')).toBe('promote(edge): orders 1.6.0 → 1.6.1\n\ncanary clean\n\nRings-Actor: CI Bot <ci@acme.io>\nRings-Time: 2026-11-23T12:00:00Z');
    expect(git(dir, 'log', '-1', '--format=%(trailers:key=Rings-Actor,valueonly)')).toBe('CI Bot <ci@acme.io>');
    const files = git(dir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort();
    expect(files).toEqual(['dist/ring-edge/ring-edge.yaml', 'rings/history.jsonl', 'rings/locks/edge.lock.json']);
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    // dist/ in the commit is a fresh synth of the committed registry
    expect(rings(dir, 'diff').code).toBe(0);
  });

  test('assign and rollback --commit; RINGS_ACTOR names the actor while git commits as CI', () => {
    const dir = repo(kind);
    const a = sh(dir, 'env', ['RINGS_ACTOR=Priya Raman <priya.raman@acme.io>', process.execPath, BIN, 'assign', 'acme', 'canary', '--reason', 'opted into beta', '--yes', '--commit']);
    expect(a.code).toBe(0);
    expect(git(dir, 'log', '-1', '--format=%s|%an|%(trailers:key=Rings-Actor,valueonly)')).toBe('assign(canary): acme ← stable|CI Bot|Priya Raman <priya.raman@acme.io>');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'rings/history.jsonl'), 'utf8').trim().split('\n').pop()!).actor).toBe('Priya Raman <priya.raman@acme.io>');
    expect(git(dir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['dist/ring-canary/ring-canary.yaml', 'dist/ring-stable/ring-stable.yaml', 'dist/shared/shared.yaml', 'rings/history.jsonl', 'rings/tenants.toml']);
    const rb = rings(dir, 'rollback', 'orders', '--ring', 'canary', '--reason', 'INC-482', '--yes', '--commit', '--json');
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout).commit.subject).toBe('rollback(canary): orders 1.6.1 → 1.6.0');
    expect(git(dir, 'log', '--format=%s', '-3').split('\n')).toEqual(['rollback(canary): orders 1.6.1 → 1.6.0', 'assign(canary): acme ← stable', 'init']);
    expect(git(dir, 'ls-files', 'rings/.lock')).toBe('');
  });

  test('ring add and ring retire --commit: the ring file, lock, history and every dist/ file they change (a retired ring\'s folder deleted), one commit each', () => {
    const dir = repo(kind);
    const add = rings(dir, 'ring', 'add', 'beta', '--after', 'experimental', '--soak', '12h', '--reason', 'a beta ring', '--yes', '--commit');
    expect(add.code).toBe(0);
    expect(add.stderr).not.toMatch(/error|hint|not committed/);
    expect(add.stdout).toMatch(/\ncommitted [0-9a-f]{12}: ring-add\(beta\)\n$/);
    const added = git(dir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort();
    expect(added).toEqual(expect.arrayContaining(['dist/ring-beta/kustomization.yaml', 'dist/ring-beta/ring-beta.yaml', 'rings/beta.toml', 'rings/history.jsonl', 'rings/locks/beta.lock.json']));
    const retire = rings(dir, 'ring', 'retire', 'beta', '--reason', 'beta over', '--yes', '--commit');
    expect(retire.code).toBe(0);
    expect(retire.stderr).not.toMatch(/error|hint|not committed/);
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('ring-retire(beta)');
    const retired = git(dir, 'show', '--name-status', '--format=', 'HEAD').split('\n');
    expect(retired).toEqual(expect.arrayContaining(['D\tdist/ring-beta/ring-beta.yaml', 'D\tdist/ring-beta/kustomization.yaml', 'D\trings/beta.toml', 'D\trings/locks/beta.lock.json']));
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(rings(dir, 'diff').code).toBe(0);
  });

  test("in a tree with the project's .gitignore (which ignores rings/.lock, present while the command runs): committed, the lock not", () => {
    const dir = repo();
    fs.copyFileSync(path.join(ROOT, '.gitignore'), path.join(dir, '.gitignore'));
    sh(dir, 'git', ['add', '.gitignore']);
    sh(dir, 'git', ['commit', '-qm', 'ignore']);
    const r = rings(dir, 'promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--commit');
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('promote(edge): orders 1.6.0 → 1.6.1');
    expect(git(dir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['dist/ring-edge/ring-edge.yaml', 'rings/history.jsonl', 'rings/locks/edge.lock.json']);
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  test('refused on a dirty tree outside rings/ and dist/: nothing written, no commit', () => {
    const dir = repo(kind);
    fs.appendFileSync(path.join(dir, 'README.md'), 'local edit\n');
    const before = snapshotTree(dir);
    const r = rings(dir, 'promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--commit');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('refused: --commit commits only rings/ and dist/, but the tree has other uncommitted changes (README.md); commit or stash them first; nothing was written\n');
    expect(snapshotTree(dir)).toEqual(before);
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
    // uncommitted changes inside rings/ are allowed (and go into the commit)
    sh(dir, 'git', ['checkout', 'README.md']);
    fs.appendFileSync(path.join(dir, 'rings/tenants.toml'), '# note\n');
    expect(rings(dir, 'promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--commit').code).toBe(0);
    expect(git(dir, 'show', '--name-only', '--format=', 'HEAD')).toContain('rings/tenants.toml');
  });

  test('refused outside a git work tree, and without a git identity; --dist needs --commit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-nogit-'));
    tmpDirs.push(dir);
    fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
    const before = snapshotTree(dir);
    const r = rings(dir, 'assign', 'acme', 'canary', '--yes', '--commit');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('refused: --commit needs the registry in a git work tree, and rings is not in one; nothing was written\n');
    expect(snapshotTree(dir)).toEqual(before);

    sh(dir, 'git', ['init', '-q']);
    sh(dir, 'git', ['config', 'user.useConfigOnly', 'true']);
    const noId = spawnSync(process.execPath, [BIN, 'assign', 'acme', 'canary', '--yes', '--commit'], {
      cwd: dir, encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', EMAIL: '', NO_COLOR: '1' },
    });
    expect(noId.stderr).toBe('refused: --commit needs a git identity (git config user.name and user.email); nothing was written\n');
    expect(noId.status).toBe(1);

    const usage = rings(dir, 'assign', 'acme', 'canary', '--yes', '--dist', 'out');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--dist is only used with --commit');
  });

  test('a commit git refuses (a pre-commit hook): exit 1, no done: line, the change stays written and the error says so', () => {
    const dir = repo(kind);
    fs.writeFileSync(path.join(dir, '.git/hooks/pre-commit'), '#!/bin/sh\necho "policy: no commits today" >&2\nexit 1\n', { mode: 0o755 });
    const r = rings(dir, 'promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--commit');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/done/);
    expect(r.stderr).toMatch(/^error: the change is written and recorded in the history, but not committed: git commit: policy: no commits today; run rings synth, then commit rings\/ and dist\/ yourself$/m);
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(fs.readFileSync(path.join(dir, 'rings/history.jsonl'), 'utf8')).toMatch(/"action":"promote"/);
  });

  test('nothing to do: no commit', () => {
    const dir = repo(kind);
    const r = rings(dir, 'assign', 'acme', 'stable', '--yes', '--commit');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('acme is already on stable; nothing changed\n');
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
  });
});
