/** The parsed entries of a registry, shared by load (which makes them) and validate (which checks them). */
import type { LockFile, LockFormat } from './schema';
import type { RingFile } from './presets';

export interface RingEntry {
  /** Where it came from, as displayed in errors (e.g. `rings/canary.toml`). */
  readonly file: string;
  readonly spec: RingFile;
}

export interface LockEntry {
  readonly file: string;
  readonly ring: string;
  /** Module alias → pinned version, in either format. */
  readonly modules: LockFile;
  /** Which form the file is in; edits keep it. @default "flat" */
  readonly format?: LockFormat;
  /** Module alias → sha256 (AutoCom's form only). @default {} */
  readonly hashes?: Readonly<Record<string, string>>;
  /** Top-level keys besides `modules` (AutoCom's form), as the file has them. @default {} */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The lock's pins as the constructs take them: (version, sha256) in AutoCom's form, versions otherwise. */
export function lockPins(l: LockEntry): Readonly<Record<string, string | { version: string; sha256: string }>> {
  if (l.format !== 'hashed') return l.modules;
  return Object.fromEntries(Object.entries(l.modules).map(([a, v]) => [a, { version: v, sha256: l.hashes?.[a] ?? '' }]));
}
