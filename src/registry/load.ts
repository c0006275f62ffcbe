/**
 * load → validate: reads a registry folder, parses every file, checks each against its schema and
 * then the cross-file rules. Returns a `Registry` or throws one `RegistryError` with every problem.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { closest, describeValue, fieldPath, RegistryError, RegistryProblem } from './errors';
import { autocomLockSchema, lockFormatOf, lockSchema, PreviewEntry, tenantsSchema } from './schema/schema';
import { isPreset, platformSchemaFor, ringSchemaFor } from './schema/presets';
import type { PlatformFile, RingFile } from './schema/presets';
import type { LockEntry, RingEntry } from './schema/types';
import { parseFlatStringTable, parseToml } from './toml';
import { crossFileProblems } from './rules/validate';

/** Largest registry file read; a larger one is refused before parsing (tenants.toml at 100,000 tenants is ~3 MiB). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

export type { LockEntry, RingEntry } from './schema/types';

/** A validated registry: plain data, nothing derived yet. */
export interface Registry {
  /** The folder, as given. */
  readonly dir: string;
  readonly platform: PlatformFile;
  /** Sorted by promotion order (most conservative first). */
  readonly rings: readonly RingEntry[];
  /** tenant → ring name, sorted by tenant. */
  readonly tenants: Readonly<Record<string, string>>;
  /** ring name → lock. */
  readonly locks: Readonly<Record<string, LockEntry>>;
  /** tenant → preview (requests with a header go to another ring), sorted by tenant. */
  readonly previews: Readonly<Record<string, PreviewEntry>>;
}

/** The files of a registry, as text, keyed by path relative to the registry folder (`canary.toml`, `locks/canary.lock.json`). */
export type RegistrySources = ReadonlyMap<string, string>;

const PLATFORM = 'platform.toml';
const TENANTS = 'tenants.toml';

/** Reads and validates `dir`. Throws `RegistryError` listing every problem. */
export function loadRegistry(dir: string): Registry {
  const { sources, problems } = readRegistryDir(dir);
  return parseRegistry(dir, sources, problems);
}

/** Reads the registry's files as UTF-8 text; unreadable, oversized or non-UTF-8 files become problems. */
export function readRegistryDir(dir: string): { sources: Map<string, string>; problems: RegistryProblem[] } {
  const sources = new Map<string, string>();
  const problems: RegistryProblem[] = [];
  const shown = (rel: string) => path.join(dir, rel);
  const list = (rel: string): fs.Dirent[] | undefined => {
    try {
      return fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return undefined;
    }
  };
  const top = list('');
  if (!top) {
    throw new RegistryError([{ file: dir, path: '', message: 'expected a registry folder (platform.toml, tenants.toml, <ring>.toml, locks/), found none' }]);
  }
  // Symbolic links count as the file they point at; a broken one is reported when read.
  const fileLike = (e: fs.Dirent) => e.isFile() || e.isSymbolicLink();
  const rels: string[] = [];
  for (const e of top) if ((fileLike(e) || e.isDirectory()) && e.name.endsWith('.toml')) rels.push(e.name);
  const lockDir = list('locks');
  if (lockDir) {
    for (const e of lockDir) if (fileLike(e) && e.name.endsWith('.json')) rels.push(`locks/${e.name}`);
  } else {
    problems.push({ file: shown('locks'), path: '', message: 'expected a folder of lock files (<ring>.lock.json), found none' });
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const rel of rels.sort()) {
    const full = path.join(dir, rel);
    let bytes: Buffer;
    try {
      const st = fs.statSync(full);
      if (!st.isFile()) {
        problems.push({ file: shown(rel), path: '', message: 'expected a file, got a folder' });
        continue;
      }
      if (st.size > MAX_FILE_BYTES) {
        problems.push({ file: shown(rel), path: '', message: `expected a file of at most ${MAX_FILE_BYTES / 1048576} MiB, got ${(st.size / 1048576).toFixed(1)} MiB` });
        continue;
      }
      bytes = fs.readFileSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'a link to nothing' : code === 'EACCES' ? 'a file it may not read' : `a read error (${code ?? 'unknown'})`;
      problems.push({ file: shown(rel), path: '', message: `expected a readable file, got ${why}` });
      continue;
    }
    try {
      sources.set(rel, decoder.decode(bytes).replace(/^\uFEFF/, ''));
    } catch {
      const at = firstInvalidUtf8(bytes);
      const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
      problems.push({ file: shown(rel), path: '', message: `expected UTF-8 text, got an invalid byte 0x${bytes[at].toString(16).padStart(2, '0')} on line ${line} (byte offset ${at})` });
    }
  }
  return { sources, problems };
}

