/**
 * The Prometheus HTTP API, as `rings verify --metrics` uses it: one `POST /api/v1/query_range` per
 * check (the query in the body, so it is neither cut by URL limits nor logged in access logs as a
 * URL). A bearer token, when given, goes in the Authorization header only; it is never part of a
 * message, the output or the history.
 */
import { RangeAnswer, RangeSeries } from './metrics';

/** Prometheus could not be reached, or did not answer as its HTTP API does: exit 2. */
export class PrometheusUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusUnreachable';
  }
}

export interface PrometheusOptions {
  /** The base URL (without credentials), e.g. `http://prometheus.monitoring.svc:9090` or `https://host/prometheus/`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. @default none */
  readonly token?: string;
  /** Per request. @default 30000 */
  readonly timeoutMs?: number;
}

/** `<base>/api/v1/<path>`, keeping a path prefix of the base (a Prometheus behind a proxy). */
export function apiUrl(base: string, endpoint: string): URL {
  return new URL(`api/v1/${endpoint}`, base.endsWith('/') ? base : `${base}/`);
}

function cause(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer in time';
  if (err?.cause?.code) return err.cause.message?.includes(err.cause.code) ? err.cause.message : err.cause.code;
  return err?.cause?.message ?? err?.message ?? String(e);
}

/** Evaluates `query` from `startS` to `endS` (unix seconds) every `stepS`. Throws PrometheusUnreachable; a query error is an answer. */
export async function queryRange(o: PrometheusOptions, query: string, startS: number, endS: number, stepS: number): Promise<RangeAnswer> {
  const url = apiUrl(o.url, 'query_range');
  const body = new URLSearchParams({ query, start: String(startS), end: String(endS), step: String(stepS) });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers, redirect: 'error', signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
  } catch (e) {
    const why = cause(e);
    throw new PrometheusUnreachable(`Prometheus at ${o.url} cannot be reached: ${/redirect/i.test(String((e as Error)?.cause ?? e)) ? 'it answered with a redirect (give the URL it redirects to)' : why}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new PrometheusUnreachable(`Prometheus at ${o.url} cannot be read: ${cause(e)}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new PrometheusUnreachable(
      `Prometheus at ${o.url} refused the request: HTTP ${res.status} ${res.statusText}${o.token ? ' (the token was not accepted)' : ' (no token was sent: set RINGS_PROMETHEUS_TOKEN or pass --prometheus-token-file)'}`,
    );
  }
  let json: { status?: unknown; data?: { resultType?: unknown; result?: unknown }; errorType?: unknown; error?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new PrometheusUnreachable(`${url.origin}${url.pathname} did not answer as the Prometheus HTTP API does (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}, not JSON)`);
  }
  if (json?.status === 'error') return { ok: false, errorType: String(json.errorType ?? 'error'), error: String(json.error ?? `HTTP ${res.status}`) };
  if (json?.status !== 'success' || json.data?.resultType !== 'matrix' || !Array.isArray(json.data.result)) {
    if (json?.status === 'success' && json.data?.resultType !== undefined && json.data.resultType !== 'matrix') {
      return { ok: false, errorType: 'unexpected', error: `a ${String(json.data.resultType)} result where query_range returns a matrix` };
    }
    throw new PrometheusUnreachable(`${url.origin}${url.pathname} did not answer as the Prometheus HTTP API does (HTTP ${res.status}, no "status": "success" with a matrix)`);
  }
  const series: RangeSeries[] = [];
  for (const s of json.data.result as { metric?: Record<string, string>; values?: [number, string][] }[]) {
    series.push({ metric: s.metric ?? {}, values: Array.isArray(s.values) ? s.values.map(([t, v]) => [Number(t), String(v)] as const) : [] });
  }
  return { ok: true, series };
}
