/**
 * Signed approvals, the pure part: what a candidate is, the approval commit's message and trailers,
 * the trust chain of `rings/approvers`, and whether an approval counts for a promotion. Everything
 * that runs git (reading commits, having git verify their signatures) is in signed-approvals.ts; the
 * verdicts it gets from git come in here as plain data, so these rules are unit-tested on recorded
 * output. Signatures are never checked here: git (`%G?`, with `gpg.ssh.allowedSignersFile`) does that.
 *
 * Trust model (docs/cli.md "Approvals"):
 * - the approver is the principal that `rings/approvers` gives the key of the commit's verified
 *   signature (`%G?` = G), never a trailer value; `U` (a good signature by a key in no line) is no approval;
 * - the approvers file that counts is the one committed before the approval commit (its first
 *   parent's), and the signer must still be an approver at HEAD;
 * - every change of `rings/approvers` after its first version must be signed by an approver of the
 *   version before it; the first version is trusted as committed (the forge protects it).
 */
import { createHash } from 'crypto';
import { parseImageReference } from '../model/images';
import { formatDuration } from './gates';

// ---------------------------------------------------------------------------------------------
// Candidates

/** The exact artifact a promotion would pin. */
export interface Candidate {
  /** The history subject: a module alias, or `image:<component>`. */
  readonly subject: string;
  /** `orders@1.6.0`, or `image:api@sha256:…` (the digest is the image's identity). */
  readonly id: string;
  /** module: the version; image: the full reference. */
  readonly version: string;
  /** module: the sha256 pinned with it (AutoCom's lock form); undefined in the flat form. */
  readonly sha256?: string;
  /** image: `sha256:<hex>`, undefined when the reference has no digest (it cannot be approved). */
  readonly digest?: string;
}

export function moduleCandidate(module: string, version: string, sha256?: string | null): Candidate {
  return { subject: module, id: `${module}@${version}`, version, ...(sha256 ? { sha256 } : {}) };
}

export function imageCandidate(component: string, ref: string): Candidate {
  const { digest } = parseImageReference(ref);
  const subject = `image:${component}`;
  return { subject, id: `${subject}@${digest ?? ref}`, version: ref, ...(digest ? { digest } : {}) };
}

/** How messages name it: `orders 1.6.0 (sha256 06f4cc1ac126…)`, `image api sha256:0239e49dd8b1…`. */
export function candidateLabel(c: Candidate): string {
  if (c.subject.startsWith('image:')) return `image ${c.subject.slice('image:'.length)} ${c.digest ? `${c.digest.slice(0, 19)}…` : c.version}`;
  return `${c.subject} ${c.version}${c.sha256 ? ` (sha256 ${c.sha256.slice(0, 12)}…)` : ''}`;
}

/** The `Rings-Candidate` trailer value: `orders@1.6.0 sha256:<hex>`, `orders@1.6.0`, `image:api@sha256:<hex>`. */
export function candidateTrailer(c: Candidate): string {
  return c.sha256 ? `${c.id} sha256:${c.sha256}` : c.id;
}

interface ClaimedCandidate {
  readonly id: string;
  readonly sha256?: string;
}

function parseCandidateTrailer(v: string): ClaimedCandidate | undefined {
  const m = /^(\S+@\S+)(?: sha256:([0-9a-f]{64}))?$/.exec(v.trim());
  return m ? { id: m[1], ...(m[2] ? { sha256: m[2] } : {}) } : undefined;
}

function sameCandidate(a: ClaimedCandidate, c: Candidate): boolean {
  return a.id === c.id && (a.sha256 ?? null) === (c.sha256 ?? null);
}

/** `orders@1.6.0` → `orders`; `image:api@sha256:…` → `image:api` (neither a module alias nor a component has an @). */
const subjectOfId = (id: string) => id.slice(0, id.indexOf('@'));

// ---------------------------------------------------------------------------------------------
// The approval commit

