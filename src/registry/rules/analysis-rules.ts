/**
 * The rules of the metric checks (`[analysis]` in platform.toml and in ring files), each a small pure
 * function like those in validate.ts (which runs them with the others), except that the query rule
 * asks Prometheus's own parser (promql.ts).
 */
import { ANALYSIS_PLACEHOLDERS, AnalysisPlaceholder, MAX_ANALYSIS_WINDOW_MS, MIN_ANALYSIS_WINDOW_MS, parseGoDuration, substituteQuery, unknownPlaceholders } from '../../model/analysis';
import { closest, RegistryProblem } from '../errors';
import { parsePromql, PROMQL_PARSER_RELEASE } from './promql';
import type { AnalysisCheckSpec } from '../schema/schema';
import type { PlatformFile, RingFile } from '../schema/presets';
import type { RingEntry } from '../schema/types';

/** What these rules read of the parsed registry (validate.ts's CrossFileInput has it). */
export interface AnalysisRuleInput {
  readonly platform?: PlatformFile;
  readonly platformFile: string;
  readonly rings: readonly RingEntry[];
}
type Rule = (input: AnalysisRuleInput) => RegistryProblem[];

/**
 * The cluster a ring runs on, for `{cluster}`: the ring's `cluster` key, else the platform's
 * `home_cluster` (the keys of `[clusters]`); undefined for a registry with one implicit cluster,
 * which has no cluster name, so `{cluster}` is refused there.
 */
export function ringClusterName(platform: PlatformFile | undefined, ring: RingFile): string | undefined {
  const own = (ring as { cluster?: unknown }).cluster;
  if (typeof own === 'string') return own;
  const home = (platform as { home_cluster?: unknown } | undefined)?.home_cluster;
  return typeof home === 'string' ? home : undefined;
}

/** What `{ring}`, `{namespace}` and `{cluster}` stand for in this ring's queries. */
export function placeholderValues(platform: PlatformFile | undefined, ring: RingFile): Partial<Record<AnalysisPlaceholder, string>> {
  const cluster = ringClusterName(platform, ring);
  return { ring: ring.name, namespace: ring.namespace, ...(cluster !== undefined ? { cluster } : {}) };
}

/** A check's query as it is parsed and sent: placeholders substituted for the ring. */
export function ringQuery(platform: PlatformFile | undefined, ring: RingFile, check: AnalysisCheckSpec): string {
  return substituteQuery(check.query, placeholderValues(platform, ring));
}

const checksOf = (r: RingEntry): readonly AnalysisCheckSpec[] => r.spec.analysis?.checks ?? [];
const at = (i: number, key: string) => `analysis.checks.${i}.${key}`;

/**
 * `prometheus_url`: an http(s) URL of the Prometheus API, never with credentials in it (they would
 * sit in git and in every log line that names the URL); a token is passed at run time instead.
 */
export const prometheusUrlIsPlain: Rule = ({ platform, platformFile }) => {
  const url = platform?.analysis?.prometheus_url;
  if (url === undefined) return [];
  const problem = prometheusUrlProblem(url);
  return problem ? [{ file: platformFile, path: 'analysis.prometheus_url', message: problem }] : [];
};

/** Why a Prometheus URL is refused (also for `--prometheus URL`), without echoing credentials; undefined when fine. */
export function prometheusUrlProblem(url: string): string | undefined {
  const expected = 'expected an http:// or https:// URL such as "http://prometheus.monitoring.svc:9090", got';
  // Shown only when it cannot be hiding a password.
  const shown = url.includes('@') ? `a string of ${url.length} characters (not shown: it may hold credentials)` : JSON.stringify(url.length > 80 ? `${url.slice(0, 76)}…` : url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${expected} ${shown}`;
  }
  if (u.username !== '' || u.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url)) {
    return `expected a URL without credentials, got one with ${u.password !== '' ? 'a user and password' : 'a user'} before the host ${u.host} (not shown); pass a token with RINGS_PROMETHEUS_TOKEN or --prometheus-token-file`;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.host === '') return `${expected} ${shown}`;
  if (u.search !== '' || u.hash !== '') return `expected the Prometheus base URL without ?query or #fragment (the API paths are added to it), got one with ${u.search !== '' ? 'a query string' : 'a fragment'} (not shown)`;
  return undefined;
}

/** `window`: a Go duration from 1m to 720h. */
export const analysisWindowIsADuration: Rule = ({ rings }) =>
  rings.flatMap((r) => {
    const w = r.spec.analysis?.window;
    if (w === undefined) return [];
    const ms = parseGoDuration(w);
    if (ms !== undefined && ms >= MIN_ANALYSIS_WINDOW_MS && ms <= MAX_ANALYSIS_WINDOW_MS) return [];
    return [{ file: r.file, path: 'analysis.window', message: `expected a Go duration from 1m to 720h such as "30m" or "2h", got ${JSON.stringify(w.length > 40 ? `${w.slice(0, 36)}…` : w)}` }];
  });

/** Check names are unique in a ring: they name the results in output, history and the gate. */
export const analysisCheckNamesUnique: Rule = ({ rings }) =>
  rings.flatMap((r) => {
    const seen = new Map<string, number>();
    const out: RegistryProblem[] = [];
    checksOf(r).forEach((c, i) => {
      const first = seen.get(c.name);
      if (first !== undefined) out.push({ file: r.file, path: at(i, 'name'), message: `expected a unique check name, got "${c.name}", already the name of analysis.checks.${first}` });
      else seen.set(c.name, i);
    });
    return out;
  });

/** A check needs a bound (min, max or both), and min ≤ max. */
export const analysisChecksHaveABound: Rule = ({ rings }) =>
  rings.flatMap((r) =>
    checksOf(r).flatMap((c, i): RegistryProblem[] => {
      if (c.min === undefined && c.max === undefined) return [{ file: r.file, path: `analysis.checks.${i}`, message: `expected min, max or both for check "${c.name}" (the bound every point must stay within), got neither` }];
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) return [{ file: r.file, path: at(i, 'min'), message: `expected min ≤ max, got min ${c.min} and max ${c.max}` }];
      return [];
    }),
  );

