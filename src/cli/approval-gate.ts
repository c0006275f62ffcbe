/**
 * The `approval` promotion gate: a promotion into a ring with `require_approval = true` needs a
 * signed approval commit (`rings approve`) of that exact candidate, by an approver in
 * `rings/approvers` other than the promoter, younger than the ring's `approval_valid`. The rules are
 * approvals.ts `approvalStatus`; the commits and git's verdicts come from signed-approvals.ts.
 *
 * Who the promoter is: the email of the promote's actor (`RINGS_ACTOR`, else git's `user.name
 * <user.email>`); with `--commit` also git's `user.email` (the committer) and, when signing is
 * configured (`gpg.format = ssh` and `user.signingkey`), every principal rings/approvers gives that
 * key: the one whose key would sign the promote commit is promoting, whatever RINGS_ACTOR says.
 */
import { parseGoDuration } from '../model/go-duration';
import { ApprovalQuery, approvalRefusal, approvalStatus, Candidate, ApprovalStatus } from '../operate/approvals';
import { CliError, LoadedRegistry } from './context';
import type { GateResult } from '../operate/gates';
import type { PromotionEvidence } from '../operate/history';
import { approversPath, readApprovalRecords, registryRepo, signerPrincipals, signingKey, gitConfig } from '../operate/signed-approvals';
import * as fs from 'fs';
import * as path from 'path';
import type { RegistryProblem } from '../registry/errors';
import type { Registry } from '../registry/load';
import { parseApprovers } from '../operate/approvals';

/** What the approval gate needs from the promote command. */
export interface ApprovalEnv {
  /** The registry folder. */
  readonly registry: string;
  readonly now: Date;
  /** The promoter's identities, lower-case emails (computed on first use). */
  readonly promoters: () => readonly string[];
}

export interface ApprovalGateResult extends GateResult {
  readonly evidence?: PromotionEvidence;
}

