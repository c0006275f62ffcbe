/**
 * The one place that knows which TOML parser we use. Swap `@iarna/toml` here and nothing else changes.
 *
 * The parser returns `bigint` for integers beyond 2^53 (silently wrapped to 64 bits: 2^64 + 1 reads
 * as 1n) and `Date` objects for TOML dates and times. Both are passed on as they are: no schema field
 * accepts either, so zod rejects them and `describeValue` names them. Converting them to numbers or
 * strings would let a wrapped integer or a date pass as a valid value.
 */
import * as TOML from '@iarna/toml';

export interface TomlSyntaxError {
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export type TomlResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: TomlSyntaxError };

export function parseToml(text: string): TomlResult {
  try {
    return { ok: true, value: toPlain(TOML.parse(text)) as Record<string, unknown> };
  } catch (e) {
    const err = e as { line?: number; col?: number; message?: string };
    // @iarna/toml messages repeat the source excerpt over several lines; the first line is the reason.
    const first = String(err.message ?? e).split('\n')[0].replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    return {
      ok: false,
      error: {
        line: typeof err.line === 'number' ? err.line + 1 : undefined,
        column: typeof err.col === 'number' ? err.col + 1 : undefined,
        message: first,
      },
    };
  }
}

function toPlain(v: unknown): unknown {
  if (typeof v === 'bigint' || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[k] = toPlain(val);
    return out;
  }
  return v;
}

const BLANK = /^[ \t]*$/;
const COMMENT = /^[ \t]*#[^\x00-\x08\x0a-\x1f\x7f]*$/;
const TRAILING = '[ \\t]*(?:#[^\\x00-\\x08\\x0a-\\x1f\\x7f]*)?$';
const ENTRY = new RegExp(`^[ \\t]*([A-Za-z0-9_-]+)[ \\t]*=[ \\t]*"([^"\\\\\\x00-\\x1f\\x7f]*)"${TRAILING}`);

/**
 * A fast path for the shape tenants.toml has at scale: at most one `[table]` header, then
 * `bare-key = "plain string"` lines, comments and blank lines. At 100,000 tenants the general
 * parser (and the copy that follows it) took a third of `rings check`. Anything else — quoted or
 * dotted keys, escapes, other tables, duplicate keys, keys before the header — returns undefined
 * and the caller uses `parseToml`, so every error and edge case is still the parser's.
 */
export function parseFlatStringTable(text: string, table: string): Record<string, unknown> | undefined {
  const header = new RegExp(`^[ \\t]*\\[[ \\t]*${table}[ \\t]*\\]${TRAILING}`);
  let entries: Record<string, string> | undefined;
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const m = ENTRY.exec(line);
    if (m) {
      if (!entries || m[1] === '__proto__' || Object.prototype.hasOwnProperty.call(entries, m[1])) return undefined;
      entries[m[1]] = m[2];
    } else if (BLANK.test(line) || COMMENT.test(line)) {
      continue;
    } else if (!entries && header.test(line)) {
      entries = {};
    } else {
      return undefined;
    }
  }
  return entries ? { [table]: entries } : {};
}
