/** Judging a metric check from query_range's answer (src/operate/verify/metrics.ts) and the window arithmetic (src/model/analysis.ts), pure. */
import { analysisRange, analysisStepMs, parseGoDuration, placeholdersIn, substituteQuery, unknownPlaceholders } from '../../../src/model/analysis';
import { CheckToJudge, formatMetricLine, judgeCheck, metricPassed, RangeAnswer, sampleValue } from '../../../src/operate/verify/metrics';
import { apiUrl } from '../../../src/operate/verify/prometheus';

const check = (over: Partial<CheckToJudge> = {}): CheckToJudge => ({ name: 'error-rate', query: 'q', window: '30m', step: '60s', max: 0.01, on_no_data: 'fail', ...over });
const T0 = 1_795_000_000;
const series = (...values: string[]) => ({ metric: {}, values: values.map((v, i) => [T0 + 60 * i, v] as const) });
const ok = (...s: ReturnType<typeof series>[]): RangeAnswer => ({ ok: true, series: s });

describe('judgeCheck', () => {
  test('every point within max: pass, worst is the highest', () => {
    const m = judgeCheck(check(), ok(series('0.001', '0.004', '0.002')));
    expect(m).toMatchObject({ result: 'pass', points: 3, series: 1, worst: 0.004, worst_at: new Date((T0 + 60) * 1000).toISOString().replace('.000Z', 'Z') });
    expect(formatMetricLine(m)).toBe('error-rate: worst 0.004 (max 0.01) over 30m, 3 points: pass');
  });
  test('one point above max fails, whatever the rest', () => {
    const m = judgeCheck(check(), ok(series('0.001', '0.0499', '0.002')));
    expect(m).toMatchObject({ result: 'fail', worst: 0.0499 });
    expect(formatMetricLine(m)).toBe('error-rate: worst 0.0499 (max 0.01) over 30m, 3 points: fail');
    expect(metricPassed(m)).toBe(false);
  });
  test('a point exactly on the bound passes', () => expect(judgeCheck(check(), ok(series('0.01'))).result).toBe('pass'));
  test('min: the lowest point is the worst', () => {
    const m = judgeCheck(check({ name: 'availability', max: undefined, min: 0.99 }), ok(series('0.999', '0.98', '0.995')));
    expect(formatMetricLine(m)).toBe('availability: worst 0.98 (min 0.99) over 30m, 3 points: fail');
  });
  test('both bounds: the point furthest outside, else the one nearest a bound', () => {
    expect(judgeCheck(check({ min: 0, max: 10 }), ok(series('5', '-3', '11'))).worst).toBe(-3);
    expect(judgeCheck(check({ min: 0, max: 10 }), ok(series('5', '1', '8'))).worst).toBe(1);
  });
  test('every point of every series counts', () => {
    const m = judgeCheck(check({ max: 10 }), ok(series('1', '2'), series('3', '50')));
    expect(formatMetricLine(m)).toBe('error-rate: worst 50 (max 10) over 30m, 4 points in 2 series: fail');
  });
  test('no series: no data, which fails', () => {
    const m = judgeCheck(check(), ok());
    expect(m).toMatchObject({ result: 'no-data', points: 0, series: 0, worst: null, worst_at: null, nan_points: 0 });
    expect(formatMetricLine(m)).toBe('error-rate: no data over 30m (no series): fail');
    expect(metricPassed(m)).toBe(false);
  });
  test('every point NaN (0/0): no data, which fails', () => {
    const m = judgeCheck(check(), ok(series('NaN', 'NaN')));
    expect(m).toMatchObject({ result: 'no-data', points: 2, nan_points: 2, worst: null });
    expect(formatMetricLine(m)).toBe('error-rate: no data over 30m (every point NaN, 2 points): fail');
  });
  test('some points NaN: those steps have no data; a breach among the rest still fails as a breach', () => {
    const some = judgeCheck(check(), ok(series('0.001', 'NaN', '0.002')));
    expect(some).toMatchObject({ result: 'no-data', nan_points: 1, worst: 0.002 });
    expect(formatMetricLine(some)).toBe('error-rate: no data over 30m (1 of 3 points NaN; worst of the rest 0.002 (max 0.01)): fail');
    expect(judgeCheck(check(), ok(series('0.5', 'NaN'))).result).toBe('fail');
  });
  test('on_no_data = "pass": no data passes, with its reason; a breach does not', () => {
    const c = check({ on_no_data: 'pass', reason: 'no traffic at night' });
    const m = judgeCheck(c, ok());
    expect(m).toMatchObject({ result: 'no-data', on_no_data: 'pass', reason: 'no traffic at night' });
    expect(metricPassed(m)).toBe(true);
    expect(formatMetricLine(m)).toBe('error-rate: no data over 30m (no series): pass (on_no_data = "pass": no traffic at night)');
    expect(metricPassed(judgeCheck(c, ok(series('0.5'))))).toBe(false);
  });
  test('a query error fails, even where no data may pass', () => {
    const m = judgeCheck(check({ on_no_data: 'pass', reason: 'r' }), { ok: false, errorType: 'execution', error: 'found duplicate series' });
    expect(m).toMatchObject({ result: 'error', error: 'execution: found duplicate series', worst: null });
    expect(metricPassed(m)).toBe(false);
    expect(formatMetricLine(m)).toBe('error-rate: error over 30m (execution: found duplicate series): fail');
  });
  test('infinities are values: +Inf breaches a max, and is recorded as Prometheus spells it', () => {
    const m = judgeCheck(check(), ok(series('0.001', '+Inf')));
    expect(m).toMatchObject({ result: 'fail', worst: '+Inf' });
    expect(JSON.parse(JSON.stringify(m)).worst).toBe('+Inf');
    expect(formatMetricLine(m)).toBe('error-rate: worst +Inf (max 0.01) over 30m, 2 points: fail');
  });
  test('sampleValue reads Prometheus\'s value strings', () => {
    expect([sampleValue('0.5'), sampleValue('+Inf'), sampleValue('-Inf'), sampleValue('1e-3')]).toEqual([0.5, Infinity, -Infinity, 0.001]);
    expect(sampleValue('NaN')).toBeNaN();
    expect(sampleValue('')).toBeNaN();
  });
});