/** The email in `Name <email>` (or a bare email), lower-case. */
export function emailOf(actor: string): string | undefined {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(actor) ?? /^([^<>\s]+@[^<>\s]+)$/.exec(actor.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/** The promoter's identities (see the file comment). */
export function promoterIdentities(registry: string, actor: string, withCommit: boolean): string[] {
  const ids = new Set<string>();
  const a = emailOf(actor);
  if (a) ids.add(a);
  if (withCommit) {
    const repo = registryRepo(registry);
    if (repo) {
      const committer = emailOf(gitConfig(repo.root, 'user.email'));
      if (committer) ids.add(committer);
      const key = signingKey(repo.root);
      if (key.ok) for (const p of signerPrincipals(repo, key)) ids.add(p);
    }
  }
  return [...ids].sort();
}

/** The ring's approval settings, or undefined when it requires none. */
export function ringApproval(loaded: LoadedRegistry, ring: string): { validMs: number; validText: string; emergencyWaives: boolean; file: string } | undefined {
  const r = loaded.registry.rings.find((x) => x.spec.name === ring);
  if (!r || !r.spec.require_approval) return undefined;
  return { validMs: parseGoDuration(r.spec.approval_valid) ?? 86_400_000, validText: r.spec.approval_valid, emergencyWaives: r.spec.emergency_waives_approval, file: r.file };
}

/** `rings approve …` for this promotion, for the refusal's hint. */
export function approveCommand(c: Candidate, to: string, from: string | null): string {
  if (c.subject.startsWith('image:')) return `rings approve image ${c.subject.slice('image:'.length)} ${from ? '' : `--with-image ${c.version} `}--to ${to}`;
  return `rings approve ${c.subject} ${from ? '' : `--with-version ${c.version}${c.sha256 ? ` --sha256 ${c.sha256}` : ''} `}--to ${to}`;
}

/**
 * Where an approval status would be asked for a promotion (the trains helper's `status --html` uses
 * it too): `not-required`, or the status with the query it answered.
 */
export function approvalFor(
  env: ApprovalEnv,
  loaded: LoadedRegistry,
  p: { readonly candidate: Candidate; readonly from: string | null; readonly to: string; readonly waivedByPromotion?: readonly string[] },
): { state: 'not-required' } | { state: 'unverifiable'; reason: string } | (ApprovalStatus & { query: ApprovalQuery }) {
  const ring = ringApproval(loaded, p.to);
  if (!ring) return { state: 'not-required' };
  const file = path.join(env.registry, 'approvers');
  const query: ApprovalQuery = {
    candidate: p.candidate,
    to: p.to,
    from: p.from,
    now: env.now,
    validMs: ring.validMs,
    validText: ring.validText,
    promoters: env.promoters(),
    waivedByPromotion: p.waivedByPromotion ?? [],
    file,
  };
  if (p.candidate.subject.startsWith('image:') && !p.candidate.digest) {
    return { state: 'unverifiable', reason: `${p.candidate.version} is not pinned by digest, and an approval names an exact artifact; pin it as repo:tag@sha256:…` };
  }
  if (query.promoters.length === 0) {
    return { state: 'unverifiable', reason: 'the promoter has no email (set RINGS_ACTOR="Name <email>" or git config user.email), so nobody can tell an approver from the promoter' };
  }
  const repo = registryRepo(env.registry);
  if (!repo) return { state: 'unverifiable', reason: `${env.registry} is not in a git work tree, so no signed approval can be verified` };
  const status = approvalStatus(readApprovalRecords(repo), { ...query, file: approversPath(repo) });
  return { ...status, query };
}

/**
 * The gate, or undefined when the destination needs no approval. A refusal that `--emergency` may not
 * waive (the ring's `emergency_waives_approval` is false) is thrown at once: decide() would waive it.
 */
export function approvalGate(
  env: ApprovalEnv,
  loaded: LoadedRegistry,
  p: { readonly candidate: Candidate; readonly from: string | null; readonly to: string; readonly others: readonly GateResult[]; readonly emergency: boolean },
): ApprovalGateResult | undefined {
  const ring = ringApproval(loaded, p.to);
  if (!ring) return undefined;
  const waivedByPromotion = p.emergency ? p.others.filter((r) => !r.ok).map((r) => r.gate) : [];
  const s = approvalFor(env, loaded, { ...p, waivedByPromotion });
  let message: string;
  if (s.state === 'not-required') return undefined;
  if (s.state === 'approved') {
    const a = s.approval!;
    return {
      gate: 'approval',
      ok: true,
      message: `approved by ${a.approver} in commit ${a.commit.slice(0, 12)} at ${a.approvedAt} (valid ${ring.validText})`,
      evidence: { gate: 'approval', approver: a.approver, commit: a.commit, approved_at: a.approvedAt },
    };
  }
  if (s.state === 'unverifiable') message = `${p.to} requires a signed approval of ${p.candidate.id}, but ${s.reason}`;
  else message = approvalRefusal(s, s.query, approveCommand(p.candidate, p.to, p.from), ring.emergencyWaives);
  if (p.emergency && !ring.emergencyWaives) {
    throw new CliError(`refused by the approval gate: ${message}; --emergency does not waive it here (${ring.file} sets emergency_waives_approval = false)`);
  }
  return { gate: 'approval', ok: false, message };
}

/**
 * `rings check`: the work tree's rings/approvers is well-formed, and present when a ring requires
 * approval. (Only its format: which version counts, and whether it is trusted, is git's, at the gate.)
 */
export function approversFileProblems(registryDir: string, registry: Registry): RegistryProblem[] {
  const file = path.join(registryDir, 'approvers');
  const requiring = registry.rings.filter((r) => r.spec.require_approval).map((r) => r.spec.name);
  if (!fs.existsSync(file)) {
    if (requiring.length === 0) return [];
    return [{ file, path: '', message: `expected the approvers (git's allowed_signers format), because ${requiring.join(', ')} ${requiring.length === 1 ? 'sets' : 'set'} require_approval = true; found none` }];
  }
  const { entries, problems } = parseApprovers(fs.readFileSync(file, 'utf8'));
  const out: RegistryProblem[] = problems.map((p) => ({ file, path: `line ${p.line}`, message: p.message }));
  if (requiring.length && entries.length === 0 && problems.length === 0) out.push({ file, path: '', message: `expected at least one approver, because ${requiring.join(', ')} requires approval; found none` });
  return out;
}
