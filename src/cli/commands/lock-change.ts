/** A lock edit the CLI may write: byte-preserving, and re-read to prove it means exactly the change. */
import type { LockEntry } from '../../registry/schema/types';
import { CliError } from '../context';
import { editLockText, PinEdit } from '../../registry/edit/lock-edit';

export function checkedLockEdit(shown: string, text: string, lock: LockEntry, module: string, pin: PinEdit | null): string {
  const format = lock.format ?? 'flat';
  let out: string;
  try {
    out = editLockText(text, format, module, pin);
  } catch (e) {
    throw new CliError(`could not edit ${shown} safely (${e instanceof Error ? e.message : String(e)}); edit it by hand`);
  }
  const expected: Record<string, unknown> = {};
  for (const [a, v] of Object.entries(lock.modules)) expected[a] = format === 'hashed' ? { version: v, sha256: lock.hashes?.[a] } : v;
  if (pin === null) delete expected[module];
  else expected[module] = format === 'hashed' ? { version: pin.version, sha256: pin.sha256 } : pin.version;
  let got: Record<string, unknown> | undefined;
  try {
    const json = JSON.parse(out) as Record<string, unknown>;
    const mods = (format === 'hashed' ? json.modules : json) as Record<string, unknown>;
    got = Object.fromEntries(
      Object.entries(mods).map(([a, v]) => [a, format === 'hashed' ? { version: (v as PinEdit).version, sha256: (v as PinEdit).sha256 } : v]),
    );
  } catch {
    got = undefined;
  }
  const same = got && JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(expected).sort());
  if (!same) throw new CliError(`could not edit ${shown} safely (the result would not mean exactly this change); edit it by hand`);
  return out;
}