export const TRAILER = {
  approval: 'Rings-Approval',
  stage: 'Rings-Stage',
  from: 'Rings-From',
  candidate: 'Rings-Candidate',
  window: 'Rings-Window',
  rollback: 'Rings-Rollback-Target',
  waived: 'Rings-Waived-Gate',
  approvedAt: 'Rings-Approved-At',
  approver: 'Rings-Approver',
  retrospectiveOf: 'Rings-Retrospective-Of',
  retrospectiveCommit: 'Rings-Retrospective-Commit',
  actor: 'Rings-Actor',
} as const;

/** The format version this code writes and reads. */
export const APPROVAL_FORMAT = '1';

export interface ApprovalItem {
  readonly candidate: Candidate;
  /** The observation window, e.g. `edge 2026-11-18T09:00:00Z/2026-11-25T10:00:00Z`. */
  readonly window: string;
  /** What the destination pins now (what a rollback restores). */
  readonly rollbackTarget: string;
  /** Gates the approver knowingly waives. */
  readonly waived: readonly string[];
}

export interface ApprovalDraft {
  readonly to: string;
  /** The source ring; null for a --with-version / --with-image pin. */
  readonly from: string | null;
  readonly items: readonly ApprovalItem[];
  /** The clock (`RINGS_NOW`, or now), ISO seconds. */
  readonly approvedAt: string;
  /** The principal of the approver's signing key in rings/approvers (informational: the gate checks it equals the signer's). */
  readonly approver: string | null;
  readonly actor: string;
  readonly reason: string | null;
  readonly retrospective?: { readonly time: string; readonly actor: string; readonly commit: string | null };
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

export function approvalSubject(d: ApprovalDraft): string {
  const from = d.from ? ` from ${d.from}` : '';
  if (d.retrospective) return `approve(${d.to}): ${d.items.map((i) => candidateLabel(i.candidate)).join(', ')} (retrospective, emergency promote of ${d.retrospective.time})`;
  if (d.items.length === 1) return `approve(${d.to}): ${candidateLabel(d.items[0].candidate)}${from}`;
  return `approve(${d.to}): ${d.items.length} changes${from}`;
}

/** The commit message: subject, reason and one line per item as the body, the trailers the gate reads. */
export function approvalMessage(d: ApprovalDraft): string {
  const body: string[] = [];
  if (d.reason) body.push(d.reason.trim());
  body.push(
    [
      d.retrospective
        ? `Retrospective approval of the emergency promotion into ${d.to} recorded at ${d.retrospective.time} by ${oneLine(d.retrospective.actor)}:`
        : `Approves promoting into ${d.to}${d.from ? ` from ${d.from}` : ''}:`,
      ...d.items.map((i) => `- ${candidateLabel(i.candidate)}; observed ${i.window}; rollback target ${i.rollbackTarget}${i.waived.length ? `; waives ${i.waived.join(', ')}` : ''}`),
    ].join('\n'),
  );
  const t: string[] = [`${TRAILER.approval}: ${APPROVAL_FORMAT}`, `${TRAILER.stage}: ${d.to}`, `${TRAILER.from}: ${d.from ?? 'none'}`];
  for (const i of d.items) {
    t.push(`${TRAILER.candidate}: ${candidateTrailer(i.candidate)}`);
    t.push(`${TRAILER.window}: ${i.candidate.id} ${oneLine(i.window)}`);
    t.push(`${TRAILER.rollback}: ${i.candidate.id} → ${oneLine(i.rollbackTarget)}`);
    for (const g of i.waived) t.push(`${TRAILER.waived}: ${i.candidate.id} ${g}`);
  }
  if (d.retrospective) {
    t.push(`${TRAILER.retrospectiveOf}: ${d.retrospective.time} ${oneLine(d.retrospective.actor)}`);
    if (d.retrospective.commit) t.push(`${TRAILER.retrospectiveCommit}: ${d.retrospective.commit}`);
  }
  t.push(`${TRAILER.approvedAt}: ${d.approvedAt}`);
  if (d.approver) t.push(`${TRAILER.approver}: ${d.approver}`);
  t.push(`${TRAILER.actor}: ${oneLine(d.actor)}`);
  return [approvalSubject(d), ...body, t.join('\n')].join('\n\n') + '\n';
}

/** `Key: value` lines as git prints them with `%(trailers:only,unfold)`. */
export function parseTrailers(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (m) out.push([m[1], m[2].trim()]);
  }
  return out;
}

