/**
 * Signed approvals, the git part: find the approval commits on the current branch, have git verify
 * each signature against the approvers file committed before it (`gpg.ssh.allowedSignersFile`,
 * `%G?`), walk the history of `rings/approvers` for its trust chain, read the approver's signing
 * key, and make the signed approval commit. Signature checking is git's (and ssh-keygen's): nothing
 * here decides whether a signature is good. The rules over git's answers are pure, in approvals.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  APPROVERS_FILE,
  ApprovalRecord,
  ApproversChange,
  approversChainVerdict,
  ChainVerdict,
  keyFingerprint,
  parseApprovalClaim,
  parseApprovers,
  parseTrailers,
  principalsOfKey,
  TRAILER,
} from './approvals';

export class GitError extends Error {}

/** Runs git; throws GitError with its last stderr line. `ssh-keygen` is pinned as the SSH verifier. */
export function runGit(cwd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync('git', ['-c', 'gpg.ssh.program=ssh-keygen', ...args], {
      cwd,
      input: opts.input,
      env: opts.env ?? process.env,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new GitError('git is not installed');
    const msg = (err.stderr ?? String(e)).trim().split('\n').filter(Boolean).pop() ?? 'failed';
    throw new GitError(`git ${args[0]}: ${msg}`);
  }
}

function tryGit(cwd: string, args: readonly string[]): string | undefined {
  try {
    return runGit(cwd, args);
  } catch (e) {
    if (e instanceof GitError) return undefined;
    throw e;
  }
}

/** The git work tree a registry folder is in. */
export interface RegistryRepo {
  readonly root: string;
  /** The registry folder relative to the root, with a trailing slash (`rings/`), or '' at the root. */
  readonly prefix: string;
  /** HEAD's commit, or null on a branch with no commit yet. */
  readonly head: string | null;
  readonly shallow: boolean;
}

export function registryRepo(registryDir: string): RegistryRepo | undefined {
  if (!fs.existsSync(registryDir)) return undefined;
  const top = tryGit(registryDir, ['rev-parse', '--show-toplevel', '--show-prefix', '--is-shallow-repository']);
  if (top === undefined) return undefined;
  const [root, prefix, shallow] = top.split('\n');
  const head = tryGit(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'])?.trim() || null;
  return { root, prefix: prefix ?? '', head, shallow: shallow === 'true' };
}

/** `rings/approvers`, relative to the repository root. */
export const approversPath = (repo: RegistryRepo) => `${repo.prefix}${APPROVERS_FILE}`;

/**
 * Verification against one approvers file's content at a time: the content is written to a
 * temporary file (one per blob) handed to git as `gpg.ssh.allowedSignersFile`.
 */
class Verifier {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-approvers-'));
  private readonly files = new Map<string, string>();
  private readonly changes = new Map<string, ApproversChange>();
  private readonly chains = new Map<string, ChainVerdict>();

  constructor(readonly repo: RegistryRepo) {}

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The approvers file's blob id at a revision, or undefined when it has none. */
  blobAt(rev: string): string | undefined {
    return tryGit(this.repo.root, ['rev-parse', '-q', '--verify', `${rev}:${approversPath(this.repo)}`])?.trim() || undefined;
  }

  content(blob: string): string {
    return runGit(this.repo.root, ['cat-file', 'blob', blob]);
  }

  private fileFor(blob: string | undefined): string {
    const key = blob ?? 'none';
    let f = this.files.get(key);
    if (!f) {
      f = path.join(this.dir, key);
      fs.writeFileSync(f, blob ? this.content(blob) : '');
      this.files.set(key, f);
    }
    return f;
  }

  /** git's verdict on `commit`'s signature, with the approvers file of blob `blob` as the allowed signers. */
  verify(commit: string, blob: string | undefined): { status: string; principal: string; fingerprint: string } {
    const out = runGit(this.repo.root, ['-c', `gpg.ssh.allowedSignersFile=${this.fileFor(blob)}`, 'log', '-1', '--no-show-signature', '--format=%G?%x1f%GS%x1f%GK', commit, '--']);
    const [status, principal, fingerprint] = out.replace(/\n$/, '').split('\x1f');
    return { status: status || 'N', principal: principal ?? '', fingerprint: fingerprint ?? '' };
  }

  hasParent(commit: string): boolean {
    return tryGit(this.repo.root, ['rev-parse', '-q', '--verify', `${commit}^1^{commit}`]) !== undefined;
  }

  /** The trust chain of the approvers file as of `rev` (the file's changes in rev's history, oldest first). */
  chain(rev: string): ChainVerdict {
    const cached = this.chains.get(rev);
    if (cached) return cached;
    const file = approversPath(this.repo);
    const log = runGit(this.repo.root, ['log', '--format=%H', '--topo-order', '--reverse', rev, '--', file]).split('\n').filter(Boolean);
    const changes = log.map((c) => this.change(c));
    const verdict = approversChainVerdict(file, changes);
    this.chains.set(rev, verdict);
    return verdict;
  }

  private change(commit: string): ApproversChange {
    const cached = this.changes.get(commit);
    if (cached) return cached;
    const parent = this.hasParent(commit);
    const previous = parent ? this.blobAt(`${commit}^1`) : undefined;
    const sig = previous ? this.verify(commit, previous) : { status: 'N', principal: '' };
    const c: ApproversChange = {
      commit,
      previousExists: previous !== undefined,
      ...(!parent && this.repo.shallow ? { parentMissing: true } : {}),
      exists: this.blobAt(commit) !== undefined,
      status: sig.status,
      principal: sig.principal,
    };
    this.changes.set(commit, c);
    return c;
  }
}

/** An approval commit as `git log` lists it: its sha and trailers. */
function approvalCommits(repo: RegistryRepo): { commit: string; trailers: [string, string][] }[] {
  if (!repo.head) return [];
  const out = runGit(repo.root, ['log', '-z', '-E', `--grep=^${TRAILER.approval}: `, '--format=%H%x1f%(trailers:only,unfold)', repo.head, '--']);
  return out
    .split('\0')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      const [commit, trailers] = s.replace(/^\n/, '').split('\x1f');
      return { commit: commit.trim(), trailers: parseTrailers(trailers ?? '') };
    });
}

