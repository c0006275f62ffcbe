/**
 * Every rule of the metric checks (`[analysis]`, src/registry/rules/analysis-rules.ts): the example registry
 * passes it, and a minimal edit breaks it with one line naming the file and the field path — in
 * process, and through the CLI's commands (exit 1, nothing written).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as A from '../../../src/registry/rules/analysis-rules';
import { ANALYSIS_RULES, ringClusterName } from '../../../src/registry/rules/analysis-rules';
import { Registry } from '../../../src/registry/load';
import { exampleSources, parse, problemsOf } from '../../support/registry-fixture';

const input = (reg: Registry): A.AnalysisRuleInput => ({ platform: reg.platform, platformFile: 'rings/platform.toml', rings: reg.rings });
const example = () => input(parse(exampleSources()));

/** The example with canary's [analysis] replaced by `toml` (or removed when empty). */
function canaryAnalysis(toml: string, platform?: (text: string) => string): Map<string, string> {
  const s = exampleSources();
  const canary = s.get('canary.toml')!;
  const cut = canary.indexOf('\n# Metric checks');
  if (cut < 0) throw new Error('the example canary has no metric checks');
  s.set('canary.toml', `${canary.slice(0, cut)}\n${toml}`);
  if (platform) s.set('platform.toml', platform(s.get('platform.toml')!));
  return s;
}

const check = (fields: string) => `[analysis]\n[[analysis.checks]]\n${fields}\n`;
const ERR = 'query = \'sum(rate(http_requests_total{namespace="{namespace}",code=~"5.."}[5m]))\'';

test('the example registry declares checks and passes every analysis rule', () => {
  const ex = example();
  expect(ex.rings.find((r) => r.spec.name === 'canary')!.spec.analysis!.checks.map((c) => c.name)).toEqual(['error-rate', 'latency-p99']);
  for (const rule of ANALYSIS_RULES) expect(rule(ex)).toEqual([]);
});

describe('prometheusUrlIsPlain', () => {
  const url = (u: string) => problemsOf(canaryAnalysis('', (p) => p.replace('prometheus_url = "http://prometheus.monitoring.svc:9090"', `prometheus_url = "${u}"`)));
  test('passes: http and https, with a path prefix', () => {
    expect(A.prometheusUrlIsPlain(example())).toEqual([]);
    expect(A.prometheusUrlProblem('https://metrics.acme.io/prometheus/')).toBeUndefined();
  });
  test('fails with a user and password, without echoing them', () => {
    const lines = url('https://ops:s3cr3t-pass@prometheus.acme.io:9090');
    expect(lines).toEqual([
      'rings/platform.toml: analysis.prometheus_url: expected a URL without credentials, got one with a user and password before the host prometheus.acme.io:9090 (not shown); pass a token with RINGS_PROMETHEUS_TOKEN or --prometheus-token-file',
    ]);
    expect(lines.join('\n')).not.toContain('s3cr3t-pass');
    expect(lines.join('\n')).not.toContain('ops');
  });
  test('fails with a user alone, another scheme, a query string (not shown) or no URL at all', () => {
    expect(url('http://ops@prometheus:9090')).toEqual([expect.stringContaining('analysis.prometheus_url: expected a URL without credentials, got one with a user before the host prometheus:9090 (not shown)')]);
    expect(url('ftp://prometheus:9090')).toEqual(['rings/platform.toml: analysis.prometheus_url: expected an http:// or https:// URL such as "http://prometheus.monitoring.svc:9090", got "ftp://prometheus:9090"']);
    const q = url('http://prometheus:9090/?access_token=abc123');
    expect(q).toEqual(['rings/platform.toml: analysis.prometheus_url: expected the Prometheus base URL without ?query or #fragment (the API paths are added to it), got one with a query string (not shown)']);
    expect(url('prometheus:9090 x')).toEqual(['rings/platform.toml: analysis.prometheus_url: expected an http:// or https:// URL such as "http://prometheus.monitoring.svc:9090", got "prometheus:9090 x"']);
    expect(url('not a url @ all')[0]).toMatch(/got a string of 15 characters \(not shown: it may hold credentials\)$/);
  });
});

describe('analysisWindowIsADuration', () => {
  test('passes: 30m, 1h30m, 90s, the default', () => {
    for (const w of ['30m', '1h30m', '90s']) expect(A.analysisWindowIsADuration(input(parse(canaryAnalysis(`[analysis]\nwindow = "${w}"\n`))))).toEqual([]);
    expect(parse(canaryAnalysis('[analysis]\n')).rings.find((r) => r.spec.name === 'canary')!.spec.analysis!.window).toBe('30m');
  });
  test.each(['30', '30s', '721h', '7d', '1h 30m'])('fails with %j', (w) => {
    expect(problemsOf(canaryAnalysis(`[analysis]\nwindow = "${w}"\n`))).toEqual([`rings/canary.toml: analysis.window: expected a Go duration from 1m to 720h such as "30m" or "2h", got ${JSON.stringify(w)}`]);
  });
});