/** Parses and validates registry sources (no file access: usable on in-memory registries). */
export function parseRegistry(dir: string, sources: RegistrySources, earlier: RegistryProblem[] = []): Registry {
  const problems = [...earlier];
  const shown = (rel: string) => path.join(dir, rel);
  const unreadable = new Set(earlier.map((p) => p.file));

  // The ring files are read with the schema of their platform's preset, known once platform.toml is read.
  let platformPreset: unknown;
  const parseTomlFile = <S extends z.ZodTypeAny>(rel: string, schemaOf: S | ((raw: unknown) => S)): z.infer<S> | undefined => {
    const text = sources.get(rel);
    if (text === undefined) {
      if (!unreadable.has(shown(rel))) problems.push({ file: shown(rel), path: '', message: 'expected this file, found none' });
      return undefined;
    }
    if (text.trim() === '' && rel !== TENANTS) {
      problems.push({ file: shown(rel), path: '', message: 'expected TOML content, got an empty file' });
      return undefined;
    }
    if (rel === TENANTS) {
      // The common large case, read directly; its result is what parser and schema would give.
      const flat = parseFlatStringTable(text, 'tenants') as z.infer<S> | undefined;
      if (flat) return { tenants: {}, previews: {}, ...flat };
    }
    const parsed = parseToml(text);
    if (!parsed.ok) {
      const where = parsed.error.line ? `line ${parsed.error.line}, column ${parsed.error.column}: ` : '';
      problems.push({ file: shown(rel), path: '', message: `invalid TOML: ${where}${lowerFirst(parsed.error.message)}` });
      return undefined;
    }
    if (rel === PLATFORM) platformPreset = (parsed.value as { preset?: unknown }).preset;
    const schema = typeof schemaOf === 'function' && !(schemaOf instanceof z.ZodType) ? (schemaOf as (raw: unknown) => S)(parsed.value) : (schemaOf as S);
    return check(shown(rel), schema, parsed.value, problems);
  };

  const platform: PlatformFile | undefined = parseTomlFile(PLATFORM, platformSchemaFor);
  // Every other file is read by the preset's shapes: with an unknown preset, anything more would be a guess.
  if (platformPreset !== undefined && !isPreset(platformPreset)) throw new RegistryError(sortProblems(problems));
  const tenantsFile = parseTomlFile(TENANTS, tenantsSchema);

  const rings: RingEntry[] = [];
  for (const rel of [...sources.keys()].sort()) {
    if (!rel.endsWith('.toml') || rel.includes('/') || rel === PLATFORM || rel === TENANTS) continue;
    const spec: RingFile | undefined = parseTomlFile(rel, ringSchemaFor({ preset: platformPreset }));
    if (spec) rings.push({ file: shown(rel), spec });
  }

  const locks: Record<string, LockEntry> = {};
  const lockFiles: { file: string; ring: string }[] = [];
  for (const rel of [...sources.keys()].sort()) {
    if (!rel.startsWith('locks/')) continue;
    const file = shown(rel);
    const m = /^locks\/(.+)\.lock\.json$/.exec(rel);
    if (!m) {
      problems.push({ file, path: '', message: 'expected a lock file named <ring>.lock.json' });
      continue;
    }
    lockFiles.push({ file, ring: m[1] });
    const text = sources.get(rel)!;
    if (text.trim() === '') {
      problems.push({ file, path: '', message: 'expected a JSON object of module alias → version, got an empty file' });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      problems.push({ file, path: '', message: `invalid JSON: ${jsonSyntaxMessage(text, e)}` });
      continue;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      problems.push({ file, path: '', message: `expected a JSON object of module alias → version, got ${describeValue(json)}` });
      continue;
    }
    const entry = lockEntryOf(file, m[1], json as Record<string, unknown>, problems);
    if (entry) locks[m[1]] = entry;
  }

  const tenants: Record<string, string> = {};
  if (tenantsFile) for (const t of Object.keys(tenantsFile.tenants).sort()) tenants[t] = tenantsFile.tenants[t];
  const previews: Record<string, PreviewEntry> = {};
  if (tenantsFile) for (const t of Object.keys(tenantsFile.previews).sort()) previews[t] = tenantsFile.previews[t];

  rings.sort((a, b) => a.spec.promotion_order - b.spec.promotion_order || a.spec.name.localeCompare(b.spec.name));

  problems.push(
    ...crossFileProblems({
      dir,
      platform,
      platformFile: shown(PLATFORM),
      tenantsFile: shown(TENANTS),
      rings,
      tenants: tenantsFile ? tenants : undefined,
      previews: tenantsFile ? previews : undefined,
      locks,
      lockFiles,
      // Present means listed: a ring file that could not be read is reported on its own, not as missing.
      ringFiles: [...new Set([...sources.keys(), ...earlier.map((p) => path.relative(dir, p.file))])]
        .filter((rel) => rel.endsWith('.toml') && !rel.includes('/') && !rel.includes(path.sep) && rel !== PLATFORM && rel !== TENANTS)
        .map((rel) => rel.slice(0, -'.toml'.length))
        .sort(),
      lockFolderMissing: earlier.some((p) => p.file === shown('locks')),
      ringFilesFailed: problems.some((p) => p.file.endsWith('.toml') && p.file !== shown(PLATFORM) && p.file !== shown(TENANTS)),
    }),
  );

  if (problems.length > 0 || !platform) {
    const raw = parseToml(sources.get(PLATFORM) ?? '');
    throw new RegistryError(sharedEntriesByName(sortProblems(problems), shown(PLATFORM), raw.ok ? raw.value : undefined));
  }
  return { dir, platform, rings, tenants, locks, previews };
}

