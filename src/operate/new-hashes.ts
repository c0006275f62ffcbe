/**
 * `rings check --strict`: a module hash in a lock that no other ring pins and no history line
 * records is new — an artifact nobody promoted through rings. Reported so a reviewer checks it is
 * the artifact meant (a hand edit, or `php artisan module:lock` run against another build). Pure.
 */
import type { RegistryProblem } from '../registry/errors';
import { fieldPath } from '../registry/errors';
import type { Registry } from '../registry/load';
import type { HistoryEntry } from './history';

export function newHashes(reg: Registry, history: readonly HistoryEntry[]): RegistryProblem[] {
  const recorded = new Set<string>();
  for (const e of history) {
    if (e.module === undefined) continue;
    if (e.previous_sha256) recorded.add(`${e.module} ${e.previous_sha256}`);
    if (e.new_sha256) recorded.add(`${e.module} ${e.new_sha256}`);
  }
  const out: RegistryProblem[] = [];
  const locks = Object.values(reg.locks).sort((a, b) => a.file.localeCompare(b.file));
  for (const l of locks) {
    for (const [alias, sha] of Object.entries(l.hashes ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const elsewhere = locks.some((o) => o !== l && o.hashes?.[alias] === sha);
      if (elsewhere || recorded.has(`${alias} ${sha}`)) continue;
      out.push({
        file: l.file,
        path: fieldPath(['modules', alias, 'sha256']),
        message: `new hash ${sha} for ${alias} ${l.modules[alias]}: no other ring pins it and no history line records it; check it is the artifact meant, and pin new artifacts with rings promote --with-version --sha256 (which records them)`,
      });
    }
  }
  return out;
}
