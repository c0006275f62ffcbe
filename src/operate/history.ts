/**
 * The audit trail: `rings/history.jsonl`, one JSON object per line, appended by every `assign`,
 * `promote` and `rollback`. The registry loader never reads it (it only reads *.toml and
 * locks/*.json); the soak gate and `rollback` do. Everything here is pure.
 */
import type { MetricResult } from './verify/metrics';

export type HistoryAction = 'assign' | 'promote' | 'rollback' | 'ring-add' | 'ring-retire' | 'verify' | 'approve';

/** What a promotion relied on, kept in its history entry (non-secret: times, names, checksums). */
export interface PromotionEvidence {
  readonly gate: string;
  /** soak: when the version arrived in the source ring. */
  readonly arrived?: string;
  /** verified: the time of the passing `verify` entry relied on, and the lock checksum it saw. */
  readonly verified_at?: string;
  readonly lock_checksums?: readonly string[];
  /** A gate waived with --emergency (its reason is the entry's reason). */
  readonly waived?: boolean;
  /** analysis: the time of the passing `verify --metrics` entry relied on. */
  readonly measured_at?: string;
  /** approval: the principal of the verified signature, the approval commit and its approval time. */
  readonly approver?: string;
  readonly commit?: string;
  readonly approved_at?: string;
}

/** An `approve` entry's own fields (see approvals.ts); the approval gate never reads them, only the signed commit. */
export interface ApprovalHistory {
  /** The principal of the approver's signing key in rings/approvers, as the approver's machine saw it. */
  readonly approver: string | null;
  readonly candidates: readonly ApprovalHistoryCandidate[];
  /** --retrospective: the emergency promote entry it approves after the fact. */
  readonly retrospective_of?: { readonly time: string; readonly actor: string; readonly commit: string | null };
}

export interface ApprovalHistoryCandidate {
  /** `orders@1.6.0` or `image:api@sha256:…`. */
  readonly candidate: string;
  /** module: the sha256 pinned with the version (AutoCom's lock form). */
  readonly sha256?: string | null;
  /** image: the full reference. */
  readonly ref?: string;
  /** What the destination pins now (what a rollback restores), `null` = not pinned / the platform default. */
  readonly rollback_target: string | null;
  /** The observation window in the source ring. */
  readonly window: string;
  /** Gates the approval knowingly waives (`--waive`). */
  readonly waived: readonly string[];
}

export interface HistoryEntry {
  /** UTC, ISO 8601, seconds precision: `2026-11-23T12:00:00Z`. */
  readonly time: string;
  /** `Name <email>` from git config, or `$USER`. */
  readonly actor: string;
  readonly action: HistoryAction;
  /** Set for `assign`. */
  readonly tenant?: string;
  /** Set for `promote` and `rollback` of a module. */
  readonly module?: string;
  /** Set for `promote` and `rollback` of a ring image: the component (`api`, `horizon`, `nginx`); `previous`/`new` are image references. */
  readonly image?: string;
  /** Source ring: the tenant's old ring, the ring promoted from; null for `--with-version` pins, new tenants and rollbacks. */
  readonly from: string | null;
  /** The ring changed (assign: the tenant's new ring). */
  readonly to: string;
  /** Version pinned in `to` before the change (what a rollback restores); null when the module was not pinned there or for assign. */
  readonly previous: string | null;
  /** Version pinned in `to` after the change; null for assign. */
  readonly new: string | null;
  /** The sha256 pinned with `previous` (AutoCom's lock form only): what a rollback restores with it. */
  readonly previous_sha256?: string | null;
  /** The sha256 pinned with `new` (AutoCom's lock form only). */
  readonly new_sha256?: string | null;
  readonly reason: string | null;
  readonly gates_checked: readonly string[];
  readonly gates_waived: readonly string[];
  /** promote: the pin a rollback restores (the previous version, null = unpin). */
  readonly rollback_target?: string | null;
  /** promote: the evidence each gate relied on. */
  readonly evidence?: readonly PromotionEvidence[];
  /** verify, with [clusters]: the cluster the ring was read on. */
  readonly cluster?: string;
  /** verify: whether every check passed. */
  readonly passed?: boolean;
  /** verify: the checks run (`deployment`, `rollout`, …, `probe`). */
  readonly checks?: readonly string[];
  /** verify: how many findings, and their one-line texts (object names and states, never values of secrets). */
  readonly findings?: readonly string[];
  /** verify: `rings.cdk8s.io/lock-checksum` seen on the ring's live pod templates. */
  readonly lock_checksums?: readonly string[];
  /** verify: Deployment → pod-template-hash of its running pods. */
  readonly pod_template_hashes?: Readonly<Record<string, readonly string[]>>;
  /** verify: the ring's lock (module → version) the cluster was compared with. */
  readonly lock?: Readonly<Record<string, string>>;
  /** verify: Deployment → image of its first container, as compared (api, horizon, nginx: what `promote image` pins). */
  readonly images?: Readonly<Record<string, string>>;
  /**
   * A release train (`promote --all`, `rollback --train`): the id every line of the one change shares,
   * e.g. `canary-edge-20261123T120000Z` (see train.ts).
   */
  readonly train?: string;
  /** rollback --train: the id of the train it rolls back (its own lines share a new `train` id). */
  readonly rolls_back?: string;
  /** approve: what was approved, by whom (see ApprovalHistory). */
  readonly approval?: ApprovalHistory;
  // verify --metrics (the analysis gate's evidence; see analysis-gate.ts)
  /** verify --metrics: where `lock` and `images` were read: "registry" (no cluster was read). Absent: the cluster. */
  readonly source?: 'registry';
  /** verify --metrics: the Prometheus base URL the checks were evaluated in (never with credentials). */
  readonly prometheus?: string;
  /** verify --metrics: the measured result of every check of the ring. */
  readonly metrics?: readonly MetricResult[];
}

