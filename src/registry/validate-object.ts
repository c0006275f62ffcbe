/**
 * validateRegistry: the registry built in code (no files) checked exactly as the TOML path checks it:
 * the same schemas, the same cross-file rules, the same `file: field: expected …, got …` lines. Each
 * part is reported under the file it would be in a registry folder, below a synthetic folder name
 * (`<registry>` unless `source` says otherwise): `<registry>/canary.toml: replicas.api: …`.
 *
 * It takes either form a registry has in code: the plain objects of `RegistryInput` (the TOML keys),
 * or a `Registry` as `loadRegistry` (or `validateRegistry` itself) returns it, changed or not. A
 * loaded registry is reported under its own folder (`rings/canary.toml: …`). Data whose shape is not
 * known at compile time (JSON from elsewhere) goes through `validateRegistryData`.
 */
import * as path from 'path';
import { z } from 'zod';
import { describeValue, fieldPath, formatProblem, RegistryError, RegistryProblem } from './errors';
import { check, lockEntryOf, LockEntry, Registry, RingEntry, sharedEntriesByName, sortProblems } from './load';
import { platformSchema, PreviewEntry, ringSchema, tenantsSchema } from './schema/schema';
import { componentsPlatformSchema, componentsRingSchema, isPreset, platformSchemaFor, ringSchemaFor } from './schema/presets';
import { crossFileProblems } from './rules/validate';

/** `platform.toml` as written in code: the TOML keys, every default optional. */
export type PlatformInput = z.input<typeof platformSchema> | z.input<typeof componentsPlatformSchema>;
/** `<ring>.toml` as written in code. */
export type RingInput = z.input<typeof ringSchema> | z.input<typeof componentsRingSchema>;
/** A preview (`[previews]` of tenants.toml) as written in code. */
export type PreviewInput = NonNullable<z.input<typeof tenantsSchema>['previews']>[string];

