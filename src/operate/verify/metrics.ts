/**
 * Judging a metric check (`[[analysis.checks]]`) from what Prometheus's query_range returned: every
 * point of every series must lie within the check's bounds. Pure: the HTTP side is prometheus.ts.
 *
 * - No series, or a NaN point (0/0: no requests in the rate window), is a window or a step without
 *   data: result "no-data", which fails unless the check says `on_no_data = "pass"` (with its reason).
 * - A query error is "error" and always fails: no data may pass, a broken query may not.
 * - A point outside the bounds is "fail", whatever else the window holds.
 */

/** One series of a range query, as the API gives it: `[unix seconds, "value"]` pairs. */
export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

/** What one query_range returned: its series, or the error Prometheus gave for this query. */
export type RangeAnswer = { readonly ok: true; readonly series: readonly RangeSeries[] } | { readonly ok: false; readonly errorType: string; readonly error: string };

export type MetricOutcome = 'pass' | 'fail' | 'no-data' | 'error';

/** A worst value as JSON can hold it: a number, or Prometheus's spelling of an infinity. */
export type MetricValue = number | '+Inf' | '-Inf';

/**
 * One check's measured result: what `--json` prints and `--record` writes into the verify entry's
 * `metrics` (never a token or credential: the query is the registry's, the URL is not in it).
 */
export interface MetricResult {
  readonly name: string;
  /** The query sent, placeholders substituted. */
  readonly query: string;
  /** The observation window as the ring file gives it ("30m"). */
  readonly window: string;
  /** The evaluation step ("60s"). */
  readonly step: string;
  /** Points evaluated, over every series (NaN points included). */
  readonly points: number;
  /** Series returned. */
  readonly series: number;
  /** The point furthest beyond (or nearest to) a bound; null when no point has a value. */
  readonly worst: MetricValue | null;
  /** When the worst point was (ISO 8601); null with worst. */
  readonly worst_at: string | null;
  readonly min?: number;
  readonly max?: number;
  readonly result: MetricOutcome;
  /** Only when the check lets no data pass: "pass", with its reason. */
  readonly on_no_data?: 'pass';
  readonly reason?: string;
  /** result "error": Prometheus's error type and message. */
  readonly error?: string;
  /** result "no-data": how many points were NaN (0 when there were no series). */
  readonly nan_points?: number;
}

export interface CheckToJudge {
  readonly name: string;
  readonly query: string;
  readonly window: string;
  readonly step: string;
  readonly min?: number;
  readonly max?: number;
  readonly on_no_data: 'fail' | 'pass';
  readonly reason?: string;
}

/** Whether the result lets the promotion through: a pass, or no data where the check allows it. */
export function metricPassed(m: Pick<MetricResult, 'result' | 'on_no_data'>): boolean {
  return m.result === 'pass' || (m.result === 'no-data' && m.on_no_data === 'pass');
}

/** Prometheus's sample value strings: "0.01", "NaN", "+Inf", "-Inf". */
export function sampleValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const n = Number(s);
  return s.trim() === '' ? NaN : n;
}

/** How far a value is beyond the bounds (> 0 outside, ≤ 0 inside: minus the margin to the nearest bound). */
function excess(v: number, c: Pick<CheckToJudge, 'min' | 'max'>): number {
  const over = c.max !== undefined ? v - c.max : -Infinity;
  const under = c.min !== undefined ? c.min - v : -Infinity;
  return Math.max(over, under);
}

function asValue(v: number): MetricValue {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v;
}

export function judgeCheck(c: CheckToJudge, answer: RangeAnswer): MetricResult {
  const base = {
    name: c.name,
    query: c.query,
    window: c.window,
    step: c.step,
    ...(c.min !== undefined ? { min: c.min } : {}),
    ...(c.max !== undefined ? { max: c.max } : {}),
  };
  const noData = c.on_no_data === 'pass' ? { on_no_data: 'pass' as const, ...(c.reason !== undefined ? { reason: c.reason } : {}) } : {};
  if (!answer.ok) {
    return { ...base, points: 0, series: 0, worst: null, worst_at: null, result: 'error', ...noData, error: `${answer.errorType}: ${answer.error}` };
  }
  let points = 0;
  let nan = 0;
  let worst: { v: number; t: number; e: number } | undefined;
  for (const s of answer.series) {
    for (const [t, raw] of s.values) {
      points++;
      const v = sampleValue(raw);
      if (Number.isNaN(v)) {
        nan++;
        continue;
      }
      const e = excess(v, c);
      // Ties go to the earliest point, so the result does not depend on series order beyond time.
      if (!worst || e > worst.e || (e === worst.e && t < worst.t)) worst = { v, t, e };
    }
  }
  const at = worst ? new Date(worst.t * 1000).toISOString().replace(/\.000Z$/, 'Z') : null;
  const measured = { ...base, points, series: answer.series.length, worst: worst ? asValue(worst.v) : null, worst_at: at };
  if (worst && worst.e > 0) return { ...measured, result: 'fail', ...noData };
  if (!worst || nan > 0) return { ...measured, result: 'no-data', ...noData, nan_points: nan };
  return { ...measured, result: 'pass', ...noData };
}

/** A value for a line: up to 4 significant digits, Prometheus's infinities as it spells them. */
export function formatMetricValue(v: MetricValue | number): string {
  if (typeof v === 'string') return v;
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

function bounds(m: Pick<MetricResult, 'min' | 'max'>): string {
  return [m.min !== undefined ? `min ${formatMetricValue(m.min)}` : '', m.max !== undefined ? `max ${formatMetricValue(m.max)}` : ''].filter(Boolean).join(', ');
}

function countPoints(m: MetricResult): string {
  return `${m.points} point${m.points === 1 ? '' : 's'}${m.series > 1 ? ` in ${m.series} series` : ''}`;
}

/**
 * One line per check: `error-rate: worst 0.0499 (max 0.01) over 30m, 31 points: fail`;
 * `latency-p99: no data over 30m (no series): fail`; `x: error over 30m (bad_data: …): fail`.
 */
export function formatMetricLine(m: MetricResult): string {
  const verdict = metricPassed(m) ? 'pass' : 'fail';
  const waived = m.result === 'no-data' && m.on_no_data === 'pass' ? ` (on_no_data = "pass": ${m.reason ?? 'no reason given'})` : '';
  if (m.result === 'error') return `${m.name}: error over ${m.window} (${m.error}): fail`;
  if (m.result === 'no-data') {
    const why = m.series === 0 ? 'no series' : m.nan_points === m.points ? `every point NaN, ${countPoints(m)}` : `${m.nan_points} of ${countPoints(m)} NaN; worst of the rest ${formatMetricValue(m.worst!)} (${bounds(m)})`;
    return `${m.name}: no data over ${m.window} (${why}): ${verdict}${waived}`;
  }
  return `${m.name}: worst ${formatMetricValue(m.worst!)} (${bounds(m)}) over ${m.window}, ${countPoints(m)}: ${verdict}`;
}