const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Per-service problem lines name the service, not its place in the file: `shared.services[name=redis].host`
 * for what a rule or the schema reports as `shared.services.1.host` (likewise `shared.external[name=…]`).
 * Every problem of platform.toml goes through here, so every per-service line has the one form. A
 * service without a usable name, or whose name another entry of its list has too, keeps its index.
 * `platform` is the file as parsed, before the schema (which may have refused it).
 */
export function sharedEntriesByName(problems: readonly RegistryProblem[], platformFile: string, platform: unknown): RegistryProblem[] {
  const table = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const namesOf = (list: 'services' | 'external'): (string | undefined)[] => {
    const entries = table(platform) && table(platform.shared) ? platform.shared[list] : undefined;
    return Array.isArray(entries) ? entries.map((e) => (table(e) && typeof e.name === 'string' ? e.name : undefined)) : [];
  };
  const names = { services: namesOf('services'), external: namesOf('external') };
  return problems.map((p) => {
    const m = p.file === platformFile ? /^shared\.(services|external)\.(\d+)(?=\.|$)/.exec(p.path) : null;
    if (!m) return p;
    const list = names[m[1] as 'services' | 'external'];
    const name = list[Number(m[2])];
    if (name === undefined || !SERVICE_NAME.test(name) || list.filter((n) => n === name).length > 1) return p;
    return { ...p, path: `shared.${m[1]}[name=${name}]${p.path.slice(m[0].length)}` };
  });
}

/** A lock file's object (flat alias → version, or AutoCom's { modules: { alias: { version, sha256 } } }) checked against its schema. */
export function lockEntryOf(file: string, ring: string, obj: Record<string, unknown>, problems: RegistryProblem[]): LockEntry | undefined {
  if (lockFormatOf(obj) === 'hashed') {
    const lock = check(file, autocomLockSchema, obj, problems);
    if (!lock) return undefined;
    const modules: Record<string, string> = {};
    const hashes: Record<string, string> = {};
    for (const [alias, pin] of Object.entries(lock.modules)) {
      modules[alias] = pin.version;
      hashes[alias] = pin.sha256;
    }
    const { modules: _m, ...metadata } = obj;
    return { file, ring, modules, format: 'hashed', hashes, metadata };
  }
  const modules = check(file, lockSchema, obj, problems);
  return modules ? { file, ring, modules, format: 'flat', hashes: {}, metadata: {} } : undefined;
}

export function sortProblems(ps: RegistryProblem[]): RegistryProblem[] {
  return [...ps].sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message));
}

/** Runs a schema and turns each zod issue into a problem naming the field, the expectation and the value found. */
export function check<S extends z.ZodTypeAny>(file: string, schema: S, value: unknown, problems: RegistryProblem[]): z.infer<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) problems.push(...issueToProblems(file, issue, value, keyIndex(schema)));
  return undefined;
}

