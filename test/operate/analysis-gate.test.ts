/** The `analysis` gate (a ring with [[analysis.checks]]): evidence from `rings verify --metrics --record`, pure. */
import { analysisGate, AnalysisRing, analysisRingOf } from '../../src/operate/analysis-gate';
import { summarise } from '../../src/cli/context';
import { verifiedGate } from '../../src/operate/evidence-gate';
import { formatHistoryLine, HistoryEntry, imageSubject, parseHistory } from '../../src/operate/history';
import { metricPassed, MetricResult } from '../../src/operate/verify/metrics';
import { exampleSources, parse } from '../support/registry-fixture';

const QUERY = 'sum(rate(errors{namespace="autocom-canary"}[5m]))';
const canary: AnalysisRing = { name: 'canary', soak: '24h', window: '30m', checks: [{ name: 'error-rate', query: QUERY, max: 0.01 }] };
const base = { actor: 'a', from: null, previous: null, new: null, reason: null, gates_checked: [], gates_waived: [] };
const arrived = (time: string, version = '1.6.0'): HistoryEntry => ({ ...base, time, action: 'promote', module: 'orders', to: 'canary', previous: '1.5.0', new: version });
const metric = (over: Partial<MetricResult> = {}): MetricResult => ({ name: 'error-rate', query: QUERY, window: '30m', step: '60s', points: 31, series: 1, worst: 0.002, worst_at: '2026-11-24T10:50:00Z', max: 0.01, result: 'pass', ...over });
const measured = (time: string, o: { passed?: boolean; version?: string; metrics?: MetricResult[]; ring?: string } = {}): HistoryEntry => {
  const metrics = o.metrics ?? [metric(o.passed === false ? { worst: 0.05, result: 'fail' } : {})];
  return {
    ...base,
    time,
    action: 'verify',
    to: o.ring ?? 'canary',
    passed: o.passed ?? metrics.every(metricPassed),
    checks: ['metrics'],
    findings: [],
    lock_checksums: [],
    pod_template_hashes: {},
    lock: { orders: o.version ?? '1.6.0' },
    images: { api: 'registry.example/api:2.0@sha256:' + 'a'.repeat(64) },
    source: 'registry',
    prometheus: 'http://prometheus:9090',
    metrics,
  };
};
const NOW = new Date('2026-11-25T12:00:00Z');
const gate = (h: HistoryEntry[], ring = canary, now = NOW) => analysisGate(h, 'orders', ring, '1.6.0', now);
const CMD = 'rings verify --ring canary --metrics --record';

