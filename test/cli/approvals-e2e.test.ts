/**
 * Signed approvals end to end: the built CLI in temporary git repositories made from a copy of the
 * project's tree (rings/, dist/ and its .gitignore), with SSH keys made by ssh-keygen here — two
 * approvers (alice, bob) and one outsider (mallory). git verifies every signature (`%G?` against
 * rings/approvers as committed before the approval); the tests check each refusal of the approval
 * gate, one line naming what is missing, and the approvals that pass. The signed commits the forgery
 * tests make are made with git itself (`git commit -S`, `git hash-object`), not with our code.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutMetricChecks } from '../support/metric-checks';
import { projectCopy } from '../support/project-copy';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const NOW = '2026-11-23T12:00:00Z';
const PEOPLE = ['alice', 'bob', 'mallory', 'carol'] as const;
type Who = (typeof PEOPLE)[number];

const tmp: string[] = [];
let keys: string;
const key = (who: Who) => path.join(keys, who);
const pub = (who: Who) => fs.readFileSync(`${key(who)}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
const email = (who: Who) => `${who}@example.test`;
const actor = (who: Who) => `${who[0].toUpperCase()}${who.slice(1)} <${email(who)}>`;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'build/src/cli/run.js'))) throw new Error('build first: npm run build (npm test does it)');
  keys = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-keys-'));
  tmp.push(keys);
  for (const who of PEOPLE) {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', email(who), '-f', key(who)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  }
});
afterAll(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** git and the CLI with no user or system config; `signer` configures SSH signing for this one call. */
function env(extra: { now?: string; actor?: Who; signer?: Who } = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', RINGS_NOW: extra.now ?? NOW, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  delete e.RINGS_ACTOR;
  delete e.RINGS_CRASH_AFTER;
  if (extra.actor) e.RINGS_ACTOR = actor(extra.actor);
  if (extra.signer) Object.assign(e, { GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'gpg.format', GIT_CONFIG_VALUE_0: 'ssh', GIT_CONFIG_KEY_1: 'user.signingkey', GIT_CONFIG_VALUE_1: key(extra.signer) });
  return e;
}

