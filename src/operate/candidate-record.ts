/**
 * One record per candidate (`rings history --candidate orders@1.6.0`, `--candidate
 * image:api@sha256:…`): every history entry that names the artifact, across rings, and the
 * machine-readable result per stage the promotion lifecycle asks for (identity, revision or digest,
 * target, checks run, pass/fail, evidence, rollback target, approver or "not required"). Pure: the
 * registry and the history in, plain data out.
 */
import { parseImageReference, RING_IMAGE_COMPONENTS } from '../model/images';
import { unknownName } from '../registry/errors';
import type { Registry } from '../registry/load';
import { formatDuration, parseDuration } from './gates';
import { formatMetricLine, MetricResult } from './verify/metrics';
import { HistoryEntry, isoSeconds, PromotionEvidence, subjectOf } from './history';

/** A candidate as named on the command line. */
export type CandidateQuery =
  | { readonly kind: 'module'; readonly id: string; readonly subject: string; readonly module: string; readonly version: string }
  | {
      readonly kind: 'image';
      readonly id: string;
      readonly subject: string;
      readonly component: string;
      /** `sha256:<hex>` (a prefix of at least 12 hex digits is enough), or a tag. */
      readonly digest?: string;
      readonly tag?: string;
    };

/** `orders@1.6.0`, `image:api@sha256:<hex>` (or a unique prefix of ≥ 12 hex digits), `image:api@2026.12.0` (a tag); a problem sentence otherwise. */
export function parseCandidate(text: string, components: readonly string[] = RING_IMAGE_COMPONENTS): CandidateQuery | string {
  const at = text.indexOf('@');
  if (at <= 0 || at === text.length - 1) return `expected <module>@<version> or image:<component>@sha256:<digest>, got ${JSON.stringify(text)}`;
  const subject = text.slice(0, at);
  const rest = text.slice(at + 1);
  if (subject.startsWith('image:')) {
    const component = subject.slice('image:'.length);
    if (!components.includes(component)) return unknownName('image component', component, components, `components: ${components.join(', ')}`);
    if (rest.startsWith('sha256:')) {
      if (!/^sha256:[0-9a-f]{12,64}$/.test(rest)) return `expected a digest sha256:<at least 12 lower-case hex digits>, got ${JSON.stringify(rest)}`;
      return { kind: 'image', id: text, subject, component, digest: rest };
    }
    if (!/^[\w][\w.-]{0,127}$/.test(rest)) return `expected a digest (sha256:…) or a tag after the @, got ${JSON.stringify(rest)}`;
    return { kind: 'image', id: text, subject, component, tag: rest };
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(subject)) return `expected a module alias before the @, got ${JSON.stringify(subject)}`;
  return { kind: 'module', id: text, subject, module: subject, version: rest };
}

/** Whether a pinned value (a module version, an image reference) is this candidate. */
export function isCandidateValue(q: CandidateQuery, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (q.kind === 'module') return value === q.version;
  const { tag, digest } = parseImageReference(value);
  if (q.digest !== undefined) return digest !== undefined && digest.startsWith(q.digest);
  return tag === q.tag;
}

/** A measured metric check on a verify entry (`verify --metrics --record`; the analysis gate's evidence). */
export type MeasuredCheck = MetricResult;

/** The metric checks a verify entry measured (none on a cluster-only verify). */
export function measuredChecks(e: HistoryEntry): readonly MetricResult[] {
  return e.metrics ?? [];
}

/** `error-rate: worst 0.0049 (max 0.01) over 30m, 31 points: pass` — the line `verify --metrics` prints. */
export const formatMeasured = formatMetricLine;

/** Whether a history entry names the candidate: a pin change to or from it, a verify that saw it, an approval of it. */
export function namesCandidate(q: CandidateQuery, e: HistoryEntry): boolean {
  if (e.action === 'promote' || e.action === 'rollback') return subjectOf(e) === q.subject && (isCandidateValue(q, e.new) || isCandidateValue(q, e.previous));
  if (e.action === 'verify') return isCandidateValue(q, seenBy(q, e));
  if (e.action === 'approve') return approvalsOf(q, e).length > 0;
  return false;
}

