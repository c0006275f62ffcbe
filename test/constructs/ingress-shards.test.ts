/**
 * Tenant Ingress sharding: the split is stable (one tenant added changes one shard, a move two),
 * and the registry refuses shard counts that would break the per-object limits, saying what to set.
 */
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { propertyRuns } from '../support/property';
import { ingressShardLoads, minimumIngressShards, ringHosts, TenantIngress } from '../../constructs';
import { RegistryError } from '../../src/registry/errors';
import { parseRegistry, readRegistryDir } from '../../src/registry/load';
import { resolvePlan } from '../../src/resolve/resolve-plan';
import { synthesize } from '../../src/render/synth';

/** name of each Ingress shard → its manifest, for one ring's tenants. */
function shards(tenants: readonly string[], n: number, segment = 'edge'): Map<string, string> {
  const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
  const hosts = ringHosts({ hostnameSegment: segment, domain: 'acme.io', tenants, isDefault: false });
  if (hosts.length) new TenantIngress(chart, 'ingress', { namespace: `ns-${segment}`, hosts, labels: {}, segmentTlsSecret: 's', domainTlsSecret: 'd', shards: n });
  return new Map(chart.toJson().map((o: any) => [`${segment}/${o.metadata.name}`, JSON.stringify(o)]));
}

function changed(a: Map<string, string>, b: Map<string, string>): number {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).length;
}

const tenantName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);

describe('tenant Ingress shards are stable', () => {
  it('adding one tenant changes exactly one shard (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(tenantName, { maxLength: 60 }), tenantName, fc.integer({ min: 1, max: 16 }), (tenants, extra, n) => {
        fc.pre(!tenants.includes(extra));
        expect(changed(shards(tenants, n), shards([...tenants, extra], n))).toBe(1);
      }),
      propertyRuns(150),
    );
  });

  it('moving one tenant between rings changes exactly two shards (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(tenantName, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }), fc.nat(), (all, na, nb, pick) => {
        const moved = all[pick % all.length];
        const a = all.filter((_, i) => i % 2 === 0 || all[i] === moved);
        const b = all.filter((t) => !a.includes(t));
        const before = new Map([...shards(a, na, 'edge'), ...shards(b, nb, 'canary')]);
        const after = new Map([...shards(a.filter((t) => t !== moved), na, 'edge'), ...shards([...b, moved], nb, 'canary')]);
        expect(changed(before, after)).toBe(2);
      }),
      propertyRuns(150),
    );
  });
});

/** The example registry with `tenants` on edge and extra platform/edge settings, as in-memory sources. */
function registry(opts: { tenants: number; maxHosts?: number; shards?: number }): Map<string, string> {
  const { sources } = readRegistryDir('rings');
  const s = new Map(sources);
  if (opts.maxHosts) s.set('platform.toml', s.get('platform.toml')!.replace('[ingress]\n', `[ingress]\nmax_hosts_per_ingress = ${opts.maxHosts}\n`));
  if (opts.shards) s.set('edge.toml', s.get('edge.toml')!.replace(/^promotion_order = .*$/m, (l) => `${l}\ningress_shards = ${opts.shards}`));
  const lines = ['[tenants]', 'acme = "stable"'];
  for (let i = 0; i < opts.tenants; i++) lines.push(`tenant-${String(i).padStart(5, '0')}-of-a-fairly-long-customer-name = "edge"`);
  s.set('tenants.toml', `${lines.join('\n')}\n`);
  return s;
}

function problems(sources: Map<string, string>): string[] {
  try {
    parseRegistry('rings', sources);
    return [];
  } catch (e) {
    if (e instanceof RegistryError) return e.lines();
    throw e;
  }
}

describe('ingressShardsFit', () => {
  it('refuses a ring whose shard would exceed max_hosts_per_ingress, naming the ring and the count that fits', () => {
    const lines = problems(registry({ tenants: 300, maxHosts: 100 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rings\/edge\.toml: ingress_shards: expected enough Ingress shards for 600 hosts \(at most 100 hosts.*got 1: tenants would hold 600 hosts .*set ingress_shards = (\d+), the smallest count above 1 that fits/);
    const need = Number(/set ingress_shards = (\d+)/.exec(lines[0])![1]);
    expect(need).toBeGreaterThanOrEqual(6);
    expect(problems(registry({ tenants: 300, maxHosts: 100, shards: need }))).toEqual([]);
    // the computed count is the smallest: one less (if above the current value) does not fit
    if (need - 1 > 1) expect(problems(registry({ tenants: 300, maxHosts: 100, shards: need - 1 }))).toHaveLength(1);
  });

  it('refuses a ring whose Ingress would exceed 256 KiB even under the host limit', () => {
    const lines = problems(registry({ tenants: 1000, maxHosts: 100000 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/rings\/edge\.toml: ingress_shards: .*got 1: tenants would hold 2000 hosts \((\d+) KiB\)/);
    expect(Number(/\((\d+) KiB\)/.exec(lines[0])![1])).toBeGreaterThan(256);
    const need = Number(/set ingress_shards = (\d+)/.exec(lines[0])![1]);
    expect(problems(registry({ tenants: 1000, maxHosts: 100000, shards: need }))).toEqual([]);
  });

  it('accepts the example registry and a ring within the default limit of 500 hosts', () => {
    expect(problems(registry({ tenants: 240 }))).toEqual([]);
    expect(problems(registry({ tenants: 260 }))).toHaveLength(1);
  });

  it('estimates shard bytes as a tight upper bound of the rendered compact JSON', () => {
    const reg = parseRegistry('rings', registry({ tenants: 700, shards: 4 }));
    const plan = resolvePlan(reg);
    const { rings, charts } = synthesize(plan);
    const edge = rings.find((r) => r.node.id === 'ring-edge')!;
    const loads = new Map(ingressShardLoads(edge.hosts, 4).map((l) => [l.name, l]));
    const ingresses = charts.find((c) => c.file === 'ring-edge/ring-edge.yaml')!.objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses).toHaveLength(loads.size);
    for (const o of ingresses) {
      const actual = Buffer.byteLength(JSON.stringify(o));
      const load = loads.get(o.metadata.name)!;
      expect(load.hosts).toBe(o.spec.rules.length);
      expect(load.bytes).toBeGreaterThanOrEqual(actual);
      expect(load.bytes - actual).toBeLessThan(4096);
    }
  });

  it('minimumIngressShards finds the smallest count that fits, from a given count up', () => {
    const hosts = ringHosts({ hostnameSegment: 'edge', domain: 'acme.io', tenants: Array.from({ length: 500 }, (_, i) => `t${i}`), isDefault: true });
    const n = minimumIngressShards(hosts, 1, { maxHosts: 150 })!;
    expect(Math.max(...ingressShardLoads(hosts, n).map((l) => l.hosts))).toBeLessThanOrEqual(150);
    for (let k = 1; k < n; k++) expect(Math.max(...ingressShardLoads(hosts, k).map((l) => l.hosts))).toBeGreaterThan(150);
    expect(minimumIngressShards(hosts, 1, { maxHosts: 1 })).toBeUndefined();
  });
});
