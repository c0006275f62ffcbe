/**
 * Credentials for Prometheus: a loopback proxy in front of the real Prometheus that answers 401
 * unless the request carries `Authorization: Bearer <token>`. The token reaches Prometheus from
 * RINGS_PROMETHEUS_TOKEN and from --prometheus-token-file, and is never printed or recorded.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { canaryOpenMetrics, HEALTHY } from './canary-data';
import { assertBuilt, removeWorkspaces, rings, workspace } from './cli-support';
import { RunningPrometheus, startPrometheus } from './prometheus';

const TOKEN = 'rings-test-token-7f3c9a1e5b2d4068';
let prom: RunningPrometheus;
let proxy: http.Server;
let proxyUrl: string;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  assertBuilt();
  prom = await startPrometheus(canaryOpenMetrics());
  proxy = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    const up = http.request(`${prom.url}${req.url}`, { method: req.method, headers: { ...req.headers, host: `127.0.0.1:${prom.port}` } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await prom?.stop();
  removeWorkspaces();
});

const args = (...extra: string[]) => ['verify', '--ring', 'canary', '--metrics', '--prometheus', proxyUrl, ...extra];

describe('a bearer token for Prometheus', () => {
  test('without a token the proxy refuses: exit 2, and the line says how to pass one', async () => {
    const ws = workspace();
    seen.length = 0;
    const r = await rings(ws.dir, args(), { RINGS_NOW: HEALTHY });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: Prometheus at ${proxyUrl} refused the request: HTTP 401 Unauthorized (no token was sent: set RINGS_PROMETHEUS_TOKEN or pass --prometheus-token-file)\n`);
    expect(seen).toEqual([undefined]);
  });

  test('a wrong token: exit 2, not echoed', async () => {
    const ws = workspace();
    const r = await rings(ws.dir, args(), { RINGS_NOW: HEALTHY, RINGS_PROMETHEUS_TOKEN: 'not-the-token-0000' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: Prometheus at ${proxyUrl} refused the request: HTTP 401 Unauthorized (the token was not accepted)\n`);
    expect(r.stdout + r.stderr).not.toContain('not-the-token-0000');
  });

  test('RINGS_PROMETHEUS_TOKEN is sent as a bearer token on every query, and appears nowhere', async () => {
    const ws = workspace();
    seen.length = 0;
    const r = await rings(ws.dir, args('--record'), { RINGS_NOW: HEALTHY, RINGS_PROMETHEUS_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(seen).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    const j = await rings(ws.dir, args('--json'), { RINGS_NOW: HEALTHY, RINGS_PROMETHEUS_TOKEN: TOKEN });
    expect(j.code).toBe(0);
    for (const out of [r.stdout, r.stderr, j.stdout, j.stderr, ws.historyText()]) expect(out).not.toContain(TOKEN);
    expect(ws.history().pop()).toMatchObject({ action: 'verify', passed: true, prometheus: proxyUrl });
  });

  test('--prometheus-token-file is read (and wins over the environment), and appears nowhere', async () => {
    const ws = workspace();
    const file = path.join(ws.dir, 'prometheus-token');
    fs.writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    seen.length = 0;
    const r = await rings(ws.dir, args('--prometheus-token-file', file, '--record'), { RINGS_NOW: HEALTHY, RINGS_PROMETHEUS_TOKEN: 'ignored-when-a-file-is-given' });
    expect(r.code).toBe(0);
    expect(seen).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    for (const out of [r.stdout, r.stderr, ws.historyText()]) expect(out).not.toContain(TOKEN);
    const missing = await rings(ws.dir, args('--prometheus-token-file', path.join(ws.dir, 'nope')), { RINGS_NOW: HEALTHY });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: --prometheus-token-file: cannot read ${path.join(ws.dir, 'nope')} (ENOENT)\n`);
  });
});
