/**
 * The known data the metric tests backfill: the example canary's request counters and latency
 * histogram (namespace autocom-canary, one sample every 30 s), in four periods on 2026-11-24 — after
 * every arrival in the example history plus canary's soak — each read with RINGS_NOW at its end:
 *
 * | clock (RINGS_NOW) | the 30 minutes before it |
 * |---|---|
 * | HEALTHY 09:00 | 100 req/s, 0.2 % errors, p99 about 0.2 s |
 * | BREACH 11:00  | the same until 10:45, then 5 % errors: the error rate breaches max 0.01 halfway through the window |
 * | FLAT 13:00    | the series exist but never move: every rate is 0, so every error-rate and p99 point is NaN (0/0) |
 * | NONE 15:00    | no sample since 13:00: no series at all |
 */
import { counterFamily, histogramFamily, Series } from './prometheus';

export const NAMESPACE = 'autocom-canary';
export const HEALTHY = '2026-11-24T09:00:00Z';
export const BREACH = '2026-11-24T11:00:00Z';
export const FLAT = '2026-11-24T13:00:00Z';
export const NONE = '2026-11-24T15:00:00Z';

const s = (iso: string) => Date.parse(iso) / 1000;
const STEP = 30;

/** Per 30 s: requests with code 200, with code 500, and how many of them took ≤ 0.1 s and ≤ 0.25 s. */
interface Rates {
  ok: number;
  errors: number;
  fast: number;
  medium: number;
}
const HEALTHY_RATES: Rates = { ok: 2994, errors: 6, fast: 2700, medium: 2985 };
const BREACH_RATES: Rates = { ok: 2850, errors: 150, fast: 2700, medium: 2985 };
const FLAT_RATES: Rates = { ok: 0, errors: 0, fast: 0, medium: 0 };

function periods(): { t: number; r: Rates }[] {
  const out: { t: number; r: Rates }[] = [];
  const add = (from: string, to: string, rates: (t: number) => Rates) => {
    for (let t = s(from); t <= s(to); t += STEP) out.push({ t, r: rates(t) });
  };
  add('2026-11-24T08:00:00Z', HEALTHY, () => HEALTHY_RATES);
  add('2026-11-24T10:00:00Z', BREACH, (t) => (t > s('2026-11-24T10:45:00Z') ? BREACH_RATES : HEALTHY_RATES));
  add('2026-11-24T12:00:00Z', FLAT, () => FLAT_RATES);
  return out;
}

/** The whole backfill, as OpenMetrics text. */
export function canaryOpenMetrics(namespace = NAMESPACE): string {
  const ps = periods();
  const ok: [number, number][] = [];
  const err: [number, number][] = [];
  const hist: { t: number; buckets: [string, number][]; sum: number }[] = [];
  let nOk = 1000;
  let nErr = 2;
  let fast = 900;
  let medium = 995;
  let total = 1002;
  let sum = 120;
  for (const { t, r } of ps) {
    nOk += r.ok;
    nErr += r.errors;
    const all = r.ok + r.errors;
    fast += r.fast;
    medium += r.medium;
    total += all;
    sum += r.fast * 0.05 + (r.medium - r.fast) * 0.2 + (all - r.medium) * 0.4;
    ok.push([t, nOk]);
    err.push([t, nErr]);
    hist.push({ t, buckets: [['0.1', fast], ['0.25', medium], ['0.5', total], ['1', total], ['+Inf', total]], sum: Math.round(sum * 1000) / 1000 });
  }
  const series: Series[] = [
    { labels: { namespace, code: '200' }, samples: ok },
    { labels: { namespace, code: '500' }, samples: err },
  ];
  return `${counterFamily('http_requests', series)}${histogramFamily('http_request_duration_seconds', { namespace }, hist)}# EOF\n`;
}
