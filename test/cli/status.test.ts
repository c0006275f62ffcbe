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

describe('status --mermaid: the ring layout', () => {
  const text = statusMermaid(m);
  const lines = text.split('\n');
  test('each ring sits in a subgraph named after its namespace; the home one is marked', () => {
    for (const [ring, ns] of [['experimental', 'autocom-experimental'], ['canary', 'autocom-canary'], ['edge', 'autocom-edge']]) {
      const at = lines.indexOf(`  subgraph ns_${ns.replace(/-/g, '_')}["namespace ${ns}"]`);
      expect(at).toBeGreaterThan(0);
      expect(lines[at + 1]).toMatch(new RegExp(`^    ring_${ring}\\["<b>${ring}</b>`));
      expect(lines[at + 2]).toBe('  end');
    }
    expect(text).toContain('  subgraph ns_autocom["namespace autocom (home)"]\n    ring_stable["<b>stable</b> (default)<br/>');
  });
  test('rings appear in promotion order, least conservative first', () => {
    const order = lines.filter((l) => /^    ring_/.test(l)).map((l) => l.trim().split('[')[0]);
    expect(order).toEqual(['ring_experimental', 'ring_canary', 'ring_edge', 'ring_stable']);
  });
  test('the shared layer and the externally run services sit in the home namespace, with ports and public hosts', () => {
    const home = text.slice(text.indexOf('subgraph ns_autocom['));
    const block = home.slice(0, home.indexOf('  end'));
    expect(block).toContain('shared_layer["<b>shared layer</b><br/>docs :8080 · docs.acme.io<br/>frontend :3000 · app.acme.io<br/>indian-post :8080<br/>redis :6379"]');
    expect(block).toContain('shared_external["<b>run by others</b><br/>autocom-db-ro :5432<br/>autocom-db-rw :5432<br/>minio :9000"]');
  });
  test('every ring but the home one reaches the home namespace through one alias per shared service', () => {
    const aliasEdges = lines.filter((l) => l.includes('-.->'));
    expect(aliasEdges).toEqual([
      '  ring_experimental -.->|"7 aliases"| ns_autocom',
      '  ring_canary -.->|"7 aliases"| ns_autocom',
      '  ring_edge -.->|"7 aliases"| ns_autocom',
    ]);
  });
  test('without shared or external services there is no shared node and no alias edge', () => {
    const t = statusMermaid({ ...m, shared: [], external: [] });
    expect(t).not.toContain('shared_layer');
    expect(t).not.toContain('shared_external');
    expect(t).not.toContain('-.->');
    expect(t).toContain('ring_edge -->|"soak 7d"| ring_stable');
  });
  test('one alias is singular, and a label with a quote stays inside its node', () => {
    const t = statusMermaid({ ...m, shared: [], external: [{ name: 'db', port: 5432 }] });
    expect(t).toContain('ring_edge -.->|"1 alias"| ns_autocom');
    const quoted = statusMermaid({ ...m, rings: m.rings.map((r) => (r.ring === 'edge' ? { ...r, soak: '7d"]' } : r)) });
    expect(quoted).toContain('soak 7d#quot;]');
    expect(quoted).not.toContain('7d"]');
  });
});