/** A whole registry as plain objects: what the files of a registry folder hold, keyed the same way. */
export interface RegistryInput {
  /** platform.toml */
  readonly platform: PlatformInput;
  /** One entry per ring file, in any order. */
  readonly rings: readonly RingInput[];
  /** tenants.toml's `[tenants]`: tenant → ring name. @default {} */
  readonly tenants?: Readonly<Record<string, string>>;
  /** tenants.toml's `[previews]`. @default {} */
  readonly previews?: Readonly<Record<string, PreviewInput>>;
  /** ring name → its lock, as in locks/<ring>.lock.json: module alias → version (flat), or { modules: { alias: { version, sha256 } } } (hashed). */
  readonly locks: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface ValidateOptions {
  /** Folder name the problem lines use in place of a registry folder. @default "<registry>", or a loaded registry's own `dir` */
  readonly source?: string;
}

export const IN_CODE_SOURCE = '<registry>';

const isTable = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every problem of a registry built in code or loaded and changed, one line each (`[]` when it is
 * valid); never throws on bad input.
 */
export function registryProblems(input: RegistryInput | Registry, options: ValidateOptions = {}): string[] {
  return registryDataProblems(input, options);
}

/** `registryProblems` for data of any shape (parsed JSON, anything): a shape that is not a registry is a problem line too. */
export function registryDataProblems(input: unknown, options: ValidateOptions = {}): string[] {
  const r = checkInput(input, options);
  return 'problems' in r ? [...new Set(r.problems.map(formatProblem))] : [];
}

/**
 * Validates a registry built in code (`RegistryInput`: the TOML keys, type-checked by tsc) or one
 * `loadRegistry` returned and the caller changed, and returns it as `loadRegistry` would (defaults
 * filled in, rings by promotion order), ready for `resolvePlan`. Throws `RegistryError` (`.lines()`:
 * one `file: field: expected …, got …` line per problem) when anything is wrong; never a raw ZodError.
 */
export function validateRegistry(input: RegistryInput | Registry, options: ValidateOptions = {}): Registry {
  return validateRegistryData(input, options);
}

/** `validateRegistry` for data whose shape tsc cannot know (parsed JSON, anything): the same checks and lines. */
export function validateRegistryData(input: unknown, options: ValidateOptions = {}): Registry {
  const r = checkInput(input, options);
  if ('problems' in r) throw new RegistryError(r.problems);
  return r.registry;
}

const INPUT_KEYS = ['platform', 'rings', 'tenants', 'previews', 'locks'];
const LOADED_KEYS = ['dir', ...INPUT_KEYS];

/**
 * A `Registry` (it has `dir`) back to the objects its files would hold: each ring entry's `spec`, and
 * each `LockEntry` as its lock file's JSON (flat: alias → version; hashed: metadata beside
 * `modules: { alias: { version, sha256 } }`). Anything of another shape is passed on unchanged, so the
 * schemas report it where it is.
 */
function filesOfLoaded(input: Record<string, unknown>, dir: string, problems: RegistryProblem[]): { files: Record<string, unknown>; ringDropped: boolean } {
  let ringDropped = false;
  const rings = Array.isArray(input.rings)
    ? input.rings.map((entry: unknown, i) => {
        if (isTable(entry) && isTable(entry.spec)) return entry.spec;
        problems.push({ file: dir, path: fieldPath(['rings', i]), message: `expected a ring entry { file, spec } as loadRegistry returns it, got ${describeValue(entry)}` });
        ringDropped = true;
        return undefined;
      })
    : input.rings;
  const locks = isTable(input.locks) ? Object.fromEntries(Object.entries(input.locks).map(([ring, l]) => [ring, lockFileOf(l)])) : input.locks;
  return { files: { ...input, rings: Array.isArray(rings) ? rings.filter((r) => r !== undefined) : rings, locks }, ringDropped };
}

function lockFileOf(l: unknown): unknown {
  const entry = l as Partial<LockEntry>;
  if (!isTable(l) || !isTable(l.modules) || !('ring' in l || 'file' in l || 'format' in l)) return l; // not a LockEntry: a lock file's object as is
  if (entry.format !== 'hashed') return entry.modules;
  const modules = Object.fromEntries(Object.entries(entry.modules!).map(([alias, version]) => [alias, { version, sha256: entry.hashes?.[alias] }]));
  return { ...(entry.metadata ?? {}), modules };
}

function checkInput(raw: unknown, options: ValidateOptions): { registry: Registry } | { problems: RegistryProblem[] } {
  if (!isTable(raw)) {
    const dir = options.source ?? IN_CODE_SOURCE;
    return { problems: [{ file: dir, path: '', message: `expected a registry object { platform, rings, tenants, locks }, got ${describeValue(raw)}` }] };
  }
  // A loaded registry (it has `dir`) is reported under its own folder, as loadRegistry reported it.
  const loaded = 'dir' in raw;
  const dir = options.source ?? (loaded && typeof raw.dir === 'string' && raw.dir !== '' ? raw.dir : IN_CODE_SOURCE);
  const shown = (rel: string) => path.posix.join(dir, rel);
  const problems: RegistryProblem[] = [];
  if (loaded && (typeof raw.dir !== 'string' || raw.dir === '')) problems.push({ file: dir, path: 'dir', message: `expected the registry's folder (a non-empty string), got ${describeValue(raw.dir)}` });
  const { files: input, ringDropped } = loaded ? filesOfLoaded(raw, dir, problems) : { files: raw, ringDropped: false };
  const keys = loaded ? LOADED_KEYS : INPUT_KEYS;
  for (const k of Object.keys(input).sort()) {
    if (!keys.includes(k)) problems.push({ file: dir, path: fieldPath([k]), message: `unknown key; expected ${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}` });
  }

  const platformFile = shown('platform.toml');
  const platform = input.platform === undefined ? undefined : check(platformFile, platformSchemaFor(input.platform), input.platform, problems);
  if (input.platform === undefined) problems.push({ file: platformFile, path: '', message: 'missing: expected the platform (a table of platform.toml keys)' });
  const preset = isTable(input.platform) ? input.platform.preset : undefined;
  if (preset !== undefined && !isPreset(preset)) return { problems };

  const rings: RingEntry[] = [];
  const ringFiles: string[] = [];
  // A ring that could not be read (or a loaded ring entry of another shape) is reported on its own, not as missing.
  let ringFilesFailed = ringDropped;
  if (!Array.isArray(input.rings)) {
    problems.push({ file: dir, path: 'rings', message: `expected an array of rings, got ${describeValue(input.rings)}` });
    ringFilesFailed = true;
  } else {
    const seen = new Set<string>();
    input.rings.forEach((spec: unknown, i) => {
      // A ring is shown as the file it would be: <name>.toml, or by its index when it has no usable name.
      const name = isTable(spec) && typeof spec.name === 'string' && /^[a-z0-9][-a-z0-9]{0,62}$/.test(spec.name) ? spec.name : undefined;
      const file = shown(name && !seen.has(name) ? `${name}.toml` : `rings.${i}`);
      if (name && seen.has(name)) problems.push({ file, path: 'name', message: `expected a unique ring name, got "${name}" again` });
      if (name) seen.add(name);
      if (name) ringFiles.push(name);
      const parsed = check(file, ringSchemaFor(isTable(input.platform) ? input.platform : undefined), spec, problems);
      if (parsed) rings.push({ file, spec: parsed });
      else ringFilesFailed = true;
    });
  }

  const tenantsFile = shown('tenants.toml');
  const tenantsParsed = check(tenantsFile, tenantsSchema, { tenants: input.tenants ?? {}, previews: input.previews ?? {} }, problems);

  const locks: Record<string, LockEntry> = {};
  const lockFiles: { file: string; ring: string }[] = [];
  if (!isTable(input.locks)) {
    problems.push({ file: dir, path: 'locks', message: `expected a table of ring name → lock (module alias → version), got ${describeValue(input.locks)}` });
  } else {
    for (const ring of Object.keys(input.locks).sort()) {
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ring)) {
        problems.push({ file: dir, path: fieldPath(['locks', ring]), message: 'expected a ring name (a DNS label) as the key' });
        continue;
      }
      const file = shown(`locks/${ring}.lock.json`);
      lockFiles.push({ file, ring });
      const value = input.locks[ring];
      if (!isTable(value)) {
        problems.push({ file, path: '', message: `expected a JSON object of module alias → version, got ${describeValue(value)}` });
        continue;
      }
      const entry = lockEntryOf(file, ring, value, problems);
      if (entry) locks[ring] = entry;
    }
  }

  const tenants: Record<string, string> = {};
  const previews: Record<string, PreviewEntry> = {};
  if (tenantsParsed) {
    for (const t of Object.keys(tenantsParsed.tenants).sort()) tenants[t] = tenantsParsed.tenants[t];
    for (const t of Object.keys(tenantsParsed.previews).sort()) previews[t] = tenantsParsed.previews[t];
  }
  rings.sort((a, b) => a.spec.promotion_order - b.spec.promotion_order || a.spec.name.localeCompare(b.spec.name));

  problems.push(
    ...crossFileProblems({
      dir,
      platform,
      platformFile,
      tenantsFile,
      rings,
      tenants: tenantsParsed ? tenants : undefined,
      previews: tenantsParsed ? previews : undefined,
      locks,
      lockFiles,
      ringFiles: [...new Set(ringFiles)].sort(),
      ringFilesFailed,
    }),
  );
  if (problems.length > 0 || !platform) return { problems: sharedEntriesByName(sortProblems(problems), platformFile, input.platform) };
  return { registry: { dir, platform, rings, tenants, locks, previews } };
}
