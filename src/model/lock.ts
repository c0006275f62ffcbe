/**
 * A ring's lock as pods read it: AutoCom's lock pins every module to a (version, sha256) pair; the
 * older flat form pins a version only. Either way the ConfigMap holds a canonical form (sorted keys),
 * so the order of keys in git never changes the output.
 */
import { canonicalJson } from './checksum';

/** One module's pin in AutoCom's form: the exact artifact. */
export interface ModulePin {
  readonly version: string;
  /** 64 lower-case hex characters: the artifact's sha256. */
  readonly sha256: string;
}

/** Module alias → version (flat form) or pin (AutoCom's form). */
export type LockPins = Readonly<Record<string, string | ModulePin>>;

/** A sha256 as a lock writes it: 64 lower-case hex characters, no prefix. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function pinVersion(p: string | ModulePin): string {
  return typeof p === 'string' ? p : p.version;
}

export function pinSha256(p: string | ModulePin): string | undefined {
  return typeof p === 'string' ? undefined : p.sha256;
}

/**
 * The lock file's text as pods read it. Flat (`{"orders": "1.6.1"}`) when every pin is a bare
 * version and there is no metadata; otherwise AutoCom's form: the metadata's keys and `modules`
 * (alias → `{version, sha256}`), keys sorted at every level.
 */
export function lockFileText(lock: LockPins, metadata: Readonly<Record<string, unknown>> = {}): string {
  const objectForm = Object.keys(metadata).length > 0 || Object.values(lock).some((p) => typeof p !== 'string');
  if (!objectForm) return `${canonicalJson(lock)}\n`;
  const modules: Record<string, unknown> = {};
  for (const [alias, p] of Object.entries(lock)) modules[alias] = typeof p === 'string' ? { version: p } : { version: p.version, sha256: p.sha256 };
  return `${canonicalJson({ ...metadata, modules })}\n`;
}

/** A lock's pins as versions only (module → version), keys sorted: what a verify entry records. */
export function lockVersions(lock: LockPins): Record<string, string> {
  return Object.fromEntries(Object.keys(lock).sort().map((k) => [k, pinVersion(lock[k])]));
}
