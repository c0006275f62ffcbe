/** rollbackHint: what a failing verify tells the operator to run — the last promotion into the ring, or its whole train. */
import { HistoryEntry } from '../../src/cli/history';
import { rollbackHint } from '../../src/cli/rollback-hint';

const promote = (time: string, module: string, prev: string | null, next: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  time, actor: 'A <a@acme.io>', action: 'promote', module, from: 'canary', to: 'edge', previous: prev, new: next, reason: null, gates_checked: [], gates_waived: [], ...extra,
});
const rollback = (time: string, module: string, prev: string, next: string | null, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  time, actor: 'A <a@acme.io>', action: 'rollback', module, from: null, to: 'edge', previous: prev, new: next, reason: null, gates_checked: [], gates_waived: [], ...extra,
});

describe('rollbackHint', () => {
  test('the latest promotion not yet rolled back', () => {
    const h = [promote('2026-11-01T00:00:00Z', 'orders', '1.5.0', '1.6.0'), promote('2026-11-02T00:00:00Z', 'wms', '1.8.0', '1.9.0'), rollback('2026-11-03T00:00:00Z', 'wms', '1.9.0', '1.8.0')];
    expect(rollbackHint(h, 'edge')).toMatchObject({ command: 'rings rollback orders --ring edge', text: 'rings rollback orders --ring edge (undoes orders 1.6.0, promoted 2026-11-01T00:00:00Z by A <a@acme.io>; rollback target 1.5.0)' });
    expect(rollbackHint(h, 'stable')).toBeUndefined();
  });
  test('an image: rings rollback image <component>', () => {
    const h = [{ ...promote('2026-11-01T00:00:00Z', 'x', null, 'reg/api:2'), module: undefined, image: 'api' }];
    expect(rollbackHint(h, 'edge')?.command).toBe('rings rollback image api --ring edge');
  });
  test('a train whose every item is still the last promotion: rollback --train; once one item moved on, that item alone', () => {
    const t = { train: 'canary-edge-20261101T000000Z' };
    const h = [promote('2026-11-01T00:00:00Z', 'orders', '1.5.0', '1.6.0', t), promote('2026-11-01T00:00:00Z', 'wms', '1.8.0', '1.9.0', t)];
    expect(rollbackHint(h, 'edge')).toMatchObject({ command: 'rings rollback --train canary-edge-20261101T000000Z', text: 'rings rollback --train canary-edge-20261101T000000Z (undoes 2 changes: orders 1.6.0, wms 1.9.0, promoted 2026-11-01T00:00:00Z by A <a@acme.io>)' });
    const partly = [...h, rollback('2026-11-02T00:00:00Z', 'wms', '1.9.0', '1.8.0')];
    expect(rollbackHint(partly, 'edge')?.command).toBe('rings rollback orders --ring edge');
  });
});
