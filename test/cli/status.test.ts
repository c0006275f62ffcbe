import { statusMatrix, statusMermaid } from '../../src/cli/commands/status';
import { loadRegistry } from '../../src/registry/load';

const m = statusMatrix(loadRegistry('rings'));

describe('status matrix', () => {
  test('rings most conservative first; stable is the base', () => {
    expect(m.rings.map((r) => r.ring)).toEqual(['stable', 'edge', 'canary', 'experimental']);
    expect(m.base).toBe('stable');
  });
  test('marks rings whose pin differs from stable', () => {
    expect(m.modules.find((r) => r.module === 'orders')).toEqual({
      module: 'orders',
      versions: { stable: '1.5.0', edge: '1.6.0', canary: '1.6.1', experimental: '1.6.1' },
      ahead: ['edge', 'canary', 'experimental'],
    });
    expect(m.modules.find((r) => r.module === 'crm')!.ahead).toEqual([]);
  });
  test('a module only one ring pins shows null elsewhere', () => {
    expect(m.modules.find((r) => r.module === 'b2b-quotes')!.versions.stable).toBeNull();
  });
});

describe('status --mermaid', () => {
  const text = statusMermaid(m);
  test('is a fenced flowchart with the promotion path least → most conservative', () => {
    expect(text.startsWith('```mermaid\nflowchart LR\n')).toBe(true);
    expect(text).toContain('ring_experimental -->|"soak 24h"| ring_canary');
    expect(text).toContain('ring_canary -->|"soak 24h"| ring_edge');
    expect(text).toContain('ring_edge -->|"soak 7d"| ring_stable');
  });
  test('each ring lists the versions it runs ahead of stable', () => {
    expect(text).toMatch(/ring_edge\[".*orders 1\.6\.0.*payments 3\.2\.0/);
    expect(text).not.toMatch(/ring_edge\[".*crm/);
  });
  test('inactive rings are dashed and off the path', () => {
    const inactive = { ...m, rings: m.rings.map((r) => (r.ring === 'canary' ? { ...r, active: false } : r)) };
    const t = statusMermaid(inactive);
    expect(t).toContain('style ring_canary stroke-dasharray: 5 5');
    expect(t).toContain('ring_experimental -->|"soak 24h"| ring_edge');
  });
});