function issueToProblems(file: string, issue: z.ZodIssue, root: unknown, keys: KeyIndex): RegistryProblem[] {
  const at = (p: (string | number)[]) => fieldPath(p);
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    const siblings = keys.get(issue.path.filter((p) => typeof p === 'string').join('.')) ?? [];
    return issue.keys.map((k) => {
      const known = closest(k, siblings);
      // tenants.toml's one table: a tenant line above `[tenants]` is the likely mistake.
      const inTable = issue.path.length === 0 && !known && siblings.includes('tenants') && typeof valueAt(root, [k]) === 'string' ? 'tenants' : undefined;
      const hint = known ? `; did you mean '${known}'?` : inTable ? `; ${inTable} go under [${inTable}]` : '';
      return { file, path: at([...issue.path, k]), message: `unknown key${hint}` };
    });
  }
  const found = valueAt(root, issue.path);
  let expected = issue.message;
  if (issue.code === z.ZodIssueCode.invalid_type && !/^expected /.test(expected)) {
    expected = `expected ${article(issue.expected)}`;
  } else if (!/^expected /.test(expected)) {
    expected = `expected ${lowerFirst(expected)}`;
  }
  if (found === undefined) return [{ file, path: at(issue.path), message: `missing: ${expected}` }];
  // tenants.toml: a `tenant = "ring"` line appended at the end of the file lands in [previews].
  if (issue.path.length === 2 && issue.path[0] === 'previews' && typeof found === 'string' && /tenants\.toml$/.test(file)) {
    return [
      {
        file,
        path: at(issue.path),
        message: `expected a preview table such as { ring = "canary" }, got ${describeValue(found)}: a tenant line added at the end of the file lands in [previews]; move it above [previews], under [tenants] (rings assign ${String(issue.path[1])} ${found} does that)`,
      },
    ];
  }
  if (/, got /.test(expected)) return [{ file, path: at(issue.path), message: expected }];
  return [{ file, path: at(issue.path), message: `${expected}, got ${describeValue(found)}` }];
}

/** zod does not say which keys were allowed; the schema does: dotted path (array indices dropped) → keys at that level. */
type KeyIndex = Map<string, string[]>;
const keyIndexes = new WeakMap<z.ZodTypeAny, KeyIndex>();
function keyIndex(schema: z.ZodTypeAny): KeyIndex {
  let idx = keyIndexes.get(schema);
  if (!idx) {
    idx = new Map();
    collectKeys(schema, '', idx);
    keyIndexes.set(schema, idx);
  }
  return idx;
}

function collectKeys(schema: z.ZodTypeAny, prefix: string, idx: KeyIndex): void {
  let s: z.ZodTypeAny = schema;
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional) s = s._def.innerType;
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else if (s instanceof z.ZodArray) s = s._def.type;
    else break;
  }
  if (s instanceof z.ZodObject) {
    const shape = s.shape as Record<string, z.ZodTypeAny>;
    idx.set(prefix, Object.keys(shape));
    for (const [k, v] of Object.entries(shape)) collectKeys(v, prefix ? `${prefix}.${k}` : k, idx);
  }
}

function valueAt(root: unknown, p: (string | number)[]): unknown {
  let v: unknown = root;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function article(t: string): string {
  const names: Record<string, string> = { object: 'a table', array: 'an array', string: 'a string', number: 'a number', boolean: 'true or false', integer: 'a whole number' };
  return names[t] ?? t;
}

/**
 * V8's JSON.parse messages may quote the source (`Unexpected token '}', "}{…" is not valid JSON`),
 * across lines and possibly a secret: keep the reason, turn the position into line and column, drop the excerpt.
 */
export function jsonSyntaxMessage(text: string, e: unknown): string {
  let msg = String(e instanceof Error ? e.message : e).split('\n')[0];
  msg = msg.replace(/, ".*$/, '');
  msg = msg.replace(/'([^']*)'/g, (_m, tok: string) => (/^[\x21-\x7e]+$/.test(tok) ? `'${tok}'` : `character U+${(tok.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`));
  const at = /^(.*?) in JSON at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(msg) ?? /^(.*?) at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(msg);
  if (at) {
    const before = text.slice(0, Number(at[2]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    msg = `line ${line}, column ${column}: ${lowerFirst(at[1])}`;
  }
  return lowerFirst(msg.replace('token character', 'character'));
}


function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const d = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // Binary search on the shortest failing prefix; each probe decodes a prefix.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      d.decode(bytes.subarray(0, mid + 1), { stream: true });
      // A truncated multi-byte sequence is not an error in stream mode, so this prefix is fine.
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return Math.min(lo, bytes.length - 1);
}