/** What a verify entry saw of the candidate's subject: the module's version in the lock, or the component's image. */
function seenBy(q: CandidateQuery, e: HistoryEntry): string | undefined {
  return q.kind === 'module' ? e.lock?.[q.module] : e.images?.[q.component];
}

interface ApprovedCandidate {
  readonly candidate: string;
  readonly sha256?: string | null;
  readonly ref?: string;
  readonly rollback_target?: string | null;
  readonly window?: string;
  readonly waived?: readonly string[];
}

/** The candidates an `approve` entry approves that are this one. */
function approvalsOf(q: CandidateQuery, e: HistoryEntry): ApprovedCandidate[] {
  const a = (e as { approval?: { candidates?: readonly ApprovedCandidate[] } }).approval;
  return (a?.candidates ?? []).filter((c) => {
    if (typeof c?.candidate !== 'string') return false;
    const at = c.candidate.indexOf('@');
    if (c.candidate.slice(0, at) !== q.subject) return false;
    const value = c.candidate.slice(at + 1);
    if (q.kind === 'module') return value === q.version;
    return isCandidateValue(q, c.ref ?? `x@${value}`);
  });
}

/** An `approve` entry as evidence, once per approved candidate that is this one. */
function approvalEvidence(q: CandidateQuery, a: HistoryEntry): ApprovalEvidence[] {
  return approvalsOf(q, a).map((c) => ({
    kind: 'approval' as const,
    time: a.time,
    to: a.to,
    approver: (a as { approval?: { approver?: string | null } }).approval?.approver ?? null,
    from: a.from,
    ...(c.window !== undefined ? { window: c.window } : {}),
    ...(c.rollback_target !== undefined ? { rollback_target: c.rollback_target } : {}),
    waived: c.waived ?? [],
  }));
}

/** A verify entry as evidence: when, pass/fail, what it checked, what it measured. */
export interface VerifyEvidence {
  readonly kind: 'verify';
  readonly time: string;
  readonly passed: boolean;
  readonly checks: readonly string[];
  readonly findings: readonly string[];
  /** Cluster evidence: the lock checksums seen on the live pod templates. */
  readonly lock_checksums: readonly string[];
  readonly metrics: readonly MeasuredCheck[];
}

export interface ApprovalEvidence {
  readonly kind: 'approval';
  readonly time: string;
  /** The stage approved: the ring a promotion goes into. */
  readonly to: string;
  readonly approver: string | null;
  readonly from: string | null;
  readonly window?: string;
  readonly rollback_target?: string | null;
  readonly waived: readonly string[];
}

/** What the candidate did in one ring: the seed's per-stage result. */
export interface CandidateStage {
  /** The ring (the lifecycle's target environment), its namespace and, with [clusters], its cluster. */
  readonly target: { readonly ring: string; readonly namespace: string; readonly cluster?: string };
  /** `running` now; `replaced` by a later pin; `rolled back`. */
  readonly status: 'running' | 'replaced' | 'rolled back';
  readonly arrived: {
    readonly time: string;
    readonly actor: string;
    /** The ring it was promoted from; null for a pin into the entry ring (`--with-version`). */
    readonly from: string | null;
    readonly reason: string | null;
    /** `promote`, or `rollback` when a rollback brought it back. */
    readonly action: string;
    readonly train?: string;
  };
  readonly left?: { readonly time: string; readonly actor: string; readonly action: string; readonly to: string | null; readonly reason: string | null; readonly train?: string };
  /** The ring's soak, and when this candidate has soaked in it (measured from its arrival). */
  readonly soak: { readonly required: string; readonly until: string; readonly remaining: string | null };
  /** Every check run for this stage: the gates of its promotion in, and the verify checks and metric checks run while it ran. */
  readonly checks_run: readonly string[];
  /** Pass/fail: the latest verify (cluster and metrics) while it ran; false when its promotion waived a gate and nothing verified it since; null while nothing was verified. */
  readonly passed: boolean | null;
  /** The promotion's own evidence (soak, verified, analysis, approval…), then every verify and approval naming it. */
  readonly evidence: readonly (PromotionEvidence | VerifyEvidence | ApprovalEvidence)[];
  /** What a rollback of this promotion restores (null: unpin / the platform default). */
  readonly rollback_target: string | null;
  /** The approving human (the approval gate's verified signer), "not required", or "waived (emergency)"; null when required but none was recorded. */
  readonly approver: string | null;
  /** The gates waived with --emergency for this promotion, with the entry's reason. */
  readonly waived: readonly string[];
}

