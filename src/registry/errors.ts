/**
 * Registry problems are values: a file, a field path and a sentence saying what was expected and
 * what was found. They are collected and reported together, one line each, never as a stack trace.
 */
export interface RegistryProblem {
  /** Path of the file, as the user named it (e.g. `rings/canary.toml`). */
  readonly file: string;
  /** Dotted field path inside the file; empty for whole-file problems. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: RegistryProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Thrown by `loadRegistry` when anything is wrong; carries every problem found. */
export class RegistryError extends Error {
  constructor(readonly problems: readonly RegistryProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'RegistryError';
  }

  /** One line per problem, in the order found (the loader sorts them), duplicates dropped. */
  lines(): string[] {
    return [...new Set(this.problems.map(formatProblem))];
  }
}

/**
 * Describes a found value for an error message without echoing anything long or secret-looking:
 * numbers and booleans verbatim, short strings quoted, everything else by its type.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // The TOML parser wraps integers beyond 64 bits silently, so the value itself is not worth showing.
  if (typeof v === 'bigint') return 'a whole number too large to be exact (beyond 2^53)';
  if (v instanceof Date) return `a TOML date/time (${dateText(v)})`;
  if (typeof v === 'string') {
    // A token pasted into the wrong field must not reach a CI log through its error message.
    if (looksLikeSecretValue(v)) return `a string of ${v.length} characters that looks like a secret (not shown)`;
    if (v.length > 60 || /[^\x20-\x7e]/.test(v)) return `a string of ${v.length} characters`;
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return 'an array';
  return 'a table';
}

import { looksLikeSecretValue } from '../model/secret-values';
import { fieldPath } from '../model/field-path';

export { looksLikeSecretValue };

function dateText(d: Date): string {
  try {
    return d.toISOString(); // the parser's local date and time types print as written (1979-05-27, 07:32:00.000)
  } catch {
    return 'invalid';
  }
}

/** A field path from its keys, in TOML's own syntax (the rule lives in src/model, shared with the constructs). */
export { fieldPath };

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