describe('the window: Go durations, the step, the points', () => {
  test('parseGoDuration', () => {
    expect([parseGoDuration('30m'), parseGoDuration('1h30m'), parseGoDuration('90s'), parseGoDuration('1.5h'), parseGoDuration('250ms')]).toEqual([1_800_000, 5_400_000, 90_000, 5_400_000, 250]);
    for (const bad of ['30', '7d', '', '1h 30m', '-5m']) expect(parseGoDuration(bad)).toBeUndefined();
  });
  test('60 s steps up to 1,000 minutes, then whole minutes keeping at most 1,000 steps', () => {
    expect(analysisStepMs(1_800_000)).toBe(60_000);
    expect(analysisStepMs(1000 * 60_000)).toBe(60_000);
    expect(analysisStepMs(24 * 3_600_000)).toBe(120_000);
    expect(analysisStepMs(720 * 3_600_000)).toBe(44 * 60_000);
  });
  test('30m ending at the clock: 31 points, the last at the clock', () => {
    const end = Date.parse('2026-11-24T09:00:00Z');
    expect(analysisRange(1_800_000, end)).toEqual({ startMs: end - 1_800_000, endMs: end, stepMs: 60_000, points: 31 });
    // 90s: the points that fit inside the window, ending at the clock.
    expect(analysisRange(90_000, end)).toEqual({ startMs: end - 60_000, endMs: end, stepMs: 60_000, points: 2 });
    expect(analysisRange(24 * 3_600_000, end).points).toBe(721);
  });
});

describe('placeholders', () => {
  test('found, substituted, unknown ones named; matchers and regex repetitions are not placeholders', () => {
    const q = 'sum(rate(x{namespace="{namespace}",ring="{ring}",code=~"5.{2}"}[5m])) / {cluster} + {job}';
    expect(placeholdersIn(q)).toEqual(['namespace', 'ring', 'cluster', 'job']);
    expect(unknownPlaceholders(q)).toEqual(['job']);
    expect(substituteQuery(q, { namespace: 'autocom-canary', ring: 'canary' })).toBe('sum(rate(x{namespace="autocom-canary",ring="canary",code=~"5.{2}"}[5m])) / {cluster} + {job}');
    expect(placeholdersIn('up{job="api"}')).toEqual([]);
  });
});

describe('apiUrl', () => {
  test('keeps a path prefix of the base URL', () => {
    expect(apiUrl('http://prometheus:9090', 'query_range').href).toBe('http://prometheus:9090/api/v1/query_range');
    expect(apiUrl('https://acme.io/prometheus', 'query_range').href).toBe('https://acme.io/prometheus/api/v1/query_range');
    expect(apiUrl('https://acme.io/prometheus/', 'query_range').href).toBe('https://acme.io/prometheus/api/v1/query_range');
  });
});
