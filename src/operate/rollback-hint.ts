/**
 * The command that undoes the latest promotion into a ring, as a failing `rings verify` (cluster or
 * `--metrics`) prints it: the release train it belonged to (`rings rollback --train ID`) when every
 * item of that train is still the ring's last promotion of it, else that one promotion (`rings
 * rollback <module> --ring R`, `rings rollback image <component> --ring R`). A promotion whose pin was
 * changed outside rings since (rollback would refuse it) is passed over. Pure.
 */
import type { Registry } from '../registry/load';
import { HistoryEntry, promotionStack, subjectOf } from './history';

export interface RollbackHint {
  readonly command: string;
  /** The promotion (a train's first line) it undoes. */
  readonly undoing: HistoryEntry;
  /** The line verify prints: `the latest promotion into canary was ai 2.4.0 (2026-11-23T02:00:00Z); to undo it: rings rollback ai --ring canary`. */
  readonly text: string;
}

/** What the ring pins now for a history subject (a module's version, or its own image pin). */
export function pinnedIn(registry: Registry, ring: string): (subject: string) => string | undefined {
  const spec = registry.rings.find((r) => r.spec.name === ring)?.spec;
  return (subject) =>
    subject.startsWith('image:') ? (spec?.images as Record<string, string | undefined> | undefined)?.[subject.slice('image:'.length)] : registry.locks[ring]?.modules[subject];
}

export function rollbackHint(history: readonly HistoryEntry[], ring: string, pinned: (subject: string) => string | undefined): RollbackHint | undefined {
  const subjects = [...new Set(history.filter((e) => e.action === 'promote' && e.to === ring).map((e) => subjectOf(e)!))];
  const tops = subjects
    .map((s) => promotionStack(history, s, ring).pop())
    .filter((e): e is HistoryEntry => e !== undefined && (pinned(subjectOf(e)!) ?? null) === e.new);
  if (tops.length === 0) return undefined;
  const last = tops.reduce((a, b) => (Date.parse(b.time) >= Date.parse(a.time) ? b : a));
  const what = (e: HistoryEntry) => `${e.image !== undefined ? `the ${e.image} image` : e.module} ${e.new}`;
  if (last.train !== undefined) {
    const lines = history.filter((e) => e.train === last.train);
    if (lines.every((l) => tops.includes(l))) {
      const command = `rings rollback --train ${last.train}`;
      return { command, undoing: lines[0], text: `the latest promotion into ${ring} was train ${last.train} (${lines.length} change${lines.length === 1 ? '' : 's'}: ${lines.map(what).join(', ')}; ${last.time}); to undo it: ${command}` };
    }
  }
  const command = last.image !== undefined ? `rings rollback image ${last.image} --ring ${ring}` : `rings rollback ${last.module} --ring ${ring}`;
  return { command, undoing: last, text: `the latest promotion into ${ring} was ${what(last)} (${last.time}); to undo it: ${command}` };
}