describe('analysisCheckNamesUnique', () => {
  test('passes', () => expect(A.analysisCheckNamesUnique(example())).toEqual([]));
  test('fails on the second check of a name', () => {
    expect(problemsOf(canaryAnalysis(`[analysis]\n[[analysis.checks]]\nname = "e"\n${ERR}\nmax = 1\n[[analysis.checks]]\nname = "e"\n${ERR}\nmax = 2\n`))).toEqual([
      'rings/canary.toml: analysis.checks.1.name: expected a unique check name, got "e", already the name of analysis.checks.0',
    ]);
  });
});

describe('analysisChecksHaveABound', () => {
  test('passes with min, max or both', () => {
    for (const b of ['min = 0', 'max = 1', 'min = 0\nmax = 0']) expect(A.analysisChecksHaveABound(input(parse(canaryAnalysis(check(`name = "e"\n${ERR}\n${b}`)))))).toEqual([]);
  });
  test('fails without either', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}`)))).toEqual(['rings/canary.toml: analysis.checks.0: expected min, max or both for check "e" (the bound every point must stay within), got neither']);
  });
  test('fails with min above max', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmin = 2\nmax = 1`)))).toEqual(['rings/canary.toml: analysis.checks.0.min: expected min ≤ max, got min 2 and max 1']);
  });
  test('a bound is a finite number (schema)', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = "0.01"`)))).toEqual(['rings/canary.toml: analysis.checks.0.max: expected an upper bound (a number), got "0.01"']);
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = inf`)))).toEqual(['rings/canary.toml: analysis.checks.0.max: expected an upper bound: a finite number, got Infinity']);
  });
});

describe('analysisNoDataPassHasAReason', () => {
  test('passes with a reason', () => {
    expect(A.analysisNoDataPassHasAReason(input(parse(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = 1\non_no_data = "pass"\nreason = "no traffic at night"`)))))).toEqual([]);
  });
  test('fails without one, or with an empty one', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = 1\non_no_data = "pass"`)))).toEqual([
      'rings/canary.toml: analysis.checks.0.reason: expected a reason with on_no_data = "pass" (why no data may count as passing; it is recorded with the result), got none',
    ]);
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = 1\non_no_data = "pass"\nreason = "  "`)))[0]).toMatch(/reason: expected a reason with on_no_data = "pass" .*got an empty one$/);
  });
  test('fails with a reason that means nothing (on_no_data = "fail"), and with another value', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = 1\nreason = "x"`)))).toEqual(['rings/canary.toml: analysis.checks.0.reason: expected no reason (it goes with on_no_data = "pass" only, and on_no_data is "fail"); remove it']);
    expect(problemsOf(canaryAnalysis(check(`name = "e"\n${ERR}\nmax = 1\non_no_data = "skip"`)))).toEqual(['rings/canary.toml: analysis.checks.0.on_no_data: expected "fail" or "pass", got "skip"']);
  });
});

describe('analysisPlaceholdersKnown', () => {
  test('passes: {ring} and {namespace} are substituted for the ring', () => {
    const reg = parse(canaryAnalysis(check('name = "e"\nquery = \'up{ring="{ring}",namespace="{namespace}"}\'\nmin = 1')));
    expect(A.analysisPlaceholdersKnown(input(reg))).toEqual([]);
    const canary = reg.rings.find((r) => r.spec.name === 'canary')!;
    expect(A.ringQuery(reg.platform, canary.spec, canary.spec.analysis!.checks[0])).toBe('up{ring="canary",namespace="autocom-canary"}');
  });
  test('fails on any other placeholder, with a did-you-mean', () => {
    expect(problemsOf(canaryAnalysis(check('name = "e"\nquery = \'up{namespace="{nmespace}",job="{job}"}\'\nmin = 1')))).toEqual([
      'rings/canary.toml: analysis.checks.0.query: expected only the placeholders {ring}, {namespace} and {cluster}, got {job}',
      'rings/canary.toml: analysis.checks.0.query: expected only the placeholders {ring}, {namespace} and {cluster}, got {nmespace} (did you mean {namespace}?)',
    ]);
  });
  test('fails on {cluster} in a registry with one implicit cluster (no name to substitute)', () => {
    expect(problemsOf(canaryAnalysis(check('name = "e"\nquery = \'up{cluster="{cluster}"}\'\nmin = 1')))).toEqual([
      'rings/canary.toml: analysis.checks.0.query: expected {cluster} only in a registry with [clusters] (one implicit cluster has no name to substitute), got {cluster}',
    ]);
  });
  test('ringClusterName: the ring\'s cluster, else the home cluster, else none', () => {
    const reg = parse(exampleSources());
    const canary = reg.rings.find((r) => r.spec.name === 'canary')!.spec;
    expect(ringClusterName(reg.platform, canary)).toBeUndefined();
    expect(ringClusterName({ ...reg.platform, home_cluster: 'eu-1' } as never, canary)).toBe('eu-1');
    expect(ringClusterName({ ...reg.platform, home_cluster: 'eu-1' } as never, { ...canary, cluster: 'us-1' } as never)).toBe('us-1');
    expect(A.placeholderValues({ ...reg.platform, home_cluster: 'eu-1' } as never, canary)).toEqual({ ring: 'canary', namespace: 'autocom-canary', cluster: 'eu-1' });
  });
});