/** `on_no_data = "pass"` lets a window without data pass, so it says why (the reason is recorded); a reason without it means nothing. */
export const analysisNoDataPassHasAReason: Rule = ({ rings }) =>
  rings.flatMap((r) =>
    checksOf(r).flatMap((c, i): RegistryProblem[] => {
      const reason = c.reason?.trim() ?? '';
      if (c.on_no_data === 'pass' && reason === '') {
        return [{ file: r.file, path: at(i, 'reason'), message: `expected a reason with on_no_data = "pass" (why no data may count as passing; it is recorded with the result), got ${c.reason === undefined ? 'none' : 'an empty one'}` }];
      }
      if (c.on_no_data === 'fail' && c.reason !== undefined) {
        return [{ file: r.file, path: at(i, 'reason'), message: 'expected no reason (it goes with on_no_data = "pass" only, and on_no_data is "fail"); remove it' }];
      }
      return [];
    }),
  );

/** Only `{ring}`, `{namespace}` and `{cluster}` (the last only where the ring has a cluster name). */
export const analysisPlaceholdersKnown: Rule = ({ platform, rings }) =>
  rings.flatMap((r) =>
    checksOf(r).flatMap((c, i): RegistryProblem[] => {
      const unknown = unknownPlaceholders(c.query);
      const out: RegistryProblem[] = unknown.map((p) => {
        const near = closest(p, ANALYSIS_PLACEHOLDERS);
        return { file: r.file, path: at(i, 'query'), message: `expected only the placeholders {ring}, {namespace} and {cluster}, got {${p.length > 40 ? `${p.slice(0, 36)}…` : p}}${near ? ` (did you mean {${near}}?)` : ''}` };
      });
      if (c.query.includes('{cluster}') && ringClusterName(platform, r.spec) === undefined) {
        out.push({ file: r.file, path: at(i, 'query'), message: 'expected {cluster} only in a registry with [clusters] (one implicit cluster has no name to substitute), got {cluster}' });
      }
      return out;
    }),
  );

const RANGE_QUERY_TYPES = new Set(['vector', 'scalar']);

/**
 * The query, substituted for its ring, is PromQL that Prometheus accepts for a range query: its own
 * parser says so (syntax, types, function arguments, regular expressions), and the result is an
 * instant vector or a scalar (query_range refuses a range vector or a string).
 */
export const analysisQueriesParse: Rule = ({ platform, rings }) => {
  const items: { r: RingEntry; i: number; query: string }[] = [];
  for (const r of rings) {
    checksOf(r).forEach((c, i) => {
      const query = ringQuery(platform, r.spec, c);
      // A query with a placeholder left is reported by analysisPlaceholdersKnown, not twice here.
      if (unknownPlaceholders(query).length === 0 && !query.includes('{cluster}')) items.push({ r, i, query });
    });
  }
  if (items.length === 0) return [];
  const problems = rangeQueryProblems(items.map((x) => x.query));
  const out: RegistryProblem[] = [];
  items.forEach(({ r, i }, k) => {
    const p = problems[k];
    if (p !== undefined) out.push({ file: r.file, path: at(i, 'query'), message: p });
  });
  return out;
};

/**
 * For each query, why Prometheus would refuse it as a range query (the sentence after the field
 * path), or undefined when it would accept it.
 */
export function rangeQueryProblems(queries: readonly string[]): (string | undefined)[] {
  const verdicts = parsePromql(queries);
  if ('unavailable' in verdicts) return queries.map(() => `cannot be checked: ${PROMQL_PARSER_RELEASE}'s PromQL parser is not available: ${verdicts.unavailable}`);
  return verdicts.map((v) => {
    if (!v.ok) return `expected PromQL that Prometheus accepts, got ${describeParseError(v.error)}`;
    if (!RANGE_QUERY_TYPES.has(v.type)) return `expected a query that returns an instant vector or a scalar (query_range evaluates it at every step), got a ${v.type === 'matrix' ? 'range vector' : v.type}`;
    return undefined;
  });
}

/** "1:6: parse error: expected …" → "a parse error at 1:6: expected …". */
function describeParseError(raw: string): string {
  const error = raw.split('\n').filter((l) => l.trim()).join('; '); // several errors: one line
  const m = /^(?:(\d+:\d+): )?parse error: ([\s\S]*)$/.exec(error);
  if (!m) return `an error from the parser: ${error}`;
  return `a parse error${m[1] ? ` at ${m[1]}` : ''}: ${m[2]}`;
}

export const ANALYSIS_RULES: readonly Rule[] = [
  prometheusUrlIsPlain,
  analysisWindowIsADuration,
  analysisCheckNamesUnique,
  analysisChecksHaveABound,
  analysisNoDataPassHasAReason,
  analysisPlaceholdersKnown,
  analysisQueriesParse,
];