const cache = new Map<string, ApprovalRecord[]>();

/**
 * Every approval commit on the current branch (HEAD's history), newest first, each with git's verdict
 * on its signature against the approvers file of its first parent, that file's trust chain, and
 * whether the signer is still an approver at HEAD.
 */
export function readApprovalRecords(repo: RegistryRepo): ApprovalRecord[] {
  const key = `${repo.root}\0${repo.head}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const v = new Verifier(repo);
  try {
    const commits = approvalCommits(repo);
    let headApprovers: ReturnType<typeof parseApprovers>['entries'] | undefined;
    const headChain: ChainVerdict = repo.head ? v.chain(repo.head) : { ok: false, problem: `no ${approversPath(repo)} is committed` };
    const headTrusted = () => {
      if (headApprovers === undefined) {
        const blob = repo.head ? v.blobAt(repo.head) : undefined;
        headApprovers = blob && headChain.ok ? parseApprovers(v.content(blob)).entries : [];
      }
      return headApprovers;
    };
    const records = commits.map(({ commit, trailers }): ApprovalRecord => {
      const claim = parseApprovalClaim(commit, trailers);
      const parent = v.hasParent(commit) ? `${commit}^1` : undefined;
      const before = parent ? v.blobAt(parent) : undefined;
      const sig = v.verify(commit, before);
      const entries = before ? parseApprovers(v.content(before)).entries : [];
      const principals = sig.status === 'G' ? (principalsOfKey(entries, sig.fingerprint).length ? principalsOfKey(entries, sig.fingerprint) : [sig.principal.toLowerCase()]) : [];
      let keyAddedInSameCommit = false;
      if (sig.status === 'U' && sig.fingerprint) {
        const own = v.blobAt(commit);
        keyAddedInSameCommit = own !== undefined && own !== before && principalsOfKey(parseApprovers(v.content(own)).entries, sig.fingerprint).length > 0;
      }
      const chain: ChainVerdict = parent ? v.chain(parent) : { ok: false, problem: `no ${approversPath(repo)} is committed before it` };
      const stillApprover = sig.status === 'G' && principalsOfKey(headTrusted(), sig.fingerprint).some((p) => principals.includes(p));
      return { claim, status: sig.status, principals, ...(sig.fingerprint ? { fingerprint: sig.fingerprint } : {}), keyAddedInSameCommit, chain, stillApprover, headChain };
    });
    cache.set(key, records);
    return records;
  } finally {
    v.dispose();
  }
}

/** The approvers file at HEAD with its chain verdict (what `rings approve` checks its own key against). */
export function headApprovers(repo: RegistryRepo): { text?: string; chain: ChainVerdict } {
  if (!repo.head) return { chain: { ok: false, problem: `no ${approversPath(repo)} is committed` } };
  const v = new Verifier(repo);
  try {
    const blob = v.blobAt(repo.head);
    return { ...(blob ? { text: v.content(blob) } : {}), chain: v.chain(repo.head) };
  } finally {
    v.dispose();
  }
}

/** git config value at the repository (local, global, system), or '' when unset. */
export function gitConfig(cwd: string, key: string): string {
  return tryGit(cwd, ['config', '--get', key])?.trim() ?? '';
}

export type SigningKey =
  | { readonly ok: true; readonly keyType?: string; readonly key?: string; readonly fingerprint?: string; readonly setting: string }
  | { readonly ok: false; readonly problem: string };

function publicKeyOf(text: string): { keyType: string; key: string } | undefined {
  const t = text.trim().split(/\s+/);
  const i = t.findIndex((x) => /^(ssh-|ecdsa-|sk-)/.test(x));
  return i >= 0 && t[i + 1] ? { keyType: t[i], key: t[i + 1] } : undefined;
}

/**
 * The SSH key git signs with: `gpg.format = ssh` and `user.signingkey` (a key file, its .pub beside
 * it, or `key::<public key>`). The public half identifies the approver in rings/approvers; when it
 * cannot be read (a passphrase-protected key without its .pub), it is unknown and git still signs.
 */
export function signingKey(cwd: string): SigningKey {
  const format = gitConfig(cwd, 'gpg.format');
  const setting = gitConfig(cwd, 'user.signingkey');
  if (format.toLowerCase() !== 'ssh') {
    return { ok: false, problem: `approvals are SSH-signed commits, but git's gpg.format is ${format ? JSON.stringify(format) : 'unset'}: run git config gpg.format ssh` };
  }
  if (!setting) return { ok: false, problem: 'approvals are SSH-signed commits, but git has no user.signingkey: run git config user.signingkey ~/.ssh/id_ed25519.pub' };
  let pub: { keyType: string; key: string } | undefined;
  if (setting.startsWith('key::')) pub = publicKeyOf(setting.slice('key::'.length));
  else {
    const file = setting.startsWith('~/') ? path.join(os.homedir(), setting.slice(2)) : path.resolve(cwd, setting);
    const read = (f: string) => (fs.existsSync(f) ? publicKeyOf(fs.readFileSync(f, 'utf8')) : undefined);
    pub = read(file) ?? read(`${file}.pub`);
    if (!pub && fs.existsSync(file)) {
      try {
        pub = publicKeyOf(execFileSync('ssh-keygen', ['-y', '-P', '', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }));
      } catch {
        pub = undefined;
      }
    }
    if (!fs.existsSync(file) && !pub) return { ok: false, problem: `git's user.signingkey names ${setting}, which does not exist` };
  }
  if (!pub) return { ok: true, setting };
  return { ok: true, setting, keyType: pub.keyType, key: pub.key, fingerprint: keyFingerprint(pub.key) };
}

/** The approvers-file principals of the configured signing key at HEAD ([] when unknown or not listed). */
export function signerPrincipals(repo: RegistryRepo, key: SigningKey): string[] {
  if (!key.ok || !key.fingerprint) return [];
  const { text } = headApprovers(repo);
  return text ? principalsOfKey(parseApprovers(text).entries, key.fingerprint) : [];
}

/** The `promote` commit a history entry made with --commit (`Rings-Time:` and the subject's ring), if any. */
export function promoteCommitOf(repo: RegistryRepo, time: string, ring: string): string | null {
  if (!repo.head) return null;
  const out = tryGit(repo.root, ['log', '-F', `--grep=Rings-Time: ${time}`, '--format=%H%x1f%s', repo.head, '--']) ?? '';
  const hit = out
    .split('\n')
    .map((l) => l.split('\x1f'))
    .find(([, s]) => s?.startsWith(`promote(${ring})`));
  return hit ? hit[0] : null;
}
