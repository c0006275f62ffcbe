import * as fs from 'fs';
import { arrivalTime, filterHistory, formatHistoryLine, HistoryEntry, isoSeconds, parseHistory, rollbackPlan, subjectOf } from '../../src/operate/history';
import { loadRegistry } from '../../src/registry/load';

const e = (over: Partial<HistoryEntry>): HistoryEntry => ({
  time: '2026-11-01T00:00:00Z', actor: 'a', action: 'promote', module: 'orders', from: null, to: 'edge',
  previous: '1.5.0', new: '1.6.0', reason: null, gates_checked: [], gates_waived: [], ...over,
});

describe('history lines', () => {
  test('format then parse round-trips, keys in a fixed order', () => {
    const entry = e({ reason: 'why' });
    const line = formatHistoryLine(entry);
    expect(Object.keys(JSON.parse(line))).toEqual(['time', 'actor', 'action', 'module', 'from', 'to', 'previous', 'new', 'reason', 'gates_checked', 'gates_waived']);
    expect(parseHistory(`${line}\n`).entries).toEqual([entry]);
  });
  test('bad lines are problems with their line number; blank lines are skipped', () => {
    const r = parseHistory(`${formatHistoryLine(e({}))}\n\nnot json\n{"time":"x"}\n`);
    expect(r.entries).toHaveLength(1);
    expect(r.problems.map((p) => p.line)).toEqual([3, 4]);
  });
  test('isoSeconds drops milliseconds', () => expect(isoSeconds(new Date('2026-11-23T12:00:00.123Z'))).toBe('2026-11-23T12:00:00Z'));
});

describe('filterHistory', () => {
  const h = [e({ module: 'orders', to: 'edge', from: 'canary' }), e({ module: 'ai', to: 'canary' }), e({ action: 'assign', module: undefined, tenant: 'acme', to: 'canary', from: 'stable' })];
  test('by module', () => expect(filterHistory(h, { module: 'ai' })).toEqual([h[1]]));
  test('by ring, as source or destination', () => expect(filterHistory(h, { ring: 'canary' })).toEqual(h));
  test('by tenant', () => expect(filterHistory(h, { tenant: 'acme' })).toEqual([h[2]]));
  test('criteria combine', () => expect(filterHistory(h, { ring: 'edge', module: 'ai' })).toEqual([]));
});

describe('arrivalTime', () => {
  test('the latest change of the pin, when it set that version', () => {
    const h = [e({ time: '2026-11-01T00:00:00Z' }), e({ time: '2026-11-05T00:00:00Z', previous: '1.6.0', new: '1.6.1' })];
    expect(arrivalTime(h, 'orders', 'edge', '1.6.1')).toBe('2026-11-05T00:00:00Z');
    expect(arrivalTime(h, 'orders', 'edge', '1.6.0')).toBeUndefined();
  });
  test('order of lines does not matter, times do', () => {
    const h = [e({ time: '2026-11-05T00:00:00Z', previous: '1.6.0', new: '1.6.1' }), e({ time: '2026-11-01T00:00:00Z' })];
    expect(arrivalTime(h, 'orders', 'edge', '1.6.1')).toBe('2026-11-05T00:00:00Z');
  });
});

describe('rollbackPlan: promotions are a stack, rollbacks pop', () => {
  const h = [
    e({ time: '2026-11-01T00:00:00Z', previous: '1.4.0', new: '1.5.0' }),
    e({ time: '2026-11-02T00:00:00Z', previous: '1.5.0', new: '1.6.0' }),
  ];
  test('restores what the last promotion replaced', () => {
    expect(rollbackPlan(h, 'orders', 'edge', '1.6.0')).toMatchObject({ ok: true, target: '1.5.0' });
  });
  test('a second rollback walks further back', () => {
    const after = [...h, e({ time: '2026-11-03T00:00:00Z', action: 'rollback', previous: '1.6.0', new: '1.5.0' })];
    expect(rollbackPlan(after, 'orders', 'edge', '1.5.0')).toMatchObject({ ok: true, target: '1.4.0' });
  });
  test('refuses when the lock no longer pins what history says', () => {
    const r = rollbackPlan(h, 'orders', 'edge', '9.9.9');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/changed outside rings/);
  });
  test('refuses when nothing is left to roll back', () => {
    expect(rollbackPlan([], 'orders', 'edge', '1.0.0')).toMatchObject({ ok: false });
  });
  test('a module that was new to the ring rolls back to not pinned', () => {
    expect(rollbackPlan([e({ previous: null, new: '0.1.0' })], 'orders', 'edge', '0.1.0')).toMatchObject({ ok: true, target: null });
  });
});

describe('the seeded example history agrees with the example locks', () => {
  const { entries, problems } = parseHistory(fs.readFileSync('rings/history.jsonl', 'utf8'));
  const reg = loadRegistry('rings');
  test('every line parses', () => expect(problems).toEqual([]));
  test('lines are in time order, all in November 2026', () => {
    const times = entries.map((x) => x.time);
    expect([...times].sort()).toEqual(times);
    expect(times.every((t) => t.startsWith('2026-11-'))).toBe(true);
  });
  test('for every (module, ring) the changes chain and the last one is what the lock pins', () => {
    const chains = new Map<string, HistoryEntry[]>();
    for (const x of entries.filter((y) => y.action !== 'assign')) {
      const k = `${subjectOf(x)}@${x.to}`;
      chains.set(k, [...(chains.get(k) ?? []), x]);
    }
    for (const [k, chain] of chains) {
      const [module, ring] = k.split('@');
      for (let i = 1; i < chain.length; i++) expect(`${k}: ${chain[i].previous}`).toBe(`${k}: ${chain[i - 1].new}`);
      const pinned = module.startsWith('image:')
        ? (reg.rings.find((r) => r.spec.name === ring)!.spec.images as Record<string, string> | undefined)?.[module.slice('image:'.length)]
        : reg.locks[ring].modules[module];
      expect(`${k}: ${pinned ?? null}`).toBe(`${k}: ${chain[chain.length - 1].new}`);
      // AutoCom's locks: the hashes chain too, and the last one is what the lock pins.
      if (!module.startsWith('image:')) {
        for (let i = 1; i < chain.length; i++) expect(`${k}: ${chain[i].previous_sha256}`).toBe(`${k}: ${chain[i - 1].new_sha256}`);
        expect(`${k}: ${reg.locks[ring].hashes?.[module] ?? null}`).toBe(`${k}: ${chain[chain.length - 1].new_sha256}`);
      }
    }
  });
  test('every promotion with a source took the version the source pinned at that time', () => {
    for (const x of entries.filter((y) => y.action === 'promote' && y.from)) {
      expect(arrivalTime(entries.filter((y) => y.time < x.time), subjectOf(x)!, x.from!, x.new!)).toBeDefined();
    }
  });
  test('every assignment ends where tenants.toml says', () => {
    const last = new Map(entries.filter((y) => y.action === 'assign').map((y) => [y.tenant!, y.to]));
    for (const [t, r] of last) expect(`${t}: ${reg.tenants[t]}`).toBe(`${t}: ${r}`);
  });
});
