/** The parsed entries of a registry, shared by load (which makes them) and validate (which checks them). */
import type { LockFile, RingFile } from './schema';

export interface RingEntry {
  /** Where it came from, as displayed in errors (e.g. `rings/canary.toml`). */
  readonly file: string;
  readonly spec: RingFile;
}

export interface LockEntry {
  readonly file: string;
  readonly ring: string;
  readonly modules: LockFile;
}