describe("analysisQueriesParse (Prometheus's own parser)", () => {
  test('passes: the example, and the queries Prometheus accepts for a range query', () => {
    expect(A.analysisQueriesParse(example())).toEqual([]);
  });
  test('fails on a syntax error, with the position and Prometheus\'s own message', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\nquery = 'sum(rate(http_requests_total{namespace="{namespace}"}[5m])'\nmax = 1`)))).toEqual([
      'rings/canary.toml: analysis.checks.0.query: expected PromQL that Prometheus accepts, got a parse error at 1:62: unclosed left parenthesis',
    ]);
  });
  test('fails on a type error no regex would see', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\nquery = 'rate(http_requests_total{namespace="{namespace}"})'\nmax = 1`)))).toEqual([
      'rings/canary.toml: analysis.checks.0.query: expected PromQL that Prometheus accepts, got a parse error at 1:6: expected type range vector in call to function "rate", got instant vector',
    ]);
  });
  test('fails on a range vector: query_range cannot evaluate it', () => {
    expect(problemsOf(canaryAnalysis(check(`name = "e"\nquery = 'http_requests_total{namespace="{namespace}"}[5m]'\nmax = 1`)))).toEqual([
      'rings/canary.toml: analysis.checks.0.query: expected a query that returns an instant vector or a scalar (query_range evaluates it at every step), got a range vector',
    ]);
  });
});

describe('through the CLI: every command refuses a registry with a broken check (exit 1, one line, nothing written)', () => {
  const ROOT = path.resolve(__dirname, '../../..');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-analysis-rules-'));
    fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
    const f = path.join(dir, 'rings', 'canary.toml');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('max = 0.5', 'max = 0.5\non_no_data = "pass"').replace('[5m])) / sum(', '[5m]) / sum('));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [path.join(ROOT, 'bin/rings.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RINGS_NOW: '2026-11-24T09:00:00Z', ...env } });
  const LINES = [
    'rings/canary.toml: analysis.checks.0.query: expected PromQL that Prometheus accepts, got a parse error at 1:139: unclosed left parenthesis',
    'rings/canary.toml: analysis.checks.1.reason: expected a reason with on_no_data = "pass" (why no data may count as passing; it is recorded with the result), got none',
  ];

  test.each([
    [['check']],
    [['status']],
    [['list']],
    [['show', 'canary']],
    [['synth']],
    [['promote', 'orders', '--from', 'canary', '--to', 'edge', '--dry-run']],
    [['assign', 'acme', 'edge', '--yes']],
    [['verify', '--ring', 'canary', '--metrics', '--prometheus', 'http://127.0.0.1:9']],
  ])('rings %j', (args) => {
    const before = fs.readFileSync(path.join(dir, 'rings', 'history.jsonl'), 'utf8');
    const r = run(args);
    expect(r.status).toBe(1);
    for (const l of LINES) expect(r.stderr).toContain(l);
    expect(fs.readFileSync(path.join(dir, 'rings', 'history.jsonl'), 'utf8')).toBe(before);
  });

  test('without the parser (not built, no Go), every query is refused as not checkable: validation fails closed', () => {
    const r = run(['check'], { RINGS_PROMQL_PARSER: path.join(dir, 'no-such-parser') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`rings/canary.toml: analysis.checks.0.query: cannot be checked: Prometheus 2.42.0's PromQL parser is not available: RINGS_PROMQL_PARSER=${path.join(dir, 'no-such-parser')} does not exist`);
    expect(r.stderr).toContain('rings/canary.toml: analysis.checks.1.query: cannot be checked:');
  });
});