export const HISTORY_FILE = 'history.jsonl';

/** What a train id looks like: `canary-edge-20261123T120000Z`, `rollback-edge-20261124T090000Z-2`. */
export const TRAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface HistoryProblem {
  readonly line: number;
  readonly message: string;
}

/** Parses the file; lines that are not valid entries become problems (blank lines are skipped). */
export function parseHistory(text: string): { entries: HistoryEntry[]; problems: HistoryProblem[] } {
  const entries: HistoryEntry[] = [];
  const problems: HistoryProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      problems.push({ line: i + 1, message: 'expected a JSON object, got invalid JSON' });
      return;
    }
    const p = entryProblem(v);
    if (p) problems.push({ line: i + 1, message: p });
    else entries.push(withDefaults(v as HistoryEntry));
  });
  return { entries, problems };
}

function entryProblem(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'expected a JSON object';
  const e = v as Record<string, unknown>;
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return 'time: expected an ISO 8601 time';
  if (!['assign', 'promote', 'rollback', 'ring-add', 'ring-retire', 'verify', 'approve'].includes(e.action as string)) {
    return `action: expected assign, promote, rollback, ring-add, ring-retire, verify or approve, got ${JSON.stringify(e.action)}`;
  }
  if (typeof e.to !== 'string') return 'to: expected a ring name';
  if (e.action === 'verify') {
    if (typeof e.passed !== 'boolean') return 'passed: expected true or false';
    if (e.lock !== undefined && (e.lock === null || typeof e.lock !== 'object' || Array.isArray(e.lock))) return 'lock: expected an object of module versions';
    return metricsProblem(e);
  }
  if (e.action === 'approve') {
    const a = e.approval as { candidates?: unknown } | null | undefined;
    if (a === null || typeof a !== 'object' || !Array.isArray(a.candidates)) return 'approval: expected an object with the approved candidates';
    return undefined;
  }
  if (e.action === 'assign' && typeof e.tenant !== 'string') return 'tenant: expected a tenant name';
  const pin = e.action === 'promote' || e.action === 'rollback';
  if (pin && typeof e.module !== 'string' && typeof e.image !== 'string') return 'module: expected a module name (or image: a component)';
  if (pin && typeof e.new !== 'string' && e.new !== null) return 'new: expected a version or null';
  for (const k of ['train', 'rolls_back']) {
    if (e[k] !== undefined && (typeof e[k] !== 'string' || !TRAIN_ID.test(e[k] as string))) return `${k}: expected a train id (letters, digits, '.', '_', '-'), got ${JSON.stringify(e[k])}`;
  }
  for (const k of ['previous_sha256', 'new_sha256']) {
    const h = e[k];
    if (h !== undefined && h !== null && (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h))) return `${k}: expected a sha256 (64 lower-case hex characters) or null`;
  }
  return undefined;
}

const METRIC_RESULTS = ['pass', 'fail', 'no-data', 'error'];