export interface CandidateRecord {
  readonly candidate: string;
  /** The workload identity: the platform and the module (or ring image component). */
  readonly identity: { readonly platform: string; readonly kind: 'module' | 'image'; readonly name: string };
  /** Source revision: the module version (with its sha256 in AutoCom's lock form). */
  readonly revision?: { readonly version: string; readonly sha256: string | null };
  /** Image digest (and the full reference as last pinned). */
  readonly digest?: { readonly digest: string | null; readonly ref: string | null };
  /** Least conservative ring first (the order a candidate travels). */
  readonly stages: readonly CandidateStage[];
  /** Rings that run it now. */
  readonly running_in: readonly string[];
  /** Every recorded approval of it (`rings approve`), for any stage, oldest first. */
  readonly approvals: readonly ApprovalEvidence[];
  /** The promotion that would move it on: from the most conservative ring running it to the next one. */
  readonly next?: { readonly from: string; readonly to: string; readonly command: string; readonly approval_required: boolean };
  /** Every history entry naming it, oldest first. */
  readonly entries: readonly HistoryEntry[];
}

/** The cluster a ring runs on, where the registry has [clusters] (the ring's `cluster`, else the home cluster). */
export function ringCluster(reg: Registry, ring: string): string | undefined {
  const p = reg.platform as { clusters?: Record<string, unknown>; home_cluster?: string };
  if (!p.clusters || Object.keys(p.clusters).length === 0) return undefined;
  const spec = reg.rings.find((r) => r.spec.name === ring)?.spec as { cluster?: string } | undefined;
  return spec?.cluster ?? p.home_cluster;
}

const byTime = (a: HistoryEntry, b: HistoryEntry) => Date.parse(a.time) - Date.parse(b.time);

