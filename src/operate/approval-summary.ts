/** An `approve` history entry as one short sentence (`rings history`, the command's own output). */
import type { HistoryEntry } from './history';

export function summariseApproval(e: HistoryEntry): string {
  const a = e.approval;
  const items = a?.candidates.map((c) => c.candidate).join(', ') ?? '(nothing)';
  const by = a?.approver ? ` by ${a.approver}` : '';
  const from = e.from ? ` from ${e.from}` : '';
  const waived = a?.candidates.some((c) => c.waived.length) ? ` (waives: ${[...new Set(a.candidates.flatMap((c) => c.waived))].join(', ')})` : '';
  const retro = a?.retrospective_of ? ` (retrospective: the emergency promotion of ${a.retrospective_of.time})` : '';
  return `approve ${items}${from} into ${e.to}${by}${retro}${waived}`;
}