/** The verify --metrics fields of an entry, when it has them. */
function metricsProblem(e: Record<string, unknown>): string | undefined {
  if (e.source !== undefined && e.source !== 'registry') return `source: expected "registry" or no source, got ${JSON.stringify(e.source)}`;
  if (e.metrics === undefined) return undefined;
  if (!Array.isArray(e.metrics)) return 'metrics: expected an array of measured checks';
  for (const [i, m] of (e.metrics as unknown[]).entries()) {
    const r = m as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return `metrics.${i}: expected an object`;
    if (typeof r.name !== 'string') return `metrics.${i}.name: expected a check name`;
    if (typeof r.query !== 'string') return `metrics.${i}.query: expected the query evaluated`;
    if (!METRIC_RESULTS.includes(r.result as string)) return `metrics.${i}.result: expected pass, fail, no-data or error, got ${JSON.stringify(r.result)}`;
    if (typeof r.points !== 'number' || !Number.isInteger(r.points) || r.points < 0) return `metrics.${i}.points: expected a whole number ≥ 0`;
    if (r.worst !== null && r.worst !== undefined && typeof r.worst !== 'number' && r.worst !== '+Inf' && r.worst !== '-Inf') return `metrics.${i}.worst: expected a number, "+Inf", "-Inf" or null`;
  }
  return undefined;
}

/** A measured check with its keys in a fixed order (optional ones only when set). */
function orderedMetric(m: MetricResult): Record<string, unknown> {
  const o: Record<string, unknown> = { name: m.name, query: m.query, window: m.window, step: m.step, points: m.points, series: m.series, worst: m.worst, worst_at: m.worst_at };
  if (m.min !== undefined) o.min = m.min;
  if (m.max !== undefined) o.max = m.max;
  o.result = m.result;
  if (m.on_no_data !== undefined) o.on_no_data = m.on_no_data;
  if (m.reason !== undefined) o.reason = m.reason;
  if (m.error !== undefined) o.error = m.error;
  if (m.nan_points !== undefined) o.nan_points = m.nan_points;
  return o;
}

/** verify entries carry only their own keys on disk; in memory they get the common ones (null / []). */
function withDefaults(e: HistoryEntry): HistoryEntry {
  if (e.action !== 'verify') return e;
  const defaults: Record<string, unknown> = { from: null, previous: null, new: null, reason: null, gates_checked: [], gates_waived: [] };
  return { ...defaults, ...e } as HistoryEntry;
}

/** One line, keys in a fixed order, no trailing newline. */
export function formatHistoryLine(e: HistoryEntry): string {
  const ordered: Record<string, unknown> = { time: e.time, actor: e.actor, action: e.action };
  if (e.action === 'verify') {
    Object.assign(ordered, {
      to: e.to,
      ...(e.cluster !== undefined ? { cluster: e.cluster } : {}),
      passed: e.passed,
      checks: e.checks ?? [],
      findings: e.findings ?? [],
      lock_checksums: e.lock_checksums ?? [],
      pod_template_hashes: e.pod_template_hashes ?? {},
      lock: e.lock ?? {},
      images: e.images ?? {},
    });
    if (e.source !== undefined) ordered.source = e.source;
    if (e.prometheus !== undefined) ordered.prometheus = e.prometheus;
    if (e.metrics !== undefined) ordered.metrics = e.metrics.map(orderedMetric);
    return JSON.stringify(ordered);
  }
  if (e.tenant !== undefined) ordered.tenant = e.tenant;
  if (e.module !== undefined) ordered.module = e.module;
  if (e.image !== undefined) ordered.image = e.image;
  Object.assign(ordered, {
    from: e.from,
    to: e.to,
    previous: e.previous,
    new: e.new,
  });
  if (e.previous_sha256 !== undefined || e.new_sha256 !== undefined) Object.assign(ordered, { previous_sha256: e.previous_sha256 ?? null, new_sha256: e.new_sha256 ?? null });
  Object.assign(ordered, {
    reason: e.reason,
    gates_checked: e.gates_checked,
    gates_waived: e.gates_waived,
  });
  if (e.rollback_target !== undefined) ordered.rollback_target = e.rollback_target;
  if (e.evidence !== undefined) ordered.evidence = e.evidence;
  if (e.train !== undefined) ordered.train = e.train;
  if (e.rolls_back !== undefined) ordered.rolls_back = e.rolls_back;
  if (e.approval !== undefined) ordered.approval = e.approval;
  return JSON.stringify(ordered);
}

