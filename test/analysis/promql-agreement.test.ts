/**
 * The query rule checks PromQL with Prometheus's own parser (src/registry/rules/promql.ts). This proves it
 * agrees with a real Prometheus 2.42: every query below goes to both, and the rule refuses exactly
 * those that Prometheus's query_range refuses (errorType bad_data), with the same parse error text
 * that Prometheus's /api/v1/query gives. 2.42 has no /api/v1/parse_query, so the endpoints that
 * evaluate are asked (over an empty database, so only parsing and typing can fail).
 *
 * The corpus holds what a check author writes, what they get wrong (syntax, types, arguments,
 * regular expressions, empty selectors), and what the editor grammar @prometheus-io/lezer-promql
 * (the Prometheus UI's) got wrong on this server: Prometheus 3 syntax and functions, which 2.42
 * refuses, and holt_winters, which 2.42 has.
 */
import { parsePromql } from '../../src/registry/rules/promql';
import { rangeQueryProblems } from '../../src/registry/rules/analysis-rules';
import { RunningPrometheus, startPrometheus } from './prometheus';

const VALID = [
  'up',
  'sum(rate(http_requests_total{namespace="autocom-canary",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="autocom-canary"}[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="autocom-canary"}[5m])))',
  'max_over_time(up[30m:1m])',
  'up offset 5m',
  'up offset -5m',
  'up @ 100',
  'up @ start()',
  '1 + 2',
  '-up',
  'up and on(job) up',
  'topk(3, up)',
  'count_values("x", up)',
  'label_replace(up, "a", "$1", "b", "(.*)")',
  'absent(up)',
  'vector(1)',
  'time()',
  '{__name__="up"}',
  'sum without (a) (up)',
  'sum(up) by (job)',
  'up > bool 1',
  'up unless up',
  'rate(up[5m] offset 1m)',
  'rate(up[5m:1m])',
  'scalar(up)',
  '1e3',
  '0x10',
  'Inf',
  'NaN',
  'up # a comment',
  'holt_winters(up[5m], 0.5, 0.5)',
  'clamp(up, 0, 1)',
  'quantile_over_time(0.9, up[5m])',
  'up / on(a) group_left(b) up',
  'up ^ 2 ^ 3',
  'count(up) > 0 or vector(0)',
  'predict_linear(up[5m], 60)',
  'stddev by (a) (up)',
  'present_over_time(up[5m])',
  'up{namespace="{namespace}"}',
  'foo{a=~"x{2,3}"}',
  // Valid PromQL whose result query_range refuses: a range vector, a string.
  'up[5m]',
  'up[5m] offset 1m',
  '"a string"',
];

const INVALID = [
  'sum(',
  'up{',
  'rate(up[5m]',
  'up ==',
  'foo{a=}',
  'foo{a="b"',
  'sum by (a (up)',
  'up[5x]',
  '1 +',
  '',
  'up )',
  '((up)',
  '"unterminated',
  'up offset',
  'up @',
  'foo bar',
  'nonexistent_func(up)',
  'rate(up)',
  'sum(up[5m])',
  'up and 1',
  'topk(up, up)',
  'histogram_quantile("a", up)',
  'label_replace(up, "a", "$1", "b")',
  'abs(up, up)',
  'rate(up[5m])[5m]',
  'foo{a=~"("}',
  '{}',
  '{a=""}',
  '{a=~".*"}',
  'sum by (job) (up) @ end()',
  '1 + 1m',
  // Prometheus 3 (and later 2.x) syntax and functions: 2.42 refuses them.
  '{"up"}',
  'info(up)',
  'limitk(2, up)',
  'up[5m+1m]',
  'sort_by_label(up, "a")',
  'mad_over_time(up[5m])',
  'double_exponential_smoothing(up[5m], 0.5, 0.5)',
];

let prom: RunningPrometheus;

beforeAll(async () => {
  prom = await startPrometheus('# EOF\n');
}, 60_000);

afterAll(async () => {
  await prom?.stop();
});

async function ask(endpoint: 'query' | 'query_range', query: string): Promise<{ status: string; errorType?: string; error?: string }> {
  const body = new URLSearchParams(endpoint === 'query' ? { query, time: '1700000000' } : { query, start: '1700000000', end: '1700001800', step: '60' });
  const r = await fetch(`${prom.url}/api/v1/${endpoint}`, { method: 'POST', body });
  return (await r.json()) as { status: string; errorType?: string; error?: string };
}

describe("Prometheus's own parser agrees with a real Prometheus 2.42", () => {
  test('the corpus holds both kinds', () => {
    expect(VALID.length).toBeGreaterThan(40);
    expect(INVALID.length).toBeGreaterThan(35);
  });

  test('every query: refused by the rule exactly when query_range refuses it (bad_data), with the same parse error', async () => {
    const all = [...VALID, ...INVALID];
    const problems = rangeQueryProblems(all);
    const verdicts = parsePromql(all);
    if ('unavailable' in verdicts) throw new Error(verdicts.unavailable);
    const disagreements: string[] = [];
    for (const [i, q] of all.entries()) {
      const range = await ask('query_range', q);
      const instant = await ask('query', q);
      const promRefuses = range.status === 'error' && range.errorType === 'bad_data';
      if ((problems[i] !== undefined) !== promRefuses) disagreements.push(`${JSON.stringify(q)}: rule ${problems[i] ?? 'accepts'}; query_range ${range.status} ${range.error ?? ''}`);
      // Same parser, same message: Prometheus prefixes its parse errors with the parameter's name.
      const v = verdicts[i];
      if (instant.status === 'error') {
        if (instant.errorType !== 'bad_data' || v.ok || `invalid parameter "query": ${v.error}` !== instant.error) disagreements.push(`${JSON.stringify(q)}: parser ${v.ok ? 'accepts' : v.error}; query ${instant.error}`);
      } else if (!v.ok) disagreements.push(`${JSON.stringify(q)}: parser ${v.error}; query accepts`);
    }
    expect(disagreements).toEqual([]);
    // And the corpus means what it says.
    expect(VALID.filter((q) => problems[all.indexOf(q)] !== undefined)).toEqual(['up[5m]', 'up[5m] offset 1m', '"a string"']);
    expect(INVALID.filter((q) => problems[all.indexOf(q)] === undefined)).toEqual([]);
  });
});
