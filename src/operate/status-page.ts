/**
 * What `rings status --html` shows, as plain data: the rings in promotion order (where each runs,
 * what it requires, its last verify), and for each step between two rings the candidates the less
 * conservative one runs ahead of the next — soak remaining, the last verify and metric values, the
 * approval present or missing, what the gates say now, and the exact command that would promote it.
 * The gates and approvals are asked through callbacks (the command passes the single promote's
 * planners and the approval gate's status), so the page says what `rings promote` would say.
 */
import { parseImageReference } from '../model/images';
import type { RingSummaryOf } from '../model/ring-summary';
import type { Registry } from '../registry/load';
import { formatDuration, parseDuration } from './gates';
import { measuredChecks, MeasuredCheck, ringCluster } from './candidate-record';
import { arrivalTime, HistoryEntry } from './history';
import { TrainItem, trainItems } from './train-items';

export interface PageVerify {
  readonly time: string;
  readonly passed: boolean;
  readonly checks: readonly string[];
  readonly findings: number;
  readonly firstFinding?: string;
  readonly metrics: readonly MeasuredCheck[];
}


export interface PageApproval {
  /** `not-required`; `present` (a counting signed approval); `missing`; `unverifiable` (cannot be checked here, e.g. no git). */
  readonly state: 'not-required' | 'present' | 'missing' | 'unverifiable';
  readonly approver?: string;
  readonly commit?: string;
  readonly approvedAt?: string;
  /** Why it is missing or cannot be checked. */
  readonly detail?: string;
  /** The command an approver runs. */
  readonly command?: string;
}

export interface PageGates {
  /** Every gate passes now: the promote command would succeed. */
  readonly ok: boolean;
  readonly refused: readonly { readonly gate: string; readonly message: string }[];
  /** A problem that is no gate (e.g. a lock form mismatch). */
  readonly problem?: string;
}

export interface PageCandidate {
  readonly kind: 'module' | 'image';
  /** `orders`, `image api`. */
  readonly name: string;
  /** What the source ring runs (a version, or an image reference). */
  readonly value: string;
  /** What the destination runs now (null: not pinned). */
  readonly current: string | null;
  /** `orders@1.6.1`, `image:api@sha256:…`: what `rings history --candidate` takes. */
  readonly id: string;
  /** When it arrived in the source ring (undefined: history has no record). */
  readonly arrived?: string;
  /** Soak left in the source ring: null once soaked; undefined when it cannot be told (no arrival record). */
  readonly soakRemaining?: string | null;
  readonly soakUntil?: string;
  /** The latest verify of the source ring, and whether it saw this candidate. */
  readonly lastVerify?: PageVerify & { readonly sawCandidate: boolean };
  readonly approval: PageApproval;
  readonly gates: PageGates;
  /** The exact promote line. */
  readonly command: string;
}

export interface PageStep {
  readonly from: string;
  readonly to: string;
  readonly candidates: readonly PageCandidate[];
  /** `rings promote --all --from R1 --to R2`, when there is more than one candidate. */
  readonly trainCommand?: string;
  /** Modules the destination pins and the source does not (a train leaves them). */
  readonly left: readonly string[];
}

export interface StatusPage {
  readonly platform: string;
  readonly domain: string;
  /** The clock the page was made at (RINGS_NOW, or now). */
  readonly at: string;
  /** Least conservative first: the order versions travel. */
  /** Each ring card: the ring summary's facts, and the ring's latest verify. */
  readonly rings: readonly (RingSummaryOf<'promotionOrder' | 'soak' | 'tenants' | 'active' | 'default' | 'home' | 'requires'> & { readonly lastVerify?: PageVerify })[];
  readonly steps: readonly PageStep[];
  /** Rings other than active ones are shown but take no part in the steps. */
  readonly inactive: readonly string[];
}