describe('analysis gate: a passing metric verify of the candidate, at least the soak after it arrived, and none failing since', () => {
  test('passes, and names the evidence it relied on', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z')]);
    expect(r).toEqual({
      gate: 'analysis',
      ok: true,
      message: 'canary passed its 1 metric check at 2026-11-24T11:00:00Z with orders 1.6.0 (1d 1h after it arrived at 2026-11-23T10:00:00Z)',
      evidence: { gate: 'analysis', measured_at: '2026-11-24T11:00:00Z' },
    });
  });
  test('refuses without any measurement, naming the command that produces it', () => {
    expect(gate([arrived('2026-11-23T10:00:00Z')]).message).toBe(
      `no metric verify of canary recorded since 2026-11-24T10:00:00Z; run ${CMD} now (needed any time after 2026-11-24T10:00:00Z: orders 1.6.0 arrived 2026-11-23T10:00:00Z; soak 24h), or pass --emergency --reason TEXT`,
    );
  });
  test('refuses a measurement taken before the soak was over', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-23T12:00:00Z')], canary, new Date('2026-11-23T13:00:00Z'));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(new RegExp(`^no metric verify of canary recorded since 2026-11-24T10:00:00Z; run ${CMD} after 2026-11-24T10:00:00Z`));
  });
  test('a window longer than the soak must begin after the arrival', () => {
    const ring = { ...canary, soak: '0h', window: '2h' };
    const h = [arrived('2026-11-23T10:00:00Z'), measured('2026-11-23T11:00:00Z', { metrics: [metric({ window: '2h' })] })];
    expect(gate(h, ring).message).toMatch(/^no metric verify of canary recorded since 2026-11-23T12:00:00Z; .*window 2h, longer than the soak 0h: the window must begin after it arrived\)/);
    expect(gate([...h, measured('2026-11-23T12:00:00Z', { metrics: [metric({ window: '2h' })] })], ring).ok).toBe(true);
  });
  test('refuses when the latest measurement failed — a later failing one beats an earlier pass — naming the check and its worst value', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z'), measured('2026-11-25T09:00:00Z', { passed: false })]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe(`the latest metric verify of canary (2026-11-25T09:00:00Z) failed: error-rate: worst 0.05 (max 0.01) over 30m, 31 points: fail; fix it (or roll back) and run ${CMD}, or pass --emergency --reason TEXT`);
  });
  test('no data fails; no data that the check lets pass passes', () => {
    const none = metric({ points: 0, series: 0, worst: null, worst_at: null, result: 'no-data', nan_points: 0 });
    expect(gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z', { metrics: [none] })]).message).toMatch(/failed: error-rate: no data over 30m \(no series\): fail;/);
    const waived = { ...none, on_no_data: 'pass' as const, reason: 'no traffic at night' };
    expect(gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z', { metrics: [waived] })]).ok).toBe(true);
  });
  test('an entry that says passed but holds a failing check is not evidence', () => {
    expect(gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z', { passed: true, metrics: [metric({ result: 'error', worst: null, error: 'bad_data: x' })] })]).ok).toBe(false);
  });
  test('refuses a measurement of another version', () => {
    expect(gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z', { version: '1.5.0' })]).message).toBe(
      `the latest metric verify of canary (2026-11-24T11:00:00Z) measured orders 1.5.0, not 1.6.0; run ${CMD}, or pass --emergency --reason TEXT`,
    );
  });
  test('refuses when the history has no arrival', () => {
    expect(gate([measured('2026-11-24T11:00:00Z')]).message).toMatch(/^canary has metric checks, but history has no record of orders 1.6.0 arriving in canary, so no measurement can be tied to it/);
  });
  test('refuses when the checks declared now are not what was measured (added, query, bounds, window)', () => {
    const h = [arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z')];
    const added = { ...canary, checks: [...canary.checks, { name: 'latency-p99', query: 'x', max: 0.5 }] };
    expect(gate(h, added).message).toBe(`the latest metric verify of canary (2026-11-24T11:00:00Z) did not measure latency-p99 (declared since); run ${CMD}, or pass --emergency --reason TEXT`);
    expect(gate(h, { ...canary, checks: [{ ...canary.checks[0], query: 'other' }] }).message).toMatch(/measured error-rate with another query than the ring file's now/);
    expect(gate(h, { ...canary, checks: [{ ...canary.checks[0], max: 0.02 }] }).message).toMatch(/measured error-rate against other bounds than the ring file's now/);
    expect(gate(h, { ...canary, window: '1h' }).message).toMatch(/measured error-rate over 30m, not the ring's window 1h/);
  });
  test('a measurement of another ring, and a cluster verify, do not count', () => {
    const cluster: HistoryEntry = { ...measured('2026-11-24T11:00:00Z'), source: undefined, metrics: undefined, checks: ['deployment'] };
    expect(gate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z', { ring: 'edge' }), cluster]).ok).toBe(false);
  });
  test('an image: the measurement must have seen that image', () => {
    const ref = 'registry.example/api:2.0@sha256:' + 'a'.repeat(64);
    const h: HistoryEntry[] = [{ ...base, time: '2026-11-23T10:00:00Z', action: 'promote', image: 'api', to: 'canary', previous: null, new: ref }, measured('2026-11-24T11:00:00Z')];
    const what = { label: 'image api', seen: (e: HistoryEntry) => e.images?.api };
    expect(analysisGate(h, imageSubject('api'), canary, ref, NOW, what).ok).toBe(true);
    expect(analysisGate(h, imageSubject('api'), canary, 'registry.example/api:2.1', NOW, what).ok).toBe(false);
  });
});

describe('the verified gate stays about the cluster', () => {
  test('a passing metric verify (source "registry") is not cluster evidence', () => {
    const ring = { name: 'canary', promotionOrder: 20, soak: '24h', active: true, requireVerified: true };
    const r = verifiedGate([arrived('2026-11-23T10:00:00Z'), measured('2026-11-24T11:00:00Z')], 'orders', ring, '1.6.0', NOW);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^no verify of canary recorded since/);
  });
});

describe('analysisRingOf', () => {
  test("the example canary's checks, queries substituted; none for a ring without checks", () => {
    const reg = parse(exampleSources());
    const ring = analysisRingOf(reg, 'canary')!;
    expect(ring.window).toBe('30m');
    expect(ring.checks.map((c) => [c.name, c.max])).toEqual([['error-rate', 0.01], ['latency-p99', 0.5]]);
    expect(ring.checks[0].query).toContain('namespace="autocom-canary"');
    expect(analysisRingOf(reg, 'edge')).toBeUndefined();
  });
});

describe('the verify --metrics history entry', () => {
  test('formats with its keys in a fixed order and parses back; the summary names each check', () => {
    const e = measured('2026-11-24T11:00:00Z', { metrics: [metric(), metric({ name: 'latency', query: 'q', max: undefined, min: 1, worst: '+Inf', result: 'pass' })] });
    const line = formatHistoryLine(e);
    expect(Object.keys(JSON.parse(line))).toEqual(['time', 'actor', 'action', 'to', 'passed', 'checks', 'findings', 'lock_checksums', 'pod_template_hashes', 'lock', 'images', 'source', 'prometheus', 'metrics']);
    const back = parseHistory(`${line}\n`);
    expect(back.problems).toEqual([]);
    expect(back.entries[0]).toEqual({ ...e, metrics: e.metrics!.map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined))) });
    expect(summarise(back.entries[0])).toBe('verify canary: passed [metrics]: error-rate 0.002 pass, latency +Inf pass');
  });
  test('a cluster verify line is byte for byte what it was (no new keys)', () => {
    const e: HistoryEntry = { ...base, time: '2026-11-24T11:00:00Z', action: 'verify', to: 'canary', passed: true, checks: ['deployment'], findings: [], lock_checksums: [], pod_template_hashes: {}, lock: {}, images: {} };
    expect(formatHistoryLine(e)).toBe('{"time":"2026-11-24T11:00:00Z","actor":"a","action":"verify","to":"canary","passed":true,"checks":["deployment"],"findings":[],"lock_checksums":[],"pod_template_hashes":{},"lock":{},"images":{}}');
  });
  test.each([
    [{ metrics: 'x' }, 'metrics: expected an array of measured checks'],
    [{ metrics: [{ name: 'e', query: 'q', points: 1, result: 'maybe' }] }, 'metrics.0.result: expected pass, fail, no-data or error, got "maybe"'],
    [{ metrics: [{ name: 'e', query: 'q', points: -1, result: 'pass' }] }, 'metrics.0.points: expected a whole number ≥ 0'],
    [{ metrics: [{ name: 'e', query: 'q', points: 1, result: 'pass', worst: 'NaN' }] }, 'metrics.0.worst: expected a number, "+Inf", "-Inf" or null'],
    [{ metrics: [{ query: 'q', points: 1, result: 'pass' }] }, 'metrics.0.name: expected a check name'],
    [{ source: 'cluster' }, 'source: expected "registry" or no source, got "cluster"'],
  ])('a bad metrics field is a problem with its line: %j', (extra, message) => {
    const line = JSON.stringify({ time: '2026-11-24T11:00:00Z', actor: 'a', action: 'verify', to: 'canary', passed: true, ...extra });
    expect(parseHistory(`${line}\n`).problems).toEqual([{ line: 1, message }]);
  });
  test('the promote summary names the analysis evidence', () => {
    const e: HistoryEntry = { ...arrived('2026-11-25T12:00:00Z'), from: 'canary', to: 'edge', rollback_target: '1.5.0', evidence: [{ gate: 'analysis', measured_at: '2026-11-24T11:00:00Z' }] };
    expect(summarise(e)).toBe('promote orders 1.6.0 from canary to edge (was 1.5.0; rollback target 1.5.0; evidence: metrics measured 2026-11-24T11:00:00Z)');
  });
});
