/**
 * The command that undoes the last promotion into a ring, as a failing `rings verify` prints it: the
 * release train it belonged to (`rings rollback --train ID`) when every item of that train is still
 * the ring's last promotion of it, else that one promotion (`rings rollback <module> --ring R`,
 * `rings rollback image <component> --ring R`). Pure, from the history.
 */
import { HistoryEntry, promotionStack, subjectOf } from './history';

export interface RollbackHint {
  readonly command: string;
  /** The promotion (the first line of the train) it undoes. */
  readonly undoing: HistoryEntry;
  /** One line: `rings rollback orders --ring canary (undoes orders 1.6.1, promoted 2026-11-20T10:00:00Z by Marco Rossi <…>)`. */
  readonly text: string;
}

export function rollbackHint(history: readonly HistoryEntry[], ring: string): RollbackHint | undefined {
  const subjects = [...new Set(history.filter((e) => e.action === 'promote' && e.to === ring).map((e) => subjectOf(e)!))];
  const tops = subjects.map((s) => promotionStack(history, s, ring).pop()).filter((e): e is HistoryEntry => e !== undefined);
  if (tops.length === 0) return undefined;
  const last = tops.reduce((a, b) => (Date.parse(b.time) >= Date.parse(a.time) ? b : a));
  const what = (e: HistoryEntry) => `${e.image !== undefined ? `image ${e.image}` : e.module} ${e.new}`;
  const by = `promoted ${last.time} by ${last.actor}`;
  if (last.train !== undefined) {
    const lines = history.filter((e) => e.train === last.train);
    if (lines.every((l) => tops.includes(l))) {
      return { command: `rings rollback --train ${last.train}`, undoing: lines[0], text: `rings rollback --train ${last.train} (undoes ${lines.length} change${lines.length === 1 ? '' : 's'}: ${lines.map(what).join(', ')}, ${by})` };
    }
  }
  const command = last.image !== undefined ? `rings rollback image ${last.image} --ring ${ring}` : `rings rollback ${last.module} --ring ${ring}`;
  return { command, undoing: last, text: `${command} (undoes ${what(last)}, ${by}; rollback target ${last.previous ?? (last.image !== undefined ? 'the platform default' : 'unpin')})` };
}
