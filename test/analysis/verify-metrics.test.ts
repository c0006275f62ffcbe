/**
 * `rings verify --metrics` (the compiled CLI) against a real Prometheus 2.42 over known data: the
 * example canary healthy, breaching its error rate halfway through the window, with counters that
 * never move (NaN points), and with no series at all (see canary-data.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { BREACH, canaryOpenMetrics, FLAT, HEALTHY, NONE } from './canary-data';
import { assertBuilt, removeWorkspaces, rings, workspace } from './cli-support';
import { freePort, RunningPrometheus, startPrometheus } from './prometheus';

let prom: RunningPrometheus;

beforeAll(async () => {
  assertBuilt();
  prom = await startPrometheus(canaryOpenMetrics());
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  removeWorkspaces();
});

const verify = (dir: string, now: string, extra: string[] = [], env: Record<string, string | undefined> = {}) =>
  rings(dir, ['verify', '--ring', 'canary', '--metrics', '--prometheus', prom.url, ...extra], { RINGS_NOW: now, ...env });

describe('rings verify --metrics on a real Prometheus', () => {
  test('a healthy canary passes every check: one line per check, exit 0', async () => {
    const ws = workspace();
    const r = await verify(ws.dir, HEALTHY);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`canary (autocom-canary): 2 metric checks over 30m to ${HEALTHY}, step 60s, in ${prom.url}\n`);
    expect(r.stdout).toMatch(/^error-rate: worst 0\.002 \(max 0\.01\) over 30m, 31 points: pass$/m);
    expect(r.stdout).toMatch(/^latency-p99: worst 0\.24\d* \(max 0\.5\) over 30m, 31 points: pass$/m);
    expect(r.stdout).toMatch(/^ok {2}canary: 2 metric checks passed$/m);
  });

  test('an error rate breaching halfway through the window fails, naming the check and the worst value', async () => {
    const ws = workspace();
    const r = await verify(ws.dir, BREACH);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error-rate: worst 0\.05 \(max 0\.01\) over 30m, 31 points: fail$/m);
    expect(r.stdout).toMatch(/^latency-p99: worst 0\.24\d* \(max 0\.5\) over 30m, 31 points: pass$/m);
    expect(r.stdout).toMatch(/^FAIL {2}canary: 1 of 2 metric checks failed \(error-rate\)$/m);
    // The rollback that undoes the latest promotion into canary (ai 2.4.0 on 2026-11-23).
    expect(r.stdout).toContain('the latest promotion into canary was ai 2.4.0 (2026-11-23T02:00:00Z); to undo it: rings rollback ai --ring canary');

    const j = await verify(ws.dir, BREACH, ['--json']);
    expect(j.code).toBe(1);
    const out = JSON.parse(j.stdout);
    expect(out).toMatchObject({ reachable: true, passed: false, recorded: false, time: BREACH });
    const er = out.rings[0].metrics.find((m: any) => m.name === 'error-rate');
    expect(er).toMatchObject({ result: 'fail', points: 31, series: 1, max: 0.01, window: '30m', step: '60s' });
    expect(er.worst).toBeCloseTo(0.05, 6);
    // The first 15 minutes were healthy: the worst point is in the second half of the window.
    expect(Date.parse(er.worst_at)).toBeGreaterThan(Date.parse('2026-11-24T10:45:00Z'));
  });

  test('a window without any series is no data, and fails', async () => {
    const ws = workspace();
    const r = await verify(ws.dir, NONE);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error-rate: no data over 30m \(no series\): fail$/m);
    expect(r.stdout).toMatch(/^latency-p99: no data over 30m \(no series\): fail$/m);
    expect(r.stdout).toMatch(/^FAIL {2}canary: 2 of 2 metric checks failed \(error-rate, latency-p99\)$/m);
  });

  test('NaN points (0/0: counters that never move) are no data, and fail', async () => {
    const ws = workspace();
    const r = await verify(ws.dir, FLAT, ['--json']);
    expect(r.code).toBe(1);
    const m = JSON.parse(r.stdout).rings[0].metrics;
    expect(m.map((x: any) => [x.name, x.result, x.points, x.nan_points, x.worst])).toEqual([
      ['error-rate', 'no-data', 31, 31, null],
      ['latency-p99', 'no-data', 31, 31, null],
    ]);
    const t = await verify(ws.dir, FLAT);
    expect(t.stdout).toMatch(/^error-rate: no data over 30m \(every point NaN, 31 points\): fail$/m);
  });

  test('on_no_data = "pass" lets no data pass, with its reason shown and recorded; a query error still fails', async () => {
    const ws = workspace();
    const reason = 'canary has no traffic between 13:00 and 15:00';
    ws.write('canary.toml', ws.file('canary.toml').replace(/max = 0\.01\n/, `max = 0.01\non_no_data = "pass"\nreason = "${reason}"\n`));
    const r = await verify(ws.dir, NONE, ['--record']);
    expect(r.stdout).toMatch(new RegExp(`^error-rate: no data over 30m \\(no series\\): pass \\(on_no_data = "pass": ${reason}\\)$`, 'm'));
    expect(r.stdout).toMatch(/^latency-p99: no data over 30m \(no series\): fail$/m);
    expect(r.code).toBe(1);
    expect(ws.history().pop()!.metrics[0]).toMatchObject({ name: 'error-rate', result: 'no-data', on_no_data: 'pass', reason, worst: null, points: 0, series: 0 });

    // One-to-one matching on duplicate series: Prometheus parses it, then fails to evaluate it.
    ws.write(
      'canary.toml',
      `${ws.file('canary.toml')}\n[[analysis.checks]]\nname = "broken"\nquery = 'rate(http_requests_total{namespace="{namespace}"}[5m]) / ignoring(code) rate(http_requests_total{namespace="{namespace}"}[5m])'\nmax = 1\non_no_data = "pass"\nreason = "no data may pass, errors may not"\n`,
    );
    const e = await verify(ws.dir, HEALTHY);
    expect(e.stdout).toMatch(/^broken: error over 30m \(execution: .*duplicate series.*\): fail$/m);
    expect(e.code).toBe(1);
  });

  test('several series: every point of every series counts', async () => {
    const ws = workspace();
    const perCode = (max: number) =>
      ws.write('canary.toml', ws.file('canary.toml').replace(/\[\[analysis\.checks\]\][\s\S]*$/, `[[analysis.checks]]\nname = "requests"\nquery = 'rate(http_requests_total{namespace="{namespace}"}[5m])'\nmax = ${max}\n`));
    perCode(10); // code 500 runs at 0.2 req/s, code 200 at 99.8 req/s
    const r = await verify(ws.dir, HEALTHY);
    expect(r.stdout).toMatch(/^requests: worst 99\.8 \(max 10\) over 30m, 62 points in 2 series: fail$/m);
    expect(r.code).toBe(1);
    perCode(150);
    const ok = await verify(ws.dir, HEALTHY);
    expect(ok.stdout).toMatch(/^requests: worst 99\.8 \(max 150\) over 30m, 62 points in 2 series: pass$/m);
    expect(ok.code).toBe(0);
  });

  test('--record writes the measured values and the candidate, read from the registry, into one verify entry', async () => {
    const ws = workspace();
    const before = ws.historyText();
    const r = await verify(ws.dir, HEALTHY, ['--record']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`recorded 1 verify entry in ${path.join('rings', 'history.jsonl')}`);
    const text = ws.historyText();
    expect(text.startsWith(before)).toBe(true);
    const line = text.slice(before.length).trim();
    const e = JSON.parse(line);
    expect(Object.keys(e)).toEqual(['time', 'actor', 'action', 'to', 'passed', 'checks', 'findings', 'lock_checksums', 'pod_template_hashes', 'lock', 'images', 'source', 'prometheus', 'metrics']);
    expect(e).toMatchObject({ time: HEALTHY, action: 'verify', to: 'canary', passed: true, checks: ['metrics'], findings: [], source: 'registry', prometheus: prom.url });
    expect(e.lock).toMatchObject({ orders: '1.6.1', ai: '2.4.0', payments: '3.2.0' });
    const canaryApi = /^api = "([^"]+)"/m.exec(ws.file('canary.toml'))![1];
    expect(e.images).toEqual({ api: canaryApi, horizon: canaryApi, nginx: expect.stringContaining('nginx-unprivileged') });
    expect(e.metrics).toHaveLength(2);
    expect(Object.keys(e.metrics[0])).toEqual(['name', 'query', 'window', 'step', 'points', 'series', 'worst', 'worst_at', 'max', 'result']);
    expect(e.metrics[0]).toMatchObject({
      name: 'error-rate',
      query: 'sum(rate(http_requests_total{namespace="autocom-canary",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="autocom-canary"}[5m]))',
      window: '30m',
      step: '60s',
      points: 31,
      series: 1,
      max: 0.01,
      result: 'pass',
    });
    expect(e.metrics[0].worst).toBeCloseTo(6 / 3000, 6);
    // The history stays valid, and reads back as a sentence.
    expect((await rings(ws.dir, ['check'])).code).toBe(0);
    const h = await rings(ws.dir, ['history', '--ring', 'canary']);
    expect(h.stdout).toMatch(/verify canary: passed \[metrics\]: error-rate 0\.002 pass, latency-p99 0\.2421 pass$/m);
  });

  test('reads no cluster: an absent kubeconfig and a kubectl that records every call change nothing', async () => {
    const ws = workspace();
    const bin = path.join(ws.dir, 'bin');
    fs.mkdirSync(bin);
    const marker = path.join(ws.dir, 'kubectl-was-called');
    fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/sh\necho "$@" >> ${marker}\nexit 1\n`, { mode: 0o755 });
    const r = await verify(ws.dir, HEALTHY, ['--record'], { KUBECONFIG: path.join(ws.dir, 'no-such-kubeconfig'), PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
    // The same kubectl stand-in does fail a cluster verify: it is on the PATH the CLI uses.
    const cluster = await rings(ws.dir, ['verify', '--ring', 'canary'], { PATH: `${bin}:${process.env.PATH}` });
    expect(cluster.code).toBe(2);
    expect(fs.existsSync(marker)).toBe(true);
  });

  test('--record with a clock in the future of the real time is refused: no history line is dated in the future', async () => {
    const ws = workspace();
    const before = ws.historyText();
    const r = await verify(ws.dir, '2099-01-01T00:00:00Z', ['--record']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^refused: the clock \(RINGS_NOW=2099-01-01T00:00:00Z\) is in the future of the real time/);
    expect(ws.historyText()).toBe(before);
  });

  test('an unreachable Prometheus: exit 2, one line, nothing recorded', async () => {
    const ws = workspace();
    const before = ws.historyText();
    const port = await freePort();
    const r = await rings(ws.dir, ['verify', '--ring', 'canary', '--metrics', '--prometheus', `http://127.0.0.1:${port}`, '--record'], { RINGS_NOW: HEALTHY });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: Prometheus at http://127.0.0.1:${port} cannot be reached: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(ws.historyText()).toBe(before);
    const j = await rings(ws.dir, ['verify', '--ring', 'canary', '--metrics', '--prometheus', `http://127.0.0.1:${port}`, '--json'], { RINGS_NOW: HEALTHY });
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toEqual({ reachable: false, error: `Prometheus at http://127.0.0.1:${port} cannot be reached: connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  test('the Prometheus of platform.toml is used without --prometheus; a URL with a password is refused without echoing it', async () => {
    const ws = workspace();
    ws.write('platform.toml', ws.file('platform.toml').replace('prometheus_url = "http://prometheus.monitoring.svc:9090"', `prometheus_url = "${prom.url}"`));
    const r = await rings(ws.dir, ['verify', '--ring', 'canary', '--metrics'], { RINGS_NOW: HEALTHY });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`in ${prom.url}\n`);
    const secret = 'hunter2-but-longer';
    const bad = await rings(ws.dir, ['verify', '--ring', 'canary', '--metrics', '--prometheus', `http://ops:${secret}@127.0.0.1:${prom.port}`], { RINGS_NOW: HEALTHY });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`error: --prometheus: expected a URL without credentials, got one with a user and password before the host 127.0.0.1:${prom.port} (not shown); pass a token with RINGS_PROMETHEUS_TOKEN or --prometheus-token-file\n`);
    expect(bad.stdout + bad.stderr).not.toContain(secret);
  });

  test('usage: cluster flags do not go with --metrics, --prometheus needs --metrics, a ring without checks has nothing to measure', async () => {
    const ws = workspace();
    const k = await rings(ws.dir, ['verify', '--metrics', '--ring', 'canary', '--kubeconfig', 'x']);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/^usage error: --kubeconfig reads the cluster, and --metrics reads only Prometheus/);
    const p = await rings(ws.dir, ['verify', '--ring', 'canary', '--prometheus', prom.url]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/^usage error: --prometheus goes with --metrics/);
    const none = await rings(ws.dir, ['verify', '--metrics', '--ring', 'edge', '--prometheus', prom.url]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('error: edge declares no metric checks ([[analysis.checks]] in rings/edge.toml); nothing to measure\n');
    // Without --ring: every ring that declares checks (only canary in the example).
    const all = await rings(ws.dir, ['verify', '--metrics', '--prometheus', prom.url], { RINGS_NOW: HEALTHY });
    expect(all.code).toBe(0);
    expect(all.stdout.match(/^ok {2}\w+: /gm)).toEqual(['ok  canary: ']);
  });
});
