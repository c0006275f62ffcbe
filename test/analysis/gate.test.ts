/**
 * The analysis gate end to end: the compiled CLI promotes out of the example canary (which declares
 * an error-rate and a latency check) only after `rings verify --metrics --record` measured the
 * candidate in a real Prometheus, and refuses after a failing measurement.
 */
import { BREACH, canaryOpenMetrics, FLAT, HEALTHY, NONE } from './canary-data';
import { assertBuilt, removeWorkspaces, rings, Workspace, workspace } from './cli-support';
import { RunningPrometheus, startPrometheus } from './prometheus';

let prom: RunningPrometheus;

beforeAll(async () => {
  assertBuilt();
  prom = await startPrometheus(canaryOpenMetrics());
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  removeWorkspaces();
});

const record = (ws: Workspace, now: string) => rings(ws.dir, ['verify', '--ring', 'canary', '--metrics', '--prometheus', prom.url, '--record'], { RINGS_NOW: now });
/** A minute after `now`: the promotion is asked right after the measurement. */
const after = (now: string) => new Date(Date.parse(now) + 60_000).toISOString().replace(/\.000Z$/, 'Z');
const promote = (ws: Workspace, now: string, ...extra: string[]) => rings(ws.dir, ['promote', 'orders', '--from', 'canary', '--to', 'edge', '--dry-run', ...extra], { RINGS_NOW: after(now) });

describe('the analysis gate, on measurements from a real Prometheus', () => {
  test('refused without a measurement, with the command that would satisfy it; accepted after a passing one, which it records as evidence', async () => {
    const ws = workspace();
    const none = await promote(ws, HEALTHY);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'refused by the analysis gate: no metric verify of canary recorded since 2026-11-21T10:00:00Z; run rings verify --ring canary --metrics --record now (needed any time after 2026-11-21T10:00:00Z: orders 1.6.1 arrived 2026-11-20T10:00:00Z; soak 24h), or pass --emergency --reason TEXT\n',
    );

    expect((await record(ws, HEALTHY)).code).toBe(0);
    const ok = await promote(ws, HEALTHY);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('  gate analysis: passed: canary passed its 2 metric checks at 2026-11-24T09:00:00Z with orders 1.6.1 (3d 23h after it arrived at 2026-11-20T10:00:00Z)\n');
    expect(ok.stdout).toContain('evidence: soaked since 2026-11-20T10:00:00Z, metrics measured 2026-11-24T09:00:00Z');
    const j = await promote(ws, HEALTHY, '--json');
    expect(JSON.parse(j.stdout).entry).toMatchObject({ gates_checked: ['order', 'soak', 'analysis'], gates_waived: [], evidence: [{ gate: 'soak' }, { gate: 'analysis', measured_at: HEALTHY }] });

    // And a real promotion records it.
    const real = await rings(ws.dir, ['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes'], { RINGS_NOW: after(HEALTHY) });
    expect(real.code).toBe(0);
    expect(ws.history().pop()).toMatchObject({ action: 'promote', module: 'orders', new: '1.6.1', gates_checked: ['order', 'soak', 'analysis'], evidence: [{ gate: 'soak' }, { gate: 'analysis', measured_at: HEALTHY }] });
  });

  test('a later failing measurement (the error rate breached) refuses, naming the check and the worst value', async () => {
    const ws = workspace();
    expect((await record(ws, HEALTHY)).code).toBe(0);
    expect((await record(ws, BREACH)).code).toBe(1);
    const r = await promote(ws, BREACH);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `refused by the analysis gate: the latest metric verify of canary (${BREACH}) failed: error-rate: worst 0.05 (max 0.01) over 30m, 31 points: fail; fix it (or roll back) and run rings verify --ring canary --metrics --record, or pass --emergency --reason TEXT\n`,
    );
    // --emergency --reason waives it, and the waiver is recorded.
    const e = await promote(ws, BREACH, '--emergency', '--reason', 'payment outage fix', '--json');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).entry).toMatchObject({ gates_checked: ['order', 'soak', 'analysis'], gates_waived: ['analysis'], reason: 'payment outage fix', evidence: [{ gate: 'soak' }, { gate: 'analysis', waived: true }] });
  });

  test.each([
    ['no series at all', NONE, 'error-rate: no data over 30m (no series): fail; latency-p99: no data over 30m (no series): fail'],
    ['NaN points', FLAT, 'error-rate: no data over 30m (every point NaN, 31 points): fail; latency-p99: no data over 30m (every point NaN, 31 points): fail'],
  ])('a measurement with %s refuses', async (_what, now, lines) => {
    const ws = workspace();
    expect((await record(ws, now)).code).toBe(1);
    const r = await promote(ws, now);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`refused by the analysis gate: the latest metric verify of canary (${now}) failed: ${lines}; fix it (or roll back) and run rings verify --ring canary --metrics --record, or pass --emergency --reason TEXT\n`);
  });

  test('promote image: the measurement must have seen that image', async () => {
    const ws = workspace();
    const img = () => rings(ws.dir, ['promote', 'image', 'api', '--from', 'canary', '--to', 'edge', '--dry-run'], { RINGS_NOW: after(HEALTHY) });
    const none = await img();
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^refused by the analysis gate: no metric verify of canary recorded since 2026-11-22T15:00:00Z; run rings verify --ring canary --metrics --record now/);
    expect((await record(ws, HEALTHY)).code).toBe(0);
    const ok = await img();
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/gate analysis: passed: canary passed its 2 metric checks at 2026-11-24T09:00:00Z with image api registry\.gitlab\.com\/autocommerce\/main\/api-octane:2026\.12\.0@sha256:0239/);
  });

  test('a check changed after the measurement: the evidence no longer covers it', async () => {
    const ws = workspace();
    expect((await record(ws, HEALTHY)).code).toBe(0);
    ws.write('canary.toml', ws.file('canary.toml').replace('max = 0.5', 'max = 0.3'));
    const r = await promote(ws, HEALTHY);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `refused by the analysis gate: the latest metric verify of canary (${HEALTHY}) measured latency-p99 against other bounds than the ring file's now; run rings verify --ring canary --metrics --record, or pass --emergency --reason TEXT\n`,
    );
  });
});