export interface PageCallbacks {
  /** What the promote's gates say for this item now. */
  readonly gates: (item: TrainItem) => PageGates;
  /** Whether a counting approval exists for this item's promotion. */
  readonly approval: (item: TrainItem) => PageApproval;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pageVerify(e: HistoryEntry): PageVerify {
  return {
    time: e.time,
    passed: e.passed === true,
    checks: e.checks ?? [],
    findings: e.findings?.length ?? 0,
    ...(e.findings?.length ? { firstFinding: e.findings[0] } : {}),
    metrics: measuredChecks(e),
  };
}

function latestVerify(history: readonly HistoryEntry[], ring: string): HistoryEntry | undefined {
  return history.filter((e) => e.action === 'verify' && e.to === ring).sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).pop();
}

/** The page's data. */
export function statusPage(reg: Registry, history: readonly HistoryEntry[], now: Date, cb: PageCallbacks): StatusPage {
  const flow = [...reg.rings].sort((a, b) => b.spec.promotion_order - a.spec.promotion_order);
  const rings: StatusPage['rings'] = flow.map((r) => {
    const spec = r.spec as typeof r.spec & { require_approval?: boolean; analysis?: { checks?: readonly unknown[] } };
    const requires = [
      ...(spec.require_verified ? ['verified'] : []),
      ...(spec.analysis?.checks?.length ? ['analysis'] : []),
      ...(spec.require_approval ? ['approval'] : []),
    ];
    const v = latestVerify(history, r.spec.name);
    const cluster = ringCluster(reg, r.spec.name);
    return {
      ring: r.spec.name,
      namespace: r.spec.namespace,
      ...(cluster ? { cluster } : {}),
      promotionOrder: r.spec.promotion_order,
      soak: r.spec.soak,
      tenants: Object.values(reg.tenants).filter((t) => t === r.spec.name).length,
      active: r.spec.active,
      default: r.spec.default,
      home: r.spec.name === reg.platform.home_ring,
      requires,
      ...(v ? { lastVerify: pageVerify(v) } : {}),
    };
  });
  const active = flow.filter((r) => r.spec.active);
  const steps: PageStep[] = [];
  for (let i = 0; i + 1 < active.length; i++) {
    const from = active[i].spec;
    const to = active[i + 1].spec;
    const { items, left } = trainItems(reg, from.name, to.name);
    const v = latestVerify(history, from.name);
    const candidates = items.map((item): PageCandidate => {
      const value = item.kind === 'module' ? item.version : item.ref;
      const arrived = arrivalTime(history, item.subject, from.name, value);
      const soakMs = parseDuration(from.soak);
      const until = arrived !== undefined ? Date.parse(arrived) + soakMs : undefined;
      const soak =
        until !== undefined
          ? { soakRemaining: until > now.getTime() ? formatDuration(until - now.getTime()) : null, soakUntil: iso(until) }
          : soakMs === 0
            ? { soakRemaining: null }
            : {};
      const saw = v ? (item.kind === 'module' ? v.lock?.[item.module] === item.version : v.images?.[item.component] === item.ref) : false;
      const digest = item.kind === 'image' ? parseImageReference(item.ref).digest : undefined;
      return {
        kind: item.kind,
        name: item.kind === 'module' ? item.module : `image ${item.component}`,
        value,
        current: item.kind === 'module' ? item.previous : item.previousEffective,
        id: item.kind === 'module' ? `${item.module}@${item.version}` : `image:${item.component}@${digest ?? item.ref}`,
        ...(arrived !== undefined ? { arrived } : {}),
        ...soak,
        ...(v ? { lastVerify: { ...pageVerify(v), sawCandidate: saw } } : {}),
        approval: cb.approval(item),
        gates: cb.gates(item),
        command: item.command,
      };
    });
    steps.push({ from: from.name, to: to.name, candidates, ...(items.length > 1 ? { trainCommand: `rings promote --all --from ${from.name} --to ${to.name}` } : {}), left });
  }
  return {
    platform: reg.platform.name,
    domain: reg.platform.domain,
    at: iso(now.getTime()),
    rings,
    steps,
    inactive: flow.filter((r) => !r.spec.active).map((r) => r.spec.name),
  };
}
