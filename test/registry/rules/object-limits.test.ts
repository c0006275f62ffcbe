/** Objects stay within Kubernetes limits: a registry whose lock or settings cannot fit is refused. */
import { App } from 'cdk8s';
import { Ring } from '../../../constructs';
import { loadRegistry, parseRegistry, readRegistryDir } from '../../../src/registry/load';
import { resolvePlan } from '../../../src/resolve/resolve-plan';
import { CrossFileInput, locksFitAConfigMap, MAX_LOCK_BYTES, ringObjectsFitTheirLimits } from '../../../src/registry/rules/validate';

/** A lock of about `bytes` bytes as pretty JSON (long aliases, so few entries). */
function lockOf(bytes: number): Record<string, string> {
  const lock: Record<string, string> = {};
  const entry = (i: number) => `m${String(i).padStart(6, '0')}${'x'.repeat(50)}`;
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    lock[entry(i)] = '1.0.0';
    size += Buffer.byteLength(`  "${entry(i)}": "1.0.0",\n`);
  }
  return lock;
}

const input = (over: Partial<CrossFileInput>): CrossFileInput => {
  const reg = loadRegistry('rings');
  return { dir: 'rings', platform: reg.platform, platformFile: 'rings/platform.toml', tenantsFile: 'rings/tenants.toml', rings: reg.rings, tenants: reg.tenants, locks: reg.locks, lockFiles: [], ringFiles: reg.rings.map((r) => r.spec.name), ringFilesFailed: false, ...over };
};

describe('locksFitAConfigMap', () => {
  it('refuses a lock over 1000 KiB, naming the file and the size', () => {
    const big = lockOf(MAX_LOCK_BYTES + 10);
    const problems = locksFitAConfigMap(input({ locks: { edge: { file: 'rings/locks/edge.lock.json', ring: 'edge', modules: big } } }));
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe('rings/locks/edge.lock.json');
    expect(problems[0].message).toMatch(/^expected a lock of at most 1024000 bytes \(it becomes a ConfigMap, limit 1 MiB\), got \d+$/);
  });

  it('accepts a lock just under the limit, and its ConfigMap stays under 1 MiB', () => {
    const lock = lockOf(MAX_LOCK_BYTES - 200);
    expect(locksFitAConfigMap(input({ locks: { edge: { file: 'rings/locks/edge.lock.json', ring: 'edge', modules: lock } } }))).toEqual([]);
    const plan = resolvePlan(loadRegistry('rings'));
    const ring = new Ring(new App(), 'ring-edge', { ...plan.rings.find((r) => r.name === 'edge')!, lock, lockMetadata: {} });
    const cm = ring.toJson().find((o: any) => o.kind === 'ConfigMap' && /^module-lock-/.test(o.metadata.name));
    // The API server's rule: keys plus values of data, at most 1 MiB.
    const dataBytes = Object.entries(cm.data as Record<string, string>).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    expect(dataBytes).toBeGreaterThan(MAX_LOCK_BYTES - 400);
    expect(dataBytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it('is reported through the loader with every other problem', () => {
    const { sources } = readRegistryDir('rings');
    const s = new Map(sources);
    s.set('locks/edge.lock.json', JSON.stringify(lockOf(MAX_LOCK_BYTES + 10), null, 2));
    expect(() => parseRegistry('rings', s)).toThrow(/rings\/locks\/edge\.lock\.json: expected a lock of at most 1024000 bytes/);
  });
});

describe('ringObjectsFitTheirLimits', () => {
  it('refuses app_settings that would not fit the ring ConfigMap', () => {
    const reg = loadRegistry('rings');
    const app_settings = { ...reg.platform.app_settings, HUGE: 'v'.repeat(1100 * 1024) };
    const problems = ringObjectsFitTheirLimits(input({ platform: { ...reg.platform, app_settings } }));
    expect(problems.map((p) => `${p.file}: ${p.path}`)).toEqual(['rings/platform.toml: app_settings']);
    expect(problems[0].message).toMatch(/limit 1 MiB\), got \d+$/);
  });

  it('refuses a ring description that would not fit the Namespace annotations', () => {
    const reg = loadRegistry('rings');
    const rings = reg.rings.map((r) => (r.spec.name === 'canary' ? { ...r, spec: { ...r.spec, description: 'd'.repeat(260 * 1024) } } : r));
    const problems = ringObjectsFitTheirLimits(input({ rings }));
    expect(problems.map((p) => `${p.file}: ${p.path}`)).toEqual(['rings/canary.toml: description']);
  });

  it('accepts the example registry', () => {
    expect(ringObjectsFitTheirLimits(input({}))).toEqual([]);
  });
});