function sh(cwd: string, cmd: string, args: string[], e: NodeJS.ProcessEnv = env(), input?: string): Run {
  const r = spawnSync(cmd, args, { cwd, env: e, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const git = (cwd: string, ...args: string[]) => {
  const r = sh(cwd, 'git', args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const rings = (cwd: string, args: string[], extra: { now?: string; actor?: Who; signer?: Who } = {}) => sh(cwd, process.execPath, [BIN, ...args], env(extra));
const lines = (s: string) => s.split('\n').filter(Boolean);

/** `bob approves …` through the CLI: signed with bob's key, bob as the actor. */
const approveAs = (dir: string, who: Who, args: string[], now?: string) => rings(dir, ['approve', ...args, '--yes'], { actor: who, signer: who, now });
/** `alice promotes …` (actor alice, no signing configured). */
const promoteAs = (dir: string, who: Who, args: string[], extra: { now?: string; signer?: Who } = {}) => rings(dir, ['promote', ...args], { actor: who, ...extra });

/** A signed (or unsigned) commit made with git itself, carrying `message`. */
function commitAs(dir: string, who: Who | null, message: string, files: Record<string, string> = {}): string {
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), t);
  if (Object.keys(files).length) git(dir, 'add', '--', ...Object.keys(files));
  const args = who ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key(who)}`, 'commit', '-q', '-S', '--allow-empty', '-F', '-'] : ['commit', '-q', '--allow-empty', '-F', '-'];
  const r = sh(dir, 'git', args, env(), message);
  if (r.code !== 0) throw new Error(r.stderr);
  return git(dir, 'rev-parse', 'HEAD');
}

/** The message `rings approve … --dry-run` shows it would sign (as `who`): what a forger would copy. */
function messageOf(dir: string, who: Who, args: string[]): string {
  const dry = rings(dir, ['approve', ...args, '--dry-run'], { actor: who, signer: who });
  expect(dry.code).toBe(0);
  return dry.stdout.split('\n').filter((l) => l.startsWith('  | ')).map((l) => l.slice(4)).join('\n') + '\n';
}

const approversFile = (...who: Who[]) => who.map((w) => `${email(w)} namespaces="git" ${pub(w)}`).join('\n') + '\n';

/**
 * A git repository made from a copy of the project's tree (every tracked file, its .gitignore
 * included; test/support/project-copy.ts), then rings/approvers (alice and bob) as its own commit:
 * the file's first version, the trust root.
 */
function repo(opts: { approvers?: Who[] } = {}): { dir: string; file: (rel: string) => string; write: (rel: string, s: string) => void; history: () => any[]; head: () => string } {
  const dir = projectCopy('rings-approvals-', { omit: ['rings/approvers'], user: { name: 'Platform CI', email: 'ci@example.test' } });
  tmp.push(dir);
  fs.writeFileSync(path.join(dir, 'rings/approvers'), approversFile(...(opts.approvers ?? ['alice', 'bob'])));
  git(dir, 'add', 'rings/approvers');
  git(dir, 'commit', '-qm', 'rings/approvers: alice and bob');
  const reg = path.join(dir, 'rings');
  return {
    dir,
    file: (rel) => fs.readFileSync(path.join(reg, rel), 'utf8'),
    write: (rel, s) => fs.writeFileSync(path.join(reg, rel), s),
    history: () => fs.readFileSync(path.join(reg, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
    head: () => git(dir, 'rev-parse', 'HEAD'),
  };
}

const PAYMENTS = ['payments', '--from', 'edge', '--to', 'stable'];
const gateLine = (r: Run) => {
  expect(r.code).toBe(1);
  const l = lines(r.stderr);
  expect(l).toHaveLength(1);
  expect(l[0]).toMatch(/^refused by the approval gate: stable requires an approval of payments@3\.2\.0 sha256:9da85803c004… from edge signed by an approver in rings\/approvers other than the promoter \(alice@example\.test\)/);
  return l[0];
};

describe('an approval that passes', () => {
  test('bob approves payments edge → stable (a signed commit of the history line only); alice promotes; the evidence names bob and the commit', () => {
    const r = repo();
    const approved = approveAs(r.dir, 'bob', ['payments', '--to', 'stable', '--reason', 'edge clean for two weeks']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^done: approve payments@3\.2\.0 from edge into stable by bob@example\.test; recorded in rings\/history\.jsonl\ncommitted [0-9a-f]{12}: approve\(stable\): payments 3\.2\.0 \(sha256 9da85803c004…\) from edge\nsigned by bob@example\.test/);
    const sha = r.head();
    // git's own verification, independently of the CLI: a good signature by bob's key in rings/approvers.
    const allowed = path.join(r.dir, 'rings/approvers');
    expect(sh(r.dir, 'git', ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', sha]).code).toBe(0);
    expect(git(r.dir, '-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'log', '-1', '--format=%G? %GS')).toBe('G bob@example.test');
    expect(git(r.dir, 'show', '--name-only', '--format=', sha)).toBe('rings/history.jsonl');
    const trailers = git(r.dir, 'log', '-1', '--format=%(trailers:only,unfold)');
    expect(trailers.split('\n')).toEqual([
      'Rings-Approval: 1',
      'Rings-Stage: stable',
      'Rings-From: edge',
      'Rings-Candidate: payments@3.2.0 sha256:9da85803c0043b3cf075beaa6d65297f50c46d9fb38f1f5a3c08331c8ddd5b4f',
      'Rings-Window: payments@3.2.0 edge 2026-11-05T11:00:00Z/2026-11-23T12:00:00Z (18d 1h; soak 7d)',
      'Rings-Rollback-Target: payments@3.2.0 → payments@3.1.0 sha256:9b0380d6fc335a6e24e1ed7ac4b8786e6d9881c36b050337a969afa83fc291a0',
      'Rings-Approved-At: 2026-11-23T12:00:00Z',
      'Rings-Approver: bob@example.test',
      'Rings-Actor: Bob <bob@example.test>',
    ]);
    expect(git(r.dir, 'log', '-1', '--format=%cI')).toBe('2026-11-23T12:00:00+00:00');
    expect(r.history().pop()).toMatchObject({ action: 'approve', module: 'payments', from: 'edge', to: 'stable', new: '3.2.0', approval: { approver: 'bob@example.test', candidates: [{ candidate: 'payments@3.2.0' }] } });

    const dry = promoteAs(r.dir, 'alice', [...PAYMENTS, '--dry-run']);
    expect(dry.stdout).toContain(`  gate approval: passed: approved by bob@example.test in commit ${sha.slice(0, 12)} at 2026-11-23T12:00:00Z (valid 24h)`);
    const p = promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes', '--json'], { now: '2026-11-24T10:00:00Z' });
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).entry).toMatchObject({
      gates_checked: ['order', 'soak', 'approval'],
      gates_waived: [],
      evidence: [{ gate: 'soak', arrived: '2026-11-05T11:00:00Z' }, { gate: 'approval', approver: 'bob@example.test', commit: sha, approved_at: '2026-11-23T12:00:00Z' }],
    });
    expect(rings(r.dir, ['history', '--module', 'payments']).stdout).toContain('approve payments@3.2.0 from edge into stable by bob@example.test');
  });

  test('--dry-run shows the commit it would sign and writes nothing; without --yes off a terminal it refuses', () => {
    const r = repo();
    const head = r.head();
    const dry = rings(r.dir, ['approve', 'payments', '--to', 'stable', '--dry-run'], { actor: 'bob', signer: 'bob' });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  | Rings-Candidate: payments@3.2.0 sha256:9da85803c0043b3cf075beaa6d65297f50c46d9fb38f1f5a3c08331c8ddd5b4f');
    const no = rings(r.dir, ['approve', 'payments', '--to', 'stable'], { actor: 'bob', signer: 'bob' });
    expect(lines(no.stderr).pop()).toBe('refused: not a terminal, so no confirmation is possible; pass --yes to apply');
    expect(r.head()).toBe(head);
    expect(git(r.dir, 'status', '--porcelain')).toBe('');
  });

  test('rings approve refuses, writing nothing: an outsider\'s key, no signing key, a dirty registry, a ring without require_approval, a refusing gate', () => {
    const r = repo();
    const head = r.head();
    expect(lines(approveAs(r.dir, 'mallory', ['payments', '--to', 'stable']).stderr)).toEqual([
      expect.stringMatching(/^refused: your signing key \(SHA256:\S+, git user\.signingkey\) is in no line of rings\/approvers, so an approval signed with it would not count; nothing was written$/),
    ]);
    expect(lines(rings(r.dir, ['approve', 'payments', '--to', 'stable', '--yes'], { actor: 'bob' }).stderr)).toEqual([
      'refused: approvals are SSH-signed commits, but git\'s gpg.format is unset: run git config gpg.format ssh; nothing was written',
    ]);
    expect(lines(approveAs(r.dir, 'bob', ['orders', '--to', 'edge']).stderr)).toEqual(['error: edge does not require approval (require_approval = false in rings/edge.toml); nothing to approve']);
    expect(lines(approveAs(r.dir, 'bob', ['orders', '--to', 'stable']).stderr)).toEqual([
      'refused by the soak gate: orders 1.6.0 has run in edge for 5d 3h since 2026-11-18T09:00:00Z; edge needs 7d: promotable after 2026-11-25T09:00:00Z, or pass --emergency --reason TEXT; approve once it passes, or approve with that gate waived: --waive soak --reason TEXT',
    ]);
    r.write('locks/edge.lock.json', r.file('locks/edge.lock.json').replace('"3.2.0"', '"3.2.1"'));
    expect(lines(approveAs(r.dir, 'bob', ['payments', '--to', 'stable']).stderr)).toEqual([
      'refused: an approval names what is committed, but rings/ has uncommitted changes (rings/locks/edge.lock.json); commit or stash them first; nothing was written',
    ]);
    expect(r.head()).toBe(head);
  });
});

describe('the approval gate refuses, one line naming what is missing', () => {
  test('no approval at all; nothing is written', () => {
    const r = repo();
    const before = r.file('locks/stable.lock.json');
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toMatch(/; no approval commit on this branch names it; have an approver run rings approve payments --to stable and merge the signed commit it makes, or pass --emergency --reason TEXT \(then approve it with --retrospective\)$/);
    expect(r.file('locks/stable.lock.json')).toBe(before);
  });

  test('an unsigned approval commit (the same message and trailers as a real one)', () => {
    const r = repo();
    expect(approveAs(r.dir, 'bob', ['payments', '--to', 'stable']).code).toBe(0);
    const message = git(r.dir, 'log', '-1', '--format=%B');
    git(r.dir, 'reset', '-q', '--hard', 'HEAD~1');
    const c = commitAs(r.dir, null, message);
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(`; none of the approval commits on this branch counts: approval ${c.slice(0, 12)} is not signed;`);
  });

  test('signed by a key in no line of rings/approvers (git says "Good" but %G? = U): not an approval, whatever its trailers say', () => {
    const r = repo();
    const c = commitAs(r.dir, 'mallory', messageOf(r.dir, 'bob', ['payments', '--to', 'stable']));
    const allowed = path.join(r.dir, 'rings/approvers');
    expect(git(r.dir, '-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'log', '-1', '--format=%G?')).toBe('U');
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(`approval ${c.slice(0, 12)} is signed by a key that is in no line of rings/approvers as committed before it;`);
  });

  test('a forged trailer: bob\'s signed approval of another module rewritten to name payments (the signature no longer verifies); alice\'s own approval claiming to be bob\'s', () => {
    const r = repo();
    expect(approveAs(r.dir, 'bob', ['shipping-india-post', '--to', 'stable']).code).toBe(0);
    const raw = git(r.dir, 'cat-file', 'commit', 'HEAD') + '\n';
    const sip = /Rings-Candidate: (shipping-india-post@\S+ sha256:[0-9a-f]{64})/.exec(raw)![1];
    const forgedText = raw.split(sip).join('payments@3.2.0 sha256:9da85803c0043b3cf075beaa6d65297f50c46d9fb38f1f5a3c08331c8ddd5b4f').split('shipping-india-post@1.6.0').join('payments@3.2.0');
    const forged = sh(r.dir, 'git', ['hash-object', '-t', 'commit', '-w', '--stdin'], env(), forgedText).stdout.trim();
    git(r.dir, 'reset', '-q', '--hard', forged);
    expect(git(r.dir, 'cat-file', 'commit', 'HEAD')).toContain('gpgsig -----BEGIN SSH SIGNATURE-----');
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(
      `approval ${forged.slice(0, 12)} has a signature that does not verify: the commit (its message, trailers or content) was changed after it was signed;`,
    );

    const s = repo();
    const message = messageOf(s.dir, 'bob', ['payments', '--to', 'stable']);
    const c = commitAs(s.dir, 'alice', message);
    expect(message).toContain('Rings-Approver: bob@example.test');
    // Promoted by carol, so the only thing wrong is who signed it.
    const out = rings(s.dir, ['promote', ...PAYMENTS, '--yes'], { actor: 'carol' });
    expect(lines(out.stderr)[0]).toContain(`approval ${c.slice(0, 12)} names bob@example.test in its Rings-Approver trailer but is signed by alice@example.test: the approver is the signer, so the trailer is forged`);
  });

  test('an approval of a different candidate (another version and sha256 of payments)', () => {
    const r = repo();
    const other = ['--with-version', '3.2.1', '--sha256', 'a'.repeat(64)];
    expect(approveAs(r.dir, 'bob', ['payments', ...other, '--to', 'stable']).stderr).toMatch(/^refused by the entry gate: .*; approve once it passes, or approve with that gate waived: --waive entry --reason TEXT/);
    const ok = approveAs(r.dir, 'bob', ['payments', ...other, '--to', 'stable', '--waive', 'entry', '--reason', 'INC-501 hotfix']);
    expect(ok.code).toBe(0);
    expect(git(r.dir, 'log', '-1', '--format=%(trailers:key=Rings-Waived-Gate,valueonly)')).toBe('payments@3.2.1 entry');
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(`approval ${r.head().slice(0, 12)} by bob@example.test approves payments@3.2.1 sha256:aaaaaaaaaaaa…, not payments@3.2.0 sha256:9da85803c004…;`);
  });

  test('an approval older than approval_valid at the promote\'s clock; --dry-run --at asks as of another time', () => {
    const r = repo();
    expect(approveAs(r.dir, 'bob', ['payments', '--to', 'stable'], '2026-11-22T10:00:00Z').code).toBe(0);
    const c = r.head().slice(0, 12);
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(`approval ${c} by bob@example.test was given at 2026-11-22T10:00:00Z, 1d 2h ago; stable accepts approvals for 24h (approval_valid);`);
    expect(promoteAs(r.dir, 'alice', [...PAYMENTS, '--dry-run', '--at', '2026-11-23T09:00:00Z']).code).toBe(0);
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--dry-run', '--at', '2026-11-22T09:00:00Z']))).toContain(`approval ${c} by bob@example.test was given at 2026-11-22T10:00:00Z, after the promote's clock (2026-11-22T09:00:00Z)`);
    // A longer approval_valid in the ring file: the same approval counts.
    r.write('stable.toml', r.file('stable.toml').replace('approval_valid = "24h"', 'approval_valid = "36h"'));
    expect(promoteAs(r.dir, 'alice', [...PAYMENTS, '--dry-run']).code).toBe(0);
  });

  test('the approver is the promoter: by RINGS_ACTOR, and with --commit by the key that would sign the promote commit', () => {
    const r = repo();
    expect(approveAs(r.dir, 'alice', ['payments', '--to', 'stable']).code).toBe(0);
    const c = r.head().slice(0, 12);
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(`approval ${c} is signed by alice@example.test, who is the promoter: an approval must come from someone else;`);
    // Claiming to be carol does not help when alice's key signs the promote commit.
    const out = rings(r.dir, ['promote', ...PAYMENTS, '--yes', '--commit'], { actor: 'carol', signer: 'alice' });
    expect(out.code).toBe(1);
    expect(lines(out.stderr)[0]).toMatch(/other than the promoter \(alice@example\.test, carol@example\.test, ci@example\.test\).*approval [0-9a-f]{12} is signed by alice@example\.test, who is the promoter/);
    // Carol without alice's key: alice's approval counts.
    const ok = rings(r.dir, ['promote', ...PAYMENTS, '--yes', '--commit'], { actor: 'carol' });
    expect(ok.code).toBe(0);
    expect(git(r.dir, 'log', '-1', '--format=%s')).toBe('promote(stable): payments 3.1.0 → 3.2.0');
  });
});

