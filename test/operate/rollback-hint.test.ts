/** rollbackHint: what a failing verify tells the operator to run — the latest promotion into the ring, or its whole train. */
import { HistoryEntry } from '../../src/operate/history';
import { rollbackHint } from '../../src/operate/rollback-hint';

const promote = (time: string, module: string, prev: string | null, next: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  time, actor: 'A <a@acme.io>', action: 'promote', module, from: 'canary', to: 'edge', previous: prev, new: next, reason: null, gates_checked: [], gates_waived: [], ...extra,
});
const rollback = (time: string, module: string, prev: string, next: string | null): HistoryEntry => ({
  time, actor: 'A <a@acme.io>', action: 'rollback', module, from: null, to: 'edge', previous: prev, new: next, reason: null, gates_checked: [], gates_waived: [],
});
/** What edge pins, as the registry would say. */
const pins = (p: Record<string, string>) => (subject: string) => p[subject];

describe('rollbackHint', () => {
  test('the latest promotion not yet rolled back', () => {
    const h = [promote('2026-11-01T00:00:00Z', 'orders', '1.5.0', '1.6.0'), promote('2026-11-02T00:00:00Z', 'wms', '1.8.0', '1.9.0'), rollback('2026-11-03T00:00:00Z', 'wms', '1.9.0', '1.8.0')];
    expect(rollbackHint(h, 'edge', pins({ orders: '1.6.0', wms: '1.8.0' }))).toMatchObject({
      command: 'rings rollback orders --ring edge',
      text: 'the latest promotion into edge was orders 1.6.0 (2026-11-01T00:00:00Z); to undo it: rings rollback orders --ring edge',
    });
    expect(rollbackHint(h, 'stable', pins({}))).toBeUndefined();
  });
  test('a promotion whose pin was changed by hand since is passed over (rollback would refuse it)', () => {
    const h = [promote('2026-11-01T00:00:00Z', 'orders', '1.5.0', '1.6.0'), promote('2026-11-02T00:00:00Z', 'wms', '1.8.0', '1.9.0')];
    expect(rollbackHint(h, 'edge', pins({ orders: '1.6.0', wms: '1.9.9' }))?.command).toBe('rings rollback orders --ring edge');
  });
  test('an image: rings rollback image <component>', () => {
    const h = [{ ...promote('2026-11-01T00:00:00Z', 'x', null, 'reg/api:2'), module: undefined, image: 'api' }];
    expect(rollbackHint(h, 'edge', pins({ 'image:api': 'reg/api:2' }))?.text).toBe('the latest promotion into edge was the api image reg/api:2 (2026-11-01T00:00:00Z); to undo it: rings rollback image api --ring edge');
  });
  test('a train whose every item is still the last promotion: rollback --train; once one item moved on, that item alone', () => {
    const t = { train: 'canary-edge-20261101T000000Z' };
    const h = [promote('2026-11-01T00:00:00Z', 'orders', '1.5.0', '1.6.0', t), promote('2026-11-01T00:00:00Z', 'wms', '1.8.0', '1.9.0', t)];
    expect(rollbackHint(h, 'edge', pins({ orders: '1.6.0', wms: '1.9.0' }))).toMatchObject({
      command: 'rings rollback --train canary-edge-20261101T000000Z',
      text: 'the latest promotion into edge was train canary-edge-20261101T000000Z (2 changes: orders 1.6.0, wms 1.9.0; 2026-11-01T00:00:00Z); to undo it: rings rollback --train canary-edge-20261101T000000Z',
    });
    const partly = [...h, rollback('2026-11-02T00:00:00Z', 'wms', '1.9.0', '1.8.0')];
    expect(rollbackHint(partly, 'edge', pins({ orders: '1.6.0', wms: '1.8.0' }))?.command).toBe('rings rollback orders --ring edge');
  });
});
