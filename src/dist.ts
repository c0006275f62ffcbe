/**
 * Writes dist/ as a whole: the new files go to a sibling temporary folder, which then replaces
 * dist/ by rename. A failure before the swap leaves dist/ exactly as it was; stale files (a
 * removed ring's) disappear because the folder is replaced, not patched.
 */
import * as fs from 'fs';
import * as path from 'path';

export function writeDirAtomically(dir: string, files: ReadonlyMap<string, string>): void {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.rings-tmp-${path.basename(abs)}-`));
  try {
    for (const name of [...files.keys()].sort()) {
      if (name.includes('/') || name.startsWith('.')) throw new Error(`refusing to write "${name}" outside the output folder`);
      fs.writeFileSync(path.join(tmp, name), files.get(name)!);
    }
    const old = fs.existsSync(abs) ? `${tmp}-old` : undefined;
    if (old) fs.renameSync(abs, old);
    try {
      fs.renameSync(tmp, abs);
    } catch (e) {
      if (old) fs.renameSync(old, abs);
      throw e;
    }
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads a folder's files (non-recursive) as a name → content map; empty when it does not exist. */
export function readDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isFile()) out.set(name, fs.readFileSync(full, 'utf8'));
  }
  return out;
}
