/**
 * PromQL checked by Prometheus's own parser: `github.com/prometheus/prometheus/promql/parser` at the
 * release pinned in `scripts/promql-parser/go.mod` (v0.42.0 = Prometheus 2.42.0, the release the
 * tests run against), as a small Go program fed a JSON array of queries on stdin.
 *
 * Why not the JavaScript grammar the Prometheus UI uses (`@prometheus-io/lezer-promql` 0.315): it is an
 * editor grammar, for Prometheus 3. Given the 82 queries of test/analysis/promql-agreement.test.ts,
 * it accepted 22 that Prometheus 2.42 refuses — type errors (`rate(up)`, `sum(up[5m])`), wrong
 * argument counts, an invalid regular expression, empty selectors (`{}`), an unterminated string,
 * Prometheus 3 syntax and functions — and refused `holt_winters`, which 2.42 has. The Go parser
 * compiled to WebAssembly agreed, but took about half a second to start in every command (an 18 MB
 * module); the native build starts in about 10 ms.
 *
 * The program is built once with `go build` into `~/.cache/cdk8s-rings/promql/<hash>/` (outside the
 * clone; `RINGS_PROMQL_CACHE` moves it), keyed by the hash of its sources, the first time a registry
 * with checks is validated. `RINGS_PROMQL_PARSER=<file>` uses a binary built elsewhere instead.
 * When neither works, every query is reported as not checkable: validation fails closed.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What the parser said of one query. `type` is Prometheus's: scalar, vector, matrix or string. */
export type PromqlVerdict = { readonly ok: true; readonly type: string } | { readonly ok: false; readonly error: string };

/** The Prometheus release whose parser is used (the module version in scripts/promql-parser/go.mod). */
export const PROMQL_PARSER_RELEASE = 'Prometheus 2.42.0';

const SOURCES = ['go.mod', 'go.sum', 'main.go'] as const;
const memo = new Map<string, PromqlVerdict>();
let binary: { path: string } | { unavailable: string } | undefined;

/** The folder holding scripts/promql-parser, from the compiled module, the bundle or the TypeScript source. */
function sourceDir(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'scripts', 'promql-parser');
    if (fs.existsSync(path.join(candidate, 'go.mod'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function goCommand(): string {
  const candidates = [process.env.GO, 'go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go'].filter((c): c is string => !!c);
  for (const c of candidates) {
    const r = spawnSync(c, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    if (r.status === 0) return c;
  }
  return '';
}

/** The parser binary, built on first use. */
function parserBinary(): { path: string } | { unavailable: string } {
  if (binary) return binary;
  const given = process.env.RINGS_PROMQL_PARSER;
  if (given) {
    binary = fs.existsSync(given) ? { path: given } : { unavailable: `RINGS_PROMQL_PARSER=${given} does not exist` };
    return binary;
  }
  const src = sourceDir();
  if (!src) return (binary = { unavailable: 'the parser sources (scripts/promql-parser) are not in this installation' });
  const hash = createHash('sha256');
  for (const f of SOURCES) hash.update(fs.readFileSync(path.join(src, f)));
  hash.update(`${process.platform}/${process.arch}`);
  const cache = process.env.RINGS_PROMQL_CACHE || path.join(os.homedir(), '.cache', 'cdk8s-rings', 'promql');
  const dir = path.join(cache, hash.digest('hex').slice(0, 16));
  const bin = path.join(dir, 'promql-parse');
  if (fs.existsSync(bin)) return (binary = { path: bin });
  const go = goCommand();
  if (!go) return (binary = { unavailable: `it is not built yet (${bin}) and Go is not installed to build it (Go ≥ 1.21; or set RINGS_PROMQL_PARSER to a built scripts/promql-parser)` });
  fs.mkdirSync(dir, { recursive: true });
  process.stderr.write(`rings: building ${PROMQL_PARSER_RELEASE}'s PromQL parser into ${dir} (once)\n`);
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync(go, ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], {
    cwd: src,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 15 * 60_000,
  });
  if (r.status !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    const why = (r.stderr ?? '').split('\n').filter((l) => l.trim() && !l.startsWith('go: downloading'))[0] ?? (r.error ? r.error.message : `exit ${r.status}`);
    return (binary = { unavailable: `building it failed (${why})` });
  }
  fs.renameSync(tmp, bin); // atomic: a concurrent builder's rename wins, with identical bytes
  return (binary = { path: bin });
}

/**
 * Each query as Prometheus's parser sees it, in order; `{ unavailable }` (one sentence) when the
 * parser cannot be run, so callers refuse rather than pass an unchecked query.
 */
export function parsePromql(queries: readonly string[]): PromqlVerdict[] | { unavailable: string } {
  const todo = [...new Set(queries.filter((q) => !memo.has(q)))];
  if (todo.length > 0) {
    const bin = parserBinary();
    if ('unavailable' in bin) return bin;
    const r = spawnSync(bin.path, [], { input: JSON.stringify(todo), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    let out: unknown;
    try {
      out = r.status === 0 ? JSON.parse(r.stdout) : undefined;
    } catch {
      out = undefined;
    }
    if (!Array.isArray(out) || out.length !== todo.length) {
      return { unavailable: `${bin.path} did not answer (${r.error ? r.error.message : (r.stderr || '').trim().split('\n')[0] || `exit ${r.status}`})` };
    }
    todo.forEach((q, i) => {
      const v = out[i] as { ok?: unknown; type?: unknown; error?: unknown };
      memo.set(q, v.ok === true ? { ok: true, type: String(v.type) } : { ok: false, error: String(v.error ?? 'parse error') });
    });
  }
  return queries.map((q) => memo.get(q)!);
}