/** The record of one candidate. */
export function candidateRecord(reg: Registry, history: readonly HistoryEntry[], q: CandidateQuery, now: Date): CandidateRecord {
  const entries = history.filter((e) => namesCandidate(q, e)).sort(byTime);
  const ringsByFlow = [...reg.rings].sort((a, b) => b.spec.promotion_order - a.spec.promotion_order);
  const stages: CandidateStage[] = [];
  for (const r of ringsByFlow) {
    const ring = r.spec.name;
    // The pin changes of this subject in this ring, oldest first; each arrival of the candidate is a stage.
    const changes = history.filter((e) => (e.action === 'promote' || e.action === 'rollback') && subjectOf(e) === q.subject && e.to === ring).sort(byTime);
    changes.forEach((e, i) => {
      // An arrival: a change that pins the candidate where the change before it did not (a rollback back to it counts).
      if (!isCandidateValue(q, e.new) || (i > 0 && isCandidateValue(q, changes[i - 1].new))) return;
      const next = changes.slice(i + 1).find((x) => !isCandidateValue(q, x.new));
      const until = next ? Date.parse(next.time) : Infinity;
      const during = (x: HistoryEntry) => Date.parse(x.time) >= Date.parse(e.time) && Date.parse(x.time) <= until;
      const verifies = history.filter((x) => x.action === 'verify' && x.to === ring && during(x) && isCandidateValue(q, seenBy(q, x))).sort(byTime);
      const approvals = entries.filter((x) => x.action === 'approve' && x.to === ring && Date.parse(x.time) <= Date.parse(e.time));
      const soakMs = parseDuration(r.spec.soak);
      const soakedAt = Date.parse(e.time) + soakMs;
      const remaining = next ? null : soakedAt > now.getTime() ? formatDuration(soakedAt - now.getTime()) : null;
      const lastVerify = verifies[verifies.length - 1];
      const waived = e.gates_waived;
      const gateEvidence = (e.evidence ?? []).find((ev) => ev.gate === 'approval');
      const required = (r.spec as { require_approval?: boolean }).require_approval === true;
      let approver: string | null;
      if (gateEvidence?.waived) approver = 'waived (emergency)';
      else if (gateEvidence?.approver) approver = gateEvidence.approver;
      else approver = required ? null : 'not required';
      const verifyEvidence: VerifyEvidence[] = verifies.map((v) => ({
        kind: 'verify',
        time: v.time,
        passed: v.passed ?? false,
        checks: v.checks ?? [],
        findings: v.findings ?? [],
        lock_checksums: v.lock_checksums ?? [],
        metrics: measuredChecks(v),
      }));
      const approvalList = approvals.flatMap((a) => approvalEvidence(q, a));
      const checks = [...new Set([...e.gates_checked, ...verifies.flatMap((v) => v.checks ?? []), ...verifies.flatMap((v) => measuredChecks(v).map((m) => `metric:${m.name}`))])];
      stages.push({
        target: { ring, namespace: r.spec.namespace, ...(ringCluster(reg, ring) ? { cluster: ringCluster(reg, ring)! } : {}) },
        status: !next ? 'running' : next.action === 'rollback' ? 'rolled back' : 'replaced',
        arrived: { time: e.time, actor: e.actor, from: e.from, reason: e.reason, action: e.action, ...(e.train ? { train: e.train } : {}) },
        ...(next ? { left: { time: next.time, actor: next.actor, action: next.action, to: next.new, reason: next.reason, ...(next.train ? { train: next.train } : {}) } } : {}),
        soak: { required: r.spec.soak, until: isoSeconds(new Date(soakedAt)), remaining },
        checks_run: checks,
        passed: lastVerify ? lastVerify.passed === true : waived.length > 0 ? false : null,
        evidence: [...(e.evidence ?? []), ...verifyEvidence, ...approvalList],
        rollback_target: e.rollback_target !== undefined ? e.rollback_target : e.previous,
        approver,
        waived,
      });
    });
  }
  const running = reg.rings
    .filter((r) => {
      if (q.kind === 'module') return reg.locks[r.spec.name]?.modules[q.module] === q.version;
      const images = r.spec.images as Record<string, string | undefined> | undefined;
      const ref = images?.[q.component] ?? (reg.platform.images as Record<string, string | undefined>)[q.component];
      return isCandidateValue(q, ref);
    })
    .sort((a, b) => b.spec.promotion_order - a.spec.promotion_order)
    .map((r) => r.spec.name);
  const approvals = entries.filter((x) => x.action === 'approve').flatMap((a) => approvalEvidence(q, a));
  const active = reg.rings.filter((r) => r.spec.active).sort((a, b) => b.spec.promotion_order - a.spec.promotion_order);
  const last = active.filter((r) => running.includes(r.spec.name)).pop();
  const after = last ? active.find((r) => r.spec.promotion_order < last.spec.promotion_order) : undefined;
  const next =
    last && after
      ? {
          from: last.spec.name,
          to: after.spec.name,
          command: q.kind === 'module' ? `rings promote ${q.module} --from ${last.spec.name} --to ${after.spec.name}` : `rings promote image ${q.component} --from ${last.spec.name} --to ${after.spec.name}`,
          approval_required: (after.spec as { require_approval?: boolean }).require_approval === true,
        }
      : undefined;
  const common = { stages, running_in: running, approvals, ...(next ? { next } : {}), entries };
  const identity = { platform: reg.platform.name, kind: q.kind, name: q.kind === 'module' ? q.module : q.component };
  if (q.kind === 'module') {
    const sha = entries.map((e) => (e.action === 'promote' && e.new === q.version ? e.new_sha256 : undefined)).find((s) => typeof s === 'string') ?? Object.values(reg.locks).map((l) => (l.modules[q.module] === q.version ? l.hashes?.[q.module] : undefined)).find((s) => s !== undefined);
    return { candidate: q.id, identity, revision: { version: q.version, sha256: sha ?? null }, ...common };
  }
  const refs = entries.flatMap((e) => [e.new, e.previous]).filter((v): v is string => isCandidateValue(q, v));
  const ref = refs[refs.length - 1] ?? null;
  return { candidate: q.id, identity, digest: { digest: ref ? (parseImageReference(ref).digest ?? null) : (q.digest ?? null), ref }, ...common };
}