/** What an approval commit's trailers claim (claims only: who signed it is git's answer, not these). */
export interface ApprovalClaim {
  readonly commit: string;
  readonly stage?: string;
  /** null = `none` (a --with-version pin). */
  readonly from?: string | null;
  readonly candidates: readonly ClaimedCandidate[];
  /** candidate id → gates waived. */
  readonly waived: Readonly<Record<string, readonly string[]>>;
  readonly approvedAt?: string;
  readonly approverTrailer?: string;
  readonly retrospectiveOf?: string;
  /** What is malformed, if anything. */
  readonly problems: readonly string[];
}

export function parseApprovalClaim(commit: string, trailers: readonly [string, string][]): ApprovalClaim {
  const all = (k: string) => trailers.filter(([key]) => key.toLowerCase() === k.toLowerCase()).map(([, v]) => v);
  const one = (k: string) => all(k)[0];
  const problems: string[] = [];
  const version = one(TRAILER.approval);
  if (version !== APPROVAL_FORMAT) problems.push(`${TRAILER.approval}: expected ${APPROVAL_FORMAT}, got ${JSON.stringify(version ?? null)}`);
  const stage = one(TRAILER.stage);
  if (!stage) problems.push(`no ${TRAILER.stage} trailer`);
  const fromRaw = one(TRAILER.from);
  if (fromRaw === undefined) problems.push(`no ${TRAILER.from} trailer`);
  const candidates: ClaimedCandidate[] = [];
  for (const v of all(TRAILER.candidate)) {
    const c = parseCandidateTrailer(v);
    if (c) candidates.push(c);
    else problems.push(`${TRAILER.candidate}: expected <subject>@<version> [sha256:<hex>], got ${JSON.stringify(v)}`);
  }
  if (all(TRAILER.candidate).length === 0) problems.push(`no ${TRAILER.candidate} trailer`);
  const waived: Record<string, string[]> = {};
  for (const v of all(TRAILER.waived)) {
    const [id, gate] = v.split(/\s+/);
    if (id && gate) (waived[id] ??= []).push(gate);
  }
  const approvedAt = one(TRAILER.approvedAt);
  if (!approvedAt || Number.isNaN(Date.parse(approvedAt))) problems.push(`${TRAILER.approvedAt}: expected an ISO 8601 time, got ${JSON.stringify(approvedAt ?? null)}`);
  return {
    commit,
    ...(stage ? { stage } : {}),
    ...(fromRaw !== undefined ? { from: fromRaw === 'none' ? null : fromRaw } : {}),
    candidates,
    waived,
    ...(approvedAt ? { approvedAt } : {}),
    ...(one(TRAILER.approver) ? { approverTrailer: one(TRAILER.approver) } : {}),
    ...(one(TRAILER.retrospectiveOf) ? { retrospectiveOf: one(TRAILER.retrospectiveOf) } : {}),
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// rings/approvers (git's allowed_signers format)

export const APPROVERS_FILE = 'approvers';

export interface ApproverLine {
  readonly line: number;
  readonly principals: readonly string[];
  readonly keyType: string;
  readonly key: string;
  /** `SHA256:<base64>`, as git prints `%GK` for an SSH key. */
  readonly fingerprint: string;
}

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;
const EMAIL = /^[^\s@,*?!"]+@[^\s@,*?!"]+$/;

/** The OpenSSH fingerprint of a public key blob (`ssh-keygen -l`'s SHA256:… form): key identification, not signature checking. */
export function keyFingerprint(base64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** Splits a line into tokens, keeping quoted option values (`namespaces="git"`) whole. */
function tokens(line: string): string[] {
  return line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

/**
 * Parses an allowed_signers file: `principal[,principal…] [options] <key type> <base64 key> [comment]`.
 * Problems: malformed lines, and principals that are not plain email addresses (patterns such as
 * `*@acme.io` would make "the approver is not the promoter" unanswerable).
 */
export function parseApprovers(text: string): { entries: ApproverLine[]; problems: { line: number; message: string }[] } {
  const entries: ApproverLine[] = [];
  const problems: { line: number; message: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const t = tokens(line);
    const at = t.findIndex((x, j) => j > 0 && KEY_TYPE.test(x));
    if (at < 0 || t[at + 1] === undefined || !/^[A-Za-z0-9+/]+=*$/.test(t[at + 1])) {
      problems.push({ line: i + 1, message: 'expected `<email>[,<email>…] [options] <key type> <base64 key>` (git\'s allowed_signers format)' });
      return;
    }
    const principals = t[0].split(',');
    const bad = principals.filter((p) => !EMAIL.test(p));
    if (bad.length) {
      problems.push({ line: i + 1, message: `expected principals that are email addresses (no patterns), got ${bad.map((b) => JSON.stringify(b)).join(', ')}` });
      return;
    }
    if (t.slice(1, at).some((o) => /^cert-authority$/i.test(o))) {
      problems.push({ line: i + 1, message: 'expected a key of one approver, got cert-authority (a CA vouches for principals this file does not name)' });
      return;
    }
    entries.push({ line: i + 1, principals: principals.map((p) => p.toLowerCase()), keyType: t[at], key: t[at + 1], fingerprint: keyFingerprint(t[at + 1]) });
  });
  return { entries, problems };
}

/** Every principal the file gives this key (by fingerprint). */
export function principalsOfKey(entries: readonly ApproverLine[], fingerprint: string): string[] {
  return [...new Set(entries.filter((e) => e.fingerprint === fingerprint).flatMap((e) => e.principals))].sort();
}

// ---------------------------------------------------------------------------------------------
// The trust chain of rings/approvers

/** One commit that changed the file (as `git log -- <file>` lists them), with git's verdict on its signature. */
export interface ApproversChange {
  readonly commit: string;
  /** Whether the file existed in the commit's first parent (false for its first version). */
  readonly previousExists: boolean;
  /** Whether the first parent is missing from the clone (shallow history). */
  readonly parentMissing?: boolean;
  /** Whether the file exists after the commit (false: it deleted it). */
  readonly exists: boolean;
  /** git's `%G?` for the commit, verified against the previous version of the file ('N' when there was none). */
  readonly status: string;
  /** git's `%GS`: the principal, when status is G. */
  readonly principal: string;
}

export type ChainVerdict = { readonly ok: true; readonly root: string; readonly changes: number } | { readonly ok: false; readonly problem: string };

const short = (sha: string) => sha.slice(0, 12);

/** Why a commit's signature does not count, from git's `%G?`. */
export function signatureProblem(status: string, what: string): string {
  switch (status) {
    case 'N':
      return 'is not signed';
    case 'U':
      return `is signed by a key that is in no line of ${what}`;
    case 'B':
      return 'has a signature that does not verify: the commit (its message, trailers or content) was changed after it was signed';
    case 'X':
    case 'Y':
      return 'is signed by a key or signature that has expired';
    case 'R':
      return 'is signed by a revoked key';
    case 'E':
      return 'has a signature git could not check (is ssh-keygen installed?)';
    default:
      return `has no good signature (git %G? = ${JSON.stringify(status)})`;
  }
}

/**
 * Whether the file's history is a trusted chain: its first version (trusted as committed) and then
 * only changes signed (`%G?` = G) by an approver of the version before each. `changes` oldest first.
 */
export function approversChainVerdict(file: string, changes: readonly ApproversChange[]): ChainVerdict {
  if (changes.length === 0) return { ok: false, problem: `no ${file} is committed` };
  const [first, ...rest] = changes;
  if (first.parentMissing) return { ok: false, problem: `the history of ${file} is incomplete (shallow clone?): fetch it whole (git fetch --unshallow)` };
  if (first.previousExists) return { ok: false, problem: `the history of ${file} does not start with its first version (commit ${short(first.commit)})` };
  for (const c of rest) {
    if (c.parentMissing) return { ok: false, problem: `the history of ${file} is incomplete (shallow clone?): fetch it whole (git fetch --unshallow)` };
    if (!c.previousExists) {
      return { ok: false, problem: `commit ${short(c.commit)} creates ${file} again after ${short(first.commit)} did; only the first version is trusted as committed` };
    }
    if (c.status !== 'G') {
      return { ok: false, problem: `commit ${short(c.commit)} changes ${file} but ${signatureProblem(c.status, `the version of ${file} before it`)}; a change counts only when signed by an approver already in the file` };
    }
  }
  const last = changes[changes.length - 1];
  if (!last.exists) return { ok: false, problem: `commit ${short(last.commit)} deleted ${file}` };
  return { ok: true, root: first.commit, changes: changes.length };
}

// ---------------------------------------------------------------------------------------------
// Whether an approval counts

/** One approval commit with what git said about it. */
export interface ApprovalRecord {
  readonly claim: ApprovalClaim;
  /** `%G?` verified against the approvers file of the commit's first parent ('N' when there is none). */
  readonly status: string;
  /** Every principal that file gives the signing key (empty unless status is G). */
  readonly principals: readonly string[];
  /** The signing key's fingerprint (`%GK`), when signed. */
  readonly fingerprint?: string;
  /** The signing key is in the commit's own version of the file but not in its parent's: it added itself. */
  readonly keyAddedInSameCommit?: boolean;
  /** The chain of the approvers file the commit was checked against. */
  readonly chain: ChainVerdict;
  /** Whether the signer is still an approver in HEAD's (trusted) approvers file. */
  readonly stillApprover: boolean;
  /** The chain of the approvers file at HEAD. @default trusted */
  readonly headChain?: ChainVerdict;
}

export interface ApprovalQuery {
  readonly candidate: Candidate;
  readonly to: string;
  /** The promotion's source ring; null for a --with-version / --with-image pin. */
  readonly from: string | null;
  readonly now: Date;
  /** The ring's approval_valid, in ms and as written. */
  readonly validMs: number;
  readonly validText: string;
  /** The promoter's identities (lower-case emails): actor, committer, signer of the promote commit. */
  readonly promoters: readonly string[];
  /** The other gates this promotion waives with --emergency: the approval must have waived them too. @default [] */
  readonly waivedByPromotion?: readonly string[];
  /** The approvers file as shown in messages (`rings/approvers`). */
  readonly file: string;
}

export interface ApprovalFound {
  readonly approver: string;
  readonly commit: string;
  readonly approvedAt: string;
}

export interface ApprovalStatus {
  /** `approved`: a counting approval was found; `missing`: none (see `rejected`). */
  readonly state: 'approved' | 'missing';
  readonly approval?: ApprovalFound;
  /** Each approval commit of this subject and stage that does not count, newest first, with why. */
  readonly rejected: readonly { readonly commit: string; readonly reason: string }[];
}

/** Why this record does not approve this promotion, or undefined when it does. Checks in order of trust. */
export function approvalProblem(r: ApprovalRecord, q: ApprovalQuery): string | undefined {
  const { claim } = r;
  if (r.status !== 'G') {
    if (r.status === 'U' && r.keyAddedInSameCommit) return `is signed by a key that the same commit adds to ${q.file}; a key cannot vouch for itself (the file that counts is the one committed before the approval)`;
    return signatureProblem(r.status, `${q.file} as committed before it`);
  }
  if (!r.chain.ok) return `was checked against a ${q.file} that is not trusted: ${r.chain.problem}`;
  if (r.headChain && !r.headChain.ok) return `cannot count while ${q.file} at HEAD is not trusted: ${r.headChain.problem}`;
  if (!r.stillApprover) return `is signed by ${r.principals.join(', ')}, whose key is no longer in ${q.file}`;
  if (claim.problems.length) return `is a malformed approval (${claim.problems.join('; ')})`;
  if (claim.approverTrailer !== undefined && !r.principals.includes(claim.approverTrailer.toLowerCase())) {
    return `names ${claim.approverTrailer} in its ${TRAILER.approver} trailer but is signed by ${r.principals.join(', ')}: the approver is the signer, so the trailer is forged`;
  }
  const approver = r.principals.join(', ');
  if (claim.retrospectiveOf !== undefined) return `is a retrospective approval (of the emergency promotion of ${claim.retrospectiveOf.split(' ')[0]}), which approves no new promotion`;
  const mine = claim.candidates.find((c) => sameCandidate(c, q.candidate));
  if (!mine) {
    const other = claim.candidates.find((c) => subjectOfId(c.id) === q.candidate.subject);
    const got = other ? `${other.id}${other.sha256 ? ` sha256:${other.sha256.slice(0, 12)}…` : ''}` : claim.candidates.map((c) => c.id).join(', ');
    return `by ${approver} approves ${got}, not ${q.candidate.id}${q.candidate.sha256 ? ` sha256:${q.candidate.sha256.slice(0, 12)}…` : ''}`;
  }
  if ((claim.from ?? null) !== q.from) return `by ${approver} approves the promotion from ${claim.from ?? '(a new pin)'}, not from ${q.from ?? '(a new pin)'}`;
  const at = Date.parse(claim.approvedAt!);
  if (at > q.now.getTime() + 1000) return `by ${approver} was given at ${claim.approvedAt}, after the promote's clock (${iso(q.now)})`;
  const age = q.now.getTime() - at;
  if (age > q.validMs) return `by ${approver} was given at ${claim.approvedAt}, ${formatDuration(age)} ago; ${q.to} accepts approvals for ${q.validText} (approval_valid)`;
  const self = r.principals.find((p) => q.promoters.includes(p));
  if (self) return `is signed by ${self}, who is the promoter: an approval must come from someone else`;
  const waived = new Set(claim.waived[q.candidate.id] ?? []);
  const missing = (q.waivedByPromotion ?? []).filter((g) => !waived.has(g));
  if (missing.length) return `by ${approver} does not waive ${missing.join(', ')}, which this promotion waives with --emergency (approve it with --waive ${missing.join(',')} --reason TEXT)`;
  return undefined;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Whether `candidate` has a counting approval for a promotion into `to` (pure: the records come from
 * signed-approvals.ts `readApprovalRecords`, newest first). Records of other stages and subjects are
 * ignored; the others that fail are returned with why, newest first.
 */
export function approvalStatus(records: readonly ApprovalRecord[], q: ApprovalQuery): ApprovalStatus {
  const rejected: { commit: string; reason: string }[] = [];
  for (const r of records) {
    const relevant = r.claim.stage === undefined || r.claim.stage === q.to;
    const names = r.claim.candidates.length === 0 || r.claim.candidates.some((c) => subjectOfId(c.id) === q.candidate.subject);
    if (!relevant || !names) continue;
    const problem = approvalProblem(r, q);
    if (problem === undefined) return { state: 'approved', approval: { approver: r.principals.join(', '), commit: r.claim.commit, approvedAt: r.claim.approvedAt! }, rejected };
    rejected.push({ commit: r.claim.commit, reason: problem });
  }
  return { state: 'missing', rejected };
}

/** The approval gate's refusal sentence (without the "refused by the approval gate: " prefix). */
export function approvalRefusal(s: ApprovalStatus, q: ApprovalQuery, command: string, emergencyWaives: boolean): string {
  const who = q.promoters.length ? ` other than the promoter (${q.promoters.join(', ')})` : '';
  const head = `${q.to} requires an approval of ${q.candidate.id}${q.candidate.sha256 ? ` sha256:${q.candidate.sha256.slice(0, 12)}…` : ''} ${q.from ? `from ${q.from}` : '(a new pin)'} signed by an approver in ${q.file}${who}`;
  const shown = s.rejected.slice(0, 3).map((r) => `approval ${short(r.commit)} ${r.reason}`);
  const more = s.rejected.length > 3 ? `; and ${s.rejected.length - 3} more` : '';
  const found = s.rejected.length ? `; none of the approval commits on this branch counts: ${shown.join('; ')}${more}` : '; no approval commit on this branch names it';
  const fix = `; have an approver run ${command} and merge the signed commit it makes${emergencyWaives ? ', or pass --emergency --reason TEXT (then approve it with --retrospective)' : ''}`;
  return head + found + fix;
}
