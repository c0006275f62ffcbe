import { decide, entryGate, formatDuration, nextConservativeRing, orderGate, parseDuration, soakGate, GateRing } from '../../src/operate/gates';
import { HistoryEntry } from '../../src/operate/history';

const ring = (name: string, promotionOrder: number, soak = '24h', active = true): GateRing => ({ name, promotionOrder, soak, active });
const stable = ring('stable', 0, '0h');
const edge = ring('edge', 10, '7d');
const canary = ring('canary', 20, '24h');
const experimental = ring('experimental', 30, '24h');
const rings = [stable, edge, canary, experimental];

const promo = (time: string, to: string, prev: string | null, next: string, action: 'promote' | 'rollback' = 'promote'): HistoryEntry => ({
  time, actor: 'a', action, module: 'orders', from: null, to, previous: prev, new: next, reason: null, gates_checked: [], gates_waived: [],
});

describe('durations', () => {
  test('parse m/h/d', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });
  test('refuse anything else', () => expect(() => parseDuration('1w')).toThrow(/expected a duration/));
  test('format two largest units', () => {
    expect(formatDuration(5 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('5d 3h');
    expect(formatDuration(10 * 3_600_000 + 30 * 60_000)).toBe('10h 30m');
    expect(formatDuration(45 * 60_000)).toBe('45m');
  });
});

describe('order gate: one step toward the conservative end', () => {
  test('next conservative ring is the next active lower order', () => {
    expect(nextConservativeRing(rings, canary)?.name).toBe('edge');
    expect(nextConservativeRing([stable, { ...edge, active: false }, canary], canary)?.name).toBe('stable');
    expect(nextConservativeRing(rings, stable)).toBeUndefined();
  });
  test('passes one step', () => expect(orderGate(rings, canary, edge).ok).toBe(true));
  test('refuses a skipped ring, naming it and the allowed step', () => {
    const r = orderGate(rings, canary, stable);
    expect(r.ok).toBe(false);
    expect(r.message).toBe('canary → stable skips edge; promote from canary to edge only');
  });
  test('refuses the wrong direction', () => {
    const r = orderGate(rings, edge, canary);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/not more conservative/);
  });
  test('skips inactive rings when finding the next step', () => {
    const inactiveEdge = { ...edge, active: false };
    expect(orderGate([stable, inactiveEdge, canary], canary, stable).ok).toBe(true);
    expect(orderGate([stable, inactiveEdge, canary], canary, inactiveEdge).message).toMatch(/edge is inactive/);
  });
});

describe('soak gate: measured from history', () => {
  const history = [promo('2026-11-18T09:00:00Z', 'edge', '1.5.0', '1.6.0')];
  test('passes once the source ring soak has elapsed', () => {
    expect(soakGate(history, 'orders', edge, '1.6.0', new Date('2026-11-25T09:00:00Z')).ok).toBe(true);
  });
  test('refuses before, saying since when and when it will pass', () => {
    const r = soakGate(history, 'orders', edge, '1.6.0', new Date('2026-11-23T12:00:00Z'));
    expect(r.ok).toBe(false);
    expect(r.message).toContain('5d 3h since 2026-11-18T09:00:00Z');
    expect(r.message).toContain('promotable after 2026-11-25T09:00:00Z');
  });
  test('refuses when history has no record of the version arriving', () => {
    const r = soakGate(history, 'orders', edge, '1.6.1', new Date('2026-12-30T00:00:00Z'));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/history has no record of orders 1.6.1 arriving in edge/);
  });
  test('a ring without soak needs no record', () => {
    expect(soakGate([], 'orders', stable, '1.6.0', new Date()).ok).toBe(true);
  });
  test('a later change of the pin resets the arrival (a rollback then re-promotion counts from the latest)', () => {
    const h = [
      promo('2026-11-01T00:00:00Z', 'edge', '1.5.0', '1.6.0'),
      promo('2026-11-02T00:00:00Z', 'edge', '1.6.0', '1.5.0', 'rollback'),
      promo('2026-11-20T00:00:00Z', 'edge', '1.5.0', '1.6.0'),
    ];
    expect(soakGate(h, 'orders', edge, '1.6.0', new Date('2026-11-23T00:00:00Z')).ok).toBe(false);
    expect(soakGate(h, 'orders', edge, '1.6.0', new Date('2026-11-27T00:00:00Z')).ok).toBe(true);
  });
});

describe('entry gate: --with-version only into the least conservative active ring', () => {
  test('passes for the highest promotion order', () => expect(entryGate(rings, experimental).ok).toBe(true));
  test('refuses any other ring, naming the entry ring', () => {
    const r = entryGate(rings, canary);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/pins only into experimental, not canary/);
  });
  test('an inactive top ring is not the entry ring', () => {
    expect(entryGate([stable, edge, canary, { ...experimental, active: false }], canary).ok).toBe(true);
  });
});

describe('decide: emergency waives, and says which', () => {
  const refusals = [orderGate(rings, canary, stable), entryGate(rings, canary)];
  test('without emergency the first refusal stands', () => {
    const d = decide(refusals, false);
    expect(d.refusal?.gate).toBe('order');
    expect(d.waived).toEqual([]);
  });
  test('with emergency every refusal is waived and listed', () => {
    const d = decide(refusals, true);
    expect(d.refusal).toBeUndefined();
    expect(d.waived).toEqual(['order', 'entry']);
    expect(d.checked).toEqual(['order', 'entry']);
  });
  test('passing gates are checked, not waived', () => {
    expect(decide([orderGate(rings, canary, edge)], true).waived).toEqual([]);
  });
});
