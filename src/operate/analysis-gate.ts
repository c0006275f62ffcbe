/**
 * The `analysis` promotion gate: a ring that declares metric checks (`[[analysis.checks]]`) lets a
 * version (or image) leave only with measured evidence that it ran well there — a passing
 * `rings verify --ring <ring> --metrics --record` that measured that candidate, over a window that
 * began after the candidate arrived and recorded at least the ring's soak after it arrived, with
 * every check the ring declares now, and no later failing one. Pure, like gates.ts and
 * evidence-gate.ts (the `verified` gate, which stays about the cluster).
 */
import { parseGoDuration } from '../model/analysis';
import { ringQuery } from '../registry/rules/analysis-rules';
import type { Registry } from '../registry/load';
import { formatMetricLine, metricPassed, MetricResult } from './verify/metrics';
import { formatDuration, GateResult, parseDuration } from './gates';
import { arrivalTime, HistoryEntry, isoSeconds, PromotionEvidence } from './history';

export interface AnalysisGateResult extends GateResult {
  /** The metric verify entry relied on, when the gate passed. */
  readonly evidence?: PromotionEvidence;
}

export function analysisCommand(ring: string): string {
  return `rings verify --ring ${ring} --metrics --record`;
}

/** A check as the ring declares it now, its query substituted: what the evidence must have measured. */
export interface DeclaredCheck {
  readonly name: string;
  readonly query: string;
  readonly min?: number;
  readonly max?: number;
}

export interface AnalysisRing {
  readonly name: string;
  readonly soak: string;
  readonly window: string;
  readonly checks: readonly DeclaredCheck[];
}

/** What the promoted thing is called in messages, and what a verify entry measured of it. */
export interface AnalysisSubject {
  readonly label: string;
  readonly seen: (e: HistoryEntry) => string | undefined;
}

/** The ring's checks as the gate compares them; undefined when the ring declares none (no gate). */
export function analysisRingOf(registry: Registry, ring: string): AnalysisRing | undefined {
  const r = registry.rings.find((x) => x.spec.name === ring);
  const a = r?.spec.analysis;
  if (!r || !a || a.checks.length === 0) return undefined;
  return {
    name: ring,
    soak: r.spec.soak,
    window: a.window,
    checks: a.checks.map((c) => ({ name: c.name, query: ringQuery(registry.platform, r.spec, c), min: c.min, max: c.max })),
  };
}

const isMetricsVerify = (e: HistoryEntry, ring: string) => e.action === 'verify' && e.to === ring && e.metrics !== undefined;

/** Why the recorded measurement does not cover a declared check; undefined when it does. */
function coverageProblem(declared: DeclaredCheck, window: string, measured: readonly MetricResult[]): string | undefined {
  const m = measured.find((x) => x.name === declared.name);
  if (!m) return `did not measure ${declared.name} (declared since)`;
  if (m.query !== declared.query) return `measured ${declared.name} with another query than the ring file's now`;
  if (m.min !== declared.min || m.max !== declared.max) return `measured ${declared.name} against other bounds than the ring file's now`;
  if (m.window !== window) return `measured ${declared.name} over ${m.window}, not the ring's window ${window}`;
  return undefined;
}

export function analysisGate(
  history: readonly HistoryEntry[],
  subject: string,
  from: AnalysisRing,
  version: string,
  now: Date,
  what: AnalysisSubject = { label: subject, seen: (e) => e.lock?.[subject] },
): AnalysisGateResult {
  const label = what.label;
  const cmd = analysisCommand(from.name);
  const arrived = arrivalTime(history, subject, from.name, version);
  if (arrived === undefined) {
    return {
      gate: 'analysis',
      ok: false,
      message: `${from.name} has metric checks, but history has no record of ${label} ${version} arriving in ${from.name}, so no measurement can be tied to it; promote it into ${from.name} with rings, wait ${from.soak}, run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  const windowMs = parseGoDuration(from.window) ?? 0;
  const soakMs = parseDuration(from.soak);
  const earliest = new Date(Date.parse(arrived) + Math.max(soakMs, windowMs));
  const since = isoSeconds(earliest);
  const why = soakMs >= windowMs ? `soak ${from.soak}` : `window ${from.window}, longer than the soak ${from.soak}: the window must begin after it arrived`;
  const when = earliest.getTime() > now.getTime() ? `after ${since} (${label} ${version} arrived ${arrived}; ${why})` : `now (needed any time after ${since}: ${label} ${version} arrived ${arrived}; ${why})`;
  const measured = history.filter((e) => isMetricsVerify(e, from.name) && Date.parse(e.time) >= earliest.getTime()).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const last = measured[measured.length - 1];
  if (!last) {
    return { gate: 'analysis', ok: false, message: `no metric verify of ${from.name} recorded since ${since}; run ${cmd} ${when}, or pass --emergency --reason TEXT` };
  }
  const metrics = last.metrics ?? [];
  const failed = metrics.filter((m) => !metricPassed(m));
  if (!last.passed || failed.length > 0) {
    const lines = failed.map(formatMetricLine);
    return {
      gate: 'analysis',
      ok: false,
      message: `the latest metric verify of ${from.name} (${last.time}) failed${lines.length ? `: ${lines.join('; ')}` : ''}; fix it (or roll back) and run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  const seen = what.seen(last);
  if (seen !== version) {
    return {
      gate: 'analysis',
      ok: false,
      message: `the latest metric verify of ${from.name} (${last.time}) measured ${label} ${seen ?? '(not pinned)'}, not ${version}; run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  const gaps = from.checks.map((c) => coverageProblem(c, from.window, metrics)).filter((p): p is string => p !== undefined);
  if (gaps.length > 0) {
    return {
      gate: 'analysis',
      ok: false,
      message: `the latest metric verify of ${from.name} (${last.time}) ${gaps.join('; ')}; run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  return {
    gate: 'analysis',
    ok: true,
    message: `${from.name} passed its ${from.checks.length} metric check${from.checks.length === 1 ? '' : 's'} at ${last.time} with ${label} ${version} (${formatDuration(Date.parse(last.time) - Date.parse(arrived))} after it arrived at ${arrived})`,
    evidence: { gate: 'analysis', measured_at: last.time },
  };
}

/** The gate for a promotion out of `from`, when that ring declares checks ([] when it does not). */
export function analysisGates(registry: Registry, history: readonly HistoryEntry[], subject: string, from: string, version: string, now: Date, what?: AnalysisSubject): AnalysisGateResult[] {
  const ring = analysisRingOf(registry, from);
  return ring ? [analysisGate(history, subject, ring, version, now, what)] : [];
}