/** `2026-11-23T12:00:00Z`: whole seconds, so the file stays readable and diffable. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface HistoryFilter {
  readonly module?: string;
  readonly ring?: string;
  readonly tenant?: string;
  /** A train id: its lines, and those of a rollback of it. */
  readonly train?: string;
}

/** Entries matching every given criterion; a ring matches as source or destination. */
export function filterHistory(entries: readonly HistoryEntry[], f: HistoryFilter): HistoryEntry[] {
  return entries.filter(
    (e) =>
      (f.module === undefined || e.module === f.module) &&
      (f.tenant === undefined || e.tenant === f.tenant) &&
      (f.ring === undefined || e.to === f.ring || e.from === f.ring) &&
      (f.train === undefined || e.train === f.train || e.rolls_back === f.train),
  );
}

/** What a promote or rollback pinned: the module's alias, or `image:<component>` for a ring image. */
export function subjectOf(e: HistoryEntry): string | undefined {
  return e.image !== undefined ? imageSubject(e.image) : e.module;
}

/** The history subject of a ring image (module aliases never contain a colon). */
export const imageSubject = (component: string) => `image:${component}`;

/** Entries that changed the pin of `module` (or `image:<component>`) in `ring`, oldest first. */
function pinChanges(entries: readonly HistoryEntry[], module: string, ring: string): HistoryEntry[] {
  return entries
    .filter((e) => (e.action === 'promote' || e.action === 'rollback') && subjectOf(e) === module && e.to === ring)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/**
 * When `version` of `module` arrived in `ring`: the time of the latest change of that pin, if that
 * change set `version`. Undefined when history has no such record (the soak gate then refuses:
 * without evidence of how long it ran, it has not soaked).
 */
export function arrivalTime(entries: readonly HistoryEntry[], module: string, ring: string, version: string): string | undefined {
  const changes = pinChanges(entries, module, ring);
  const last = changes[changes.length - 1];
  return last && last.new === version ? last.time : undefined;
}

export type RollbackPlan = { ok: true; target: string | null; targetSha256: string | null; undoing: HistoryEntry } | { ok: false; message: string };

/**
 * What `rollback` restores: promotions into a ring form a stack and each rollback pops one, so
 * repeated rollbacks walk back through the promotions. The current pin must be what the last
 * un-rolled-back promotion set, or the lock was edited outside the CLI and history cannot be trusted.
 */
export function rollbackPlan(entries: readonly HistoryEntry[], module: string, ring: string, current: string | undefined): RollbackPlan {
  const stack = promotionStack(entries, module, ring);
  const top = stack[stack.length - 1];
  if (!top) return { ok: false, message: `history has no promotion of ${module} into ${ring} left to roll back` };
  if ((current ?? null) !== top.new) {
    return {
      ok: false,
      message: `${ring} pins ${module} ${current ?? '(nothing)'} but the last promotion recorded set ${top.new}; the lock was changed outside rings, so restore it by hand`,
    };
  }
  return { ok: true, target: top.previous, targetSha256: top.previous_sha256 ?? null, undoing: top };
}

/** The promotions of `module` into `ring` that no rollback has undone yet, oldest first (the last is what a rollback undoes). */
export function promotionStack(entries: readonly HistoryEntry[], module: string, ring: string): HistoryEntry[] {
  const stack: HistoryEntry[] = [];
  for (const e of pinChanges(entries, module, ring)) {
    if (e.action === 'promote') stack.push(e);
    else stack.pop();
  }
  return stack;
}

/**
 * What a promotion's gates relied on, for its history entry: when the version arrived (soak), which
 * verify entry (verified), and every waived gate.
 */
export function promotionEvidence(
  results: ReadonlyArray<{ readonly gate: string; readonly ok: boolean; readonly evidence?: PromotionEvidence }>,
  history: readonly HistoryEntry[],
  subject: string,
  from: string | undefined,
  version: string,
): PromotionEvidence[] {
  const out: PromotionEvidence[] = [];
  for (const r of results) {
    if (!r.ok) out.push({ gate: r.gate, waived: true });
    else if (r.gate === 'soak' && from !== undefined) {
      const arrived = arrivalTime(history, subject, from, version);
      if (arrived) out.push({ gate: 'soak', arrived });
    } else if (r.evidence) out.push(r.evidence);
  }
  return out;
}