describe('the approvers file that counts', () => {
  test('a key added in the same commit cannot vouch for itself, and that unsigned-by-an-approver change breaks the chain for every later approval', () => {
    const r = repo();
    const message = messageOf(r.dir, 'bob', ['payments', '--to', 'stable']).replace('Rings-Approver: bob@example.test', 'Rings-Approver: mallory@example.test');
    const c = commitAs(r.dir, 'mallory', message, { 'rings/approvers': approversFile('alice', 'bob', 'mallory') });
    expect(gateLine(promoteAs(r.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(`approval ${c.slice(0, 12)} is signed by a key that the same commit adds to rings/approvers; a key cannot vouch for itself`);
    expect(approveAs(r.dir, 'bob', ['payments', '--to', 'stable']).stderr).toBe(
      `refused: rings/approvers is not trusted: commit ${c.slice(0, 12)} changes rings/approvers but is signed by a key that is in no line of the version of rings/approvers before it; a change counts only when signed by an approver already in the file; nothing was written\n`,
    );
  });

  test('a change signed by an approver of the previous version counts (carol joins, signed by alice); an unsigned change does not', () => {
    const r = repo();
    commitAs(r.dir, 'alice', 'approvers: carol joins\n', { 'rings/approvers': approversFile('alice', 'bob', 'carol') });
    expect(approveAs(r.dir, 'carol', ['payments', '--to', 'stable']).code).toBe(0);
    expect(promoteAs(r.dir, 'alice', [...PAYMENTS, '--dry-run']).stdout).toContain('gate approval: passed: approved by carol@example.test');

    const s = repo();
    expect(approveAs(s.dir, 'bob', ['payments', '--to', 'stable']).code).toBe(0);
    const u = commitAs(s.dir, null, 'approvers: add mallory\n', { 'rings/approvers': approversFile('alice', 'bob', 'mallory') });
    // bob's approval was made before the bad change, but no approval counts while the file at HEAD is not trusted.
    expect(gateLine(promoteAs(s.dir, 'alice', [...PAYMENTS, '--yes']))).toContain(
      `cannot count while rings/approvers at HEAD is not trusted: commit ${u.slice(0, 12)} changes rings/approvers but is not signed;`,
    );
    expect(approveAs(s.dir, 'mallory', ['payments', '--to', 'stable']).stderr).toBe(
      `refused: rings/approvers is not trusted: commit ${u.slice(0, 12)} changes rings/approvers but is not signed; a change counts only when signed by an approver already in the file; nothing was written\n`,
    );
    // A key removed (by an approver's signed change) no longer approves.
    const t = repo();
    expect(approveAs(t.dir, 'bob', ['payments', '--to', 'stable']).code).toBe(0);
    commitAs(t.dir, 'alice', 'approvers: bob leaves\n', { 'rings/approvers': approversFile('alice', 'carol') });
    expect(gateLine(promoteAs(t.dir, 'alice', [...PAYMENTS, '--yes']))).toContain('is signed by bob@example.test, whose key is no longer in rings/approvers');
  });
});

describe('emergencies', () => {
  test('--emergency does not waive approval where emergency_waives_approval = false', () => {
    const r = repo();
    r.write('stable.toml', r.file('stable.toml').replace('emergency_waives_approval = true', 'emergency_waives_approval = false'));
    git(r.dir, 'commit', '-qam', 'stable: no emergency without approval');
    const out = promoteAs(r.dir, 'alice', [...PAYMENTS, '--emergency', '--reason', 'INC-9', '--yes']);
    expect(gateLine(out)).toMatch(/; --emergency does not waive it here \(rings\/stable\.toml sets emergency_waives_approval = false\)$/);
  });

  test('where it may: the waiver is recorded; bob then approves it retrospectively, linking the emergency entry and its commit; alice may not', () => {
    const r = repo();
    const p = rings(r.dir, ['promote', ...PAYMENTS, '--emergency', '--reason', 'INC-501: card payments failing', '--yes', '--json', '--commit'], { actor: 'alice' });
    expect(p.code).toBe(0);
    const entry = JSON.parse(p.stdout).entry;
    expect(entry).toMatchObject({ gates_checked: ['order', 'soak', 'approval'], gates_waived: ['approval'], evidence: [{ gate: 'soak' }, { gate: 'approval', waived: true }], reason: 'INC-501: card payments failing' });
    const promoteCommit = r.head();
    expect(lines(approveAs(r.dir, 'alice', ['payments', '--to', 'stable', '--retrospective']).stderr)).toEqual([
      'refused: alice@example.test made the emergency promotion of 2026-11-23T12:00:00Z; a retrospective approval must come from someone else',
    ]);
    const retro = approveAs(r.dir, 'bob', ['payments', '--to', 'stable', '--retrospective', '--reason', 'INC-501 reviewed'], '2026-11-23T14:00:00Z');
    expect(retro.code).toBe(0);
    const t = git(r.dir, 'log', '-1', '--format=%(trailers:only,unfold)');
    expect(t).toContain('Rings-Retrospective-Of: 2026-11-23T12:00:00Z Alice <alice@example.test>');
    expect(t).toContain(`Rings-Retrospective-Commit: ${promoteCommit}`);
    expect(t).toContain('Rings-Waived-Gate: payments@3.2.0 approval');
    expect(t).toContain('Rings-Window: payments@3.2.0 stable 2026-11-23T12:00:00Z/2026-11-23T14:00:00Z (running since the emergency promotion)');
    expect(r.history().pop()).toMatchObject({ action: 'approve', module: 'payments', to: 'stable', approval: { approver: 'bob@example.test', retrospective_of: { time: '2026-11-23T12:00:00Z', commit: promoteCommit } } });
  });
});

describe('images and trains', () => {
  test('approve image api into a ring that requires approval: refused without, passes with bob\'s approval of the digest', () => {
    const r = repo();
    r.write('edge.toml', r.file('edge.toml').replace('soak = "7d"', 'soak = "7d"\nrequire_approval = true'));
    withoutMetricChecks(path.join(r.dir, 'rings')); // out of canary: the analysis gate has its own suite (test/analysis/)
    git(r.dir, 'commit', '-qam', 'edge requires approval');
    const args = ['image', 'api', '--from', 'canary', '--to', 'edge'];
    const refused = promoteAs(r.dir, 'alice', [...args, '--yes']);
    expect(lines(refused.stderr)[0]).toMatch(/^refused by the approval gate: edge requires an approval of image:api@sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606 from canary .*no approval commit on this branch names it; have an approver run rings approve image api --to edge/);
    expect(approveAs(r.dir, 'bob', ['image', 'api', '--to', 'edge']).code).toBe(0);
    expect(git(r.dir, 'log', '-1', '--format=%(trailers:key=Rings-Candidate,valueonly)')).toBe('image:api@sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606');
    const ok = promoteAs(r.dir, 'alice', [...args, '--yes', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).entry.evidence).toContainEqual({ gate: 'approval', approver: 'bob@example.test', commit: r.head(), approved_at: NOW });
  });

  test('approve --all --from edge --to stable: one signed commit naming every item of the train; refused, listing each item, while one is refused', () => {
    const r = repo();
    const refused = approveAs(r.dir, 'bob', ['--all', '--from', 'edge', '--to', 'stable']);
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)[0]).toMatch(/^refused: 1 of the train's \d+ items cannot be approved; nothing was written$/);
    expect(lines(refused.stderr)[1]).toMatch(/^ {2}orders: refused by the soak gate: orders 1\.6\.0 has run in edge for 5d 3h/);
    const later = '2026-11-26T10:00:00Z';
    const ok = approveAs(r.dir, 'bob', ['--all', '--from', 'edge', '--to', 'stable'], later);
    expect(ok.code).toBe(0);
    const candidates = git(r.dir, 'log', '-1', '--format=%(trailers:key=Rings-Candidate,valueonly)').split('\n');
    expect(candidates).toEqual(expect.arrayContaining([expect.stringMatching(/^orders@1\.6\.0 sha256:/), expect.stringMatching(/^payments@3\.2\.0 sha256:/), expect.stringMatching(/^shipping-india-post@1\.6\.0 sha256:/)]));
    expect(git(r.dir, 'log', '-1', '--format=%s')).toBe(`approve(stable): ${candidates.length} changes from edge`);
    for (const m of ['orders', 'payments']) {
      expect(promoteAs(r.dir, 'alice', [m, '--from', 'edge', '--to', 'stable', '--dry-run'], { now: later }).stdout).toContain('gate approval: passed: approved by bob@example.test');
    }
    // The train itself (rings promote --all): bob, the approver, is refused by the approval gate on every
    // item, nothing written; alice promotes it, and each item's line records bob's approval as evidence.
    const before = r.file('history.jsonl');
    const byBob = promoteAs(r.dir, 'bob', ['--all', '--from', 'edge', '--to', 'stable', '--yes'], { now: later });
    expect(byBob.code).toBe(1);
    expect(lines(byBob.stderr).slice(1).map((l) => /^ {2}(\S+) \S+: refused by the (\w+) gate: .*is signed by bob@example\.test, who is the promoter/.exec(l)?.slice(1).join(' '))).toEqual(['orders approval', 'payments approval', 'shipping-india-post approval']);
    expect(r.file('history.jsonl')).toBe(before);
    const train = promoteAs(r.dir, 'alice', ['--all', '--from', 'edge', '--to', 'stable', '--yes', '--commit'], { now: later });
    expect(train.code).toBe(0);
    expect(git(r.dir, 'log', '-1', '--format=%s')).toBe('promote(stable): 3 changes from edge');
    const promoted = r.history().slice(-3);
    expect(promoted.map((e) => [e.module, e.train])).toEqual([['orders', 'edge-stable-20261126T100000Z'], ['payments', 'edge-stable-20261126T100000Z'], ['shipping-india-post', 'edge-stable-20261126T100000Z']]);
    for (const e of promoted) expect(e.evidence).toContainEqual({ gate: 'approval', approver: 'bob@example.test', commit: expect.stringMatching(/^[0-9a-f]{40}$/), approved_at: later });
  });
});
