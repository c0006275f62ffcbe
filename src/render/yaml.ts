/**
 * Manifest YAML, byte-identical to cdk8s's `Yaml.stringify` (the `yaml` library, YAML 1.1 schema,
 * no line folding) but about ten times faster on large objects.
 *
 * Why: at platform scale YAML serialization was 60 % of synth time and most of its garbage (the
 * library builds a node tree per document, then walks it several times). A Kubernetes manifest is
 * plain JSON data in block style, so this writer emits it directly. The only part of the library's
 * decisions that is not structural — how one scalar is written (plain, quoted, which quotes) — is
 * asked of the library itself, once per distinct scalar, and cached. Whatever this writer does not
 * handle with certainty (multi-line strings, document markers, shared references, nested sequences,
 * non-plain objects) makes it hand that whole document to the library, so the output never differs.
 */
import * as YAML from 'yaml';

const OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' as const };

/** Same contract as cdk8s `Yaml.stringify(...docs)`: documents joined by `---\n`. */
export function stringifyManifests(docs: readonly unknown[]): string {
  return docs.map((d) => (d === undefined ? '\n' : stringifyDocument(d))).join('---\n');
}

/** One document, as `YAML.stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' })`. */
export function stringifyDocument(doc: unknown): string {
  if (isPlainObject(doc) && Object.keys(doc).length > 0) {
    const out: string[] = [];
    if (writeMap(doc, '', out, new Set())) return out.join('');
  }
  return YAML.stringify(doc, OPTIONS);
}

/** Scalar text per value, as the library writes it in block context; `null` when it must not be cached (multi-line etc.). */
const valueCache = new Map<string, string | null>();
const keyCache = new Map<string, boolean>();

// Strings that are certainly plain under the YAML 1.1 tags: start with a letter, only these
// characters, and not one of the 1.1 boolean/null words nor a mantissa-less float such as `e5`
// (the only letter-initial forms in yaml/dist/schema/yaml-1.1). Anything else is asked of the library.
const SURELY_PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|[eE]-?[0-9]+)$/;

function scalarText(v: unknown): string | null {
  switch (typeof v) {
    case 'string': {
      if (SURELY_PLAIN.test(v) && !WORDS.test(v)) return v;
      let t = valueCache.get(v);
      if (t === undefined) {
        t = libraryScalar(v);
        valueCache.set(v, t);
      }
      return t;
    }
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
      return libraryScalar(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v === null ? 'null' : null;
  }
}

/** The library's text for a scalar as a map value, when it is one line and independent of indentation. */
function libraryScalar(v: string | number): string | null {
  if (typeof v === 'string' && (v.includes('\n') || v.includes('\r') || /^(%|---|\.\.\.)/m.test(v))) return null;
  const s = YAML.stringify({ k: v }, OPTIONS);
  if (!s.startsWith('k: ') || !s.endsWith('\n')) return null;
  const body = s.slice(3, -1);
  return body.includes('\n') ? null : body;
}

function keyIsPlain(k: string): boolean {
  let ok = keyCache.get(k);
  if (ok === undefined) {
    // Keys over 1024 characters become explicit `? key` entries: those are asked of the library.
    ok = (k.length <= 1024 && SURELY_PLAIN.test(k) && !WORDS.test(k)) || YAML.stringify({ [k]: 0 }, OPTIONS) === `${k}: 0\n`;
    keyCache.set(k, ok);
  }
  return ok;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Writes a non-empty map's entries at `indent`. The first entry's key is written without
 * indentation when `first` is given (a map that starts a sequence item). Returns false to make the
 * caller fall back to the library.
 */
function writeMap(m: Record<string, unknown>, indent: string, out: string[], seen: Set<object>, first = indent): boolean {
  // The library writes one object reached twice as an anchor and aliases: leave that to it.
  if (seen.has(m)) return false;
  seen.add(m);
  let lead = first;
  for (const k of Object.keys(m)) {
    if (!keyIsPlain(k)) return false;
    const v = m[k];
    out.push(lead, k, ':');
    lead = indent;
    if (!writeValue(v, indent, out, seen)) return false;
  }
  return true;
}

/** Writes what follows `key:` (a space and a scalar, or a nested block) including the newline. */
function writeValue(v: unknown, indent: string, out: string[], seen: Set<object>): boolean {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push(' []\n');
        return true;
      }
      out.push('\n');
      return writeSeq(v, `${indent}  `, out, seen);
    }
    if (!isPlainObject(v)) return false;
    if (Object.keys(v).length === 0) {
      out.push(' {}\n');
      return true;
    }
    out.push('\n');
    return writeMap(v, `${indent}  `, out, seen);
  }
  const t = scalarText(v);
  if (t === null) return false;
  out.push(' ', t, '\n');
  return true;
}

function writeSeq(a: readonly unknown[], indent: string, out: string[], seen: Set<object>): boolean {
  if (seen.has(a)) return false;
  seen.add(a);
  for (const item of a) {
    if (item !== null && typeof item === 'object') {
      if (Array.isArray(item) || !isPlainObject(item)) return false;
      if (Object.keys(item).length === 0) {
        out.push(indent, '- {}\n');
        continue;
      }
      if (!writeMap(item, `${indent}  `, out, seen, `${indent}- `)) return false;
      continue;
    }
    const t = scalarText(item);
    if (t === null) return false;
    out.push(indent, '-', ' ', t, '\n');
  }
  return true;
}
