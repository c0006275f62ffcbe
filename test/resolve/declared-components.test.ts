/** The components a ring of a `preset = "none"` platform runs, as resolve derives them from the tables. */
import * as path from 'path';
import { readRegistryDir, parseRegistry } from '../../src/registry/load';
import { resolvePlan } from '../../src/resolve/resolve-plan';

const DIR = path.join(__dirname, '..', '..', 'examples', 'storefront');
function planWith(edit: (platform: string) => string) {
  const { sources } = readRegistryDir(DIR);
  const s = new Map(sources);
  s.set('platform.toml', edit(s.get('platform.toml')!));
  return resolvePlan(parseRegistry('examples/storefront', s));
}
const ring = (plan: ReturnType<typeof planWith>, name: string) => plan.rings.find((r) => r.name === name)!;
const component = (plan: ReturnType<typeof planWith>, r: string, c: string) => ring(plan, r).workload.find((w) => w.name === c)!;

describe('declared components', () => {
  const plan = planWith((t) => t);

  test('one component per table, by name, with the ring\'s replicas and image pin', () => {
    expect(ring(plan, 'preview').workload.map((w) => [w.name, w.replicas, w.image.split('@')[0]])).toEqual([
      ['web', 2, 'ghcr.io/storefront/web:3.3.0'],
      ['worker', 2, 'ghcr.io/storefront/worker:3.3.0'],
    ]);
  });

  test('the entry is reachable from the ingress controller and takes the ring\'s [hpa]; the others are not', () => {
    expect(component(plan, 'main', 'web')).toMatchObject({ reachableFrom: { ingressController: true }, hpa: { min: 3, max: 6 } });
    expect(component(plan, 'main', 'worker').reachableFrom).toEqual({});
    expect(component(plan, 'main', 'worker').hpa).toBeUndefined();
    expect(ring(plan, 'main').entry).toBe('web');
  });

  test('probes: probe_path is HTTP on the port, probe_command exec, neither a TCP connect', () => {
    expect(component(plan, 'main', 'web').probe).toEqual({ kind: 'http', path: '/healthz', port: 3000 });
    expect(component(plan, 'main', 'worker').probe).toEqual({ kind: 'exec', command: ['/app/worker', 'health'] });
    const tcp = planWith((t) => t.replace('probe_path = "/healthz"\n', ''));
    expect(component(tcp, 'main', 'web').probe).toEqual({ kind: 'tcp', port: 3000 });
  });

  test('reachable_from on the callee opens both sides: the callee admits the caller, the caller may reach it', () => {
    const p = planWith((t) => t.replace('probe_path = "/healthz"', 'probe_path = "/healthz"\nreachable_from = ["worker"]'));
    expect(component(p, 'main', 'web').reachableFrom).toEqual({ ingressController: true, components: ['worker'] });
    expect(component(p, 'main', 'worker').reaches?.components).toEqual(['web']);
    expect(component(plan, 'main', 'worker').reaches?.components).toBeUndefined();
  });

  test('every component reads the ring ConfigMap and the lock, and reaches the shared services', () => {
    for (const c of ring(plan, 'main').workload) {
      expect(c.envFromConfigMaps).toEqual(['ring-config']);
      expect(c.configMounts).toEqual([{ configMap: 'module-lock', mountPath: '/etc/storefront' }]);
      expect(c.reaches?.sharedServices).toBe(true);
    }
  });
});
