/**
 * Rollouts that cannot leak: the lock and ring ConfigMaps and the shared layer's ring data are
 * immutable and content-addressed, and the previous version of each stays in the output (read from
 * the previous dist/) until the change after next, older ones go.
 */
import { App, Chart } from 'cdk8s';
import { isManifestFile } from '../../src/render/dist';
import { octaneComponents, Ring, RingData, RING_DATA_LABEL } from '../../constructs';
import { contentAddressedBase, contentAddressedName, retainedConfigMaps, RETAINED_ANNOTATION } from '../../src/model/content-address';
import { parseRegistry } from '../../src/registry/load';
import { previousConfigMaps } from '../../src/render/previous-output';
import { resolvePlan } from '../../src/resolve/resolve-plan';
import { synthesize } from '../../src/render/synth';
import { exampleSources } from '../support/registry-fixture';
import { parseYamlObjects } from '../support/render';

/** Renders the example registry (with edits) given the previous output's files. */
function synthWith(sources: Map<string, string>, previous?: ReadonlyMap<string, string>): Map<string, string> {
  const plan = resolvePlan(parseRegistry('rings', sources), { previousConfigMaps: previous ? previousConfigMaps(previous) : undefined });
  return new Map(synthesize(plan).files);
}

const withCanaryOrders = (v: string) => {
  const s = exampleSources();
  const rel = 'locks/canary.lock.json';
  const text = s.get(rel)!;
  const m = /("orders":\s*\{\s*"version":\s*")[^"]+(")|("orders":\s*")[^"]+(")/.exec(text)!;
  s.set(rel, text.replace(m[0], m[1] ? `${m[1]}${v}${m[2]}` : `${m[3]}${v}${m[4]}`));
  return s;
};

const configMaps = (files: ReadonlyMap<string, string>, file: string) => parseYamlObjects(files.get(file)!, file).filter((o) => o.kind === 'ConfigMap');
const names = (files: ReadonlyMap<string, string>, file: string, base: string) =>
  configMaps(files, file)
    .map((o) => o.metadata.name as string)
    .filter((n) => contentAddressedBase(n, [base]) === base)
    .sort();

describe('content-addressed ConfigMaps', () => {
  const v0 = synthWith(exampleSources());

  test('every ConfigMap a ring pod reads for its lock or ring config is immutable and named by its content', () => {
    for (const [file, text] of v0) {
      if (!file.startsWith('ring-') || !isManifestFile(file)) continue;
      const cms = parseYamlObjects(text, file).filter((o) => o.kind === 'ConfigMap' && contentAddressedBase(o.metadata.name!));
      expect(cms.map((o) => contentAddressedBase(o.metadata.name!)).sort()).toEqual(['module-lock', 'ring-config']);
      for (const cm of cms) {
        expect(cm.immutable).toBe(true);
        expect(cm.metadata.name).toBe(contentAddressedName(contentAddressedBase(cm.metadata.name!)!, cm.data));
      }
    }
  });

  test('a lock change renames exactly that ring\'s lock ConfigMap, keeps the previous one, and changes no other ring\'s output', () => {
    const v1 = synthWith(withCanaryOrders('1.6.9'), v0);
    for (const file of v0.keys()) if (file !== 'ring-canary/ring-canary.yaml') expect({ file, text: v1.get(file) }).toEqual({ file, text: v0.get(file) });
    const [before] = names(v0, 'ring-canary/ring-canary.yaml', 'module-lock');
    const after = names(v1, 'ring-canary/ring-canary.yaml', 'module-lock');
    expect(after).toHaveLength(2);
    expect(after).toContain(before);
    const kept = configMaps(v1, 'ring-canary/ring-canary.yaml').find((o) => o.metadata.name === before)!;
    expect(kept.metadata.annotations[RETAINED_ANNOTATION]).toMatch(/^previous version of module-lock/);
    expect(kept.immutable).toBe(true);
    expect(kept.data).toEqual(configMaps(v0, 'ring-canary/ring-canary.yaml').find((o) => o.metadata.name === before)!.data);
    // The pods read the new one; the ring ConfigMap did not change.
    const api = parseYamlObjects(v1.get('ring-canary/ring-canary.yaml')!, 'x').find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!;
    const lockVolume = api.spec.template.spec.volumes.find((v: any) => v.configMap && contentAddressedBase(v.configMap.name) === 'module-lock');
    expect(lockVolume.configMap.name).not.toBe(before);
    expect(names(v1, 'ring-canary/ring-canary.yaml', 'ring-config')).toEqual(names(v0, 'ring-canary/ring-canary.yaml', 'ring-config'));
  });

  test('synthesizing again from its own output changes nothing (same registry + same previous dist/ = same bytes)', () => {
    const v1 = synthWith(withCanaryOrders('1.6.9'), v0);
    expect(synthWith(withCanaryOrders('1.6.9'), v1)).toEqual(v1);
    expect(synthWith(exampleSources(), v0)).toEqual(v0);
  });

  test('only the previous version is kept: a second change prunes the oldest', () => {
    const v1 = synthWith(withCanaryOrders('1.6.9'), v0);
    const v2 = synthWith(withCanaryOrders('1.6.10'), v1);
    const [n0] = names(v0, 'ring-canary/ring-canary.yaml', 'module-lock');
    const n1 = names(v1, 'ring-canary/ring-canary.yaml', 'module-lock').find((n) => n !== n0)!;
    const n2 = names(v2, 'ring-canary/ring-canary.yaml', 'module-lock');
    expect(n2).toHaveLength(2);
    expect(n2).toContain(n1);
    expect(n2).not.toContain(n0);
  });

  test('rolling back to the previous content swaps the two: the rolled-back version stays as the previous one', () => {
    const v1 = synthWith(withCanaryOrders('1.6.9'), v0);
    const back = synthWith(exampleSources(), v1);
    expect(names(back, 'ring-canary/ring-canary.yaml', 'module-lock')).toEqual(names(v1, 'ring-canary/ring-canary.yaml', 'module-lock'));
    const retained = configMaps(back, 'ring-canary/ring-canary.yaml').filter((o) => o.metadata.annotations?.[RETAINED_ANNOTATION]).map((o) => o.metadata.name);
    expect(retained).toEqual(names(v1, 'ring-canary/ring-canary.yaml', 'module-lock').filter((n) => n !== names(v0, 'ring-canary/ring-canary.yaml', 'module-lock')[0]));
  });

  test('retainedConfigMaps: nothing before → nothing kept; the pods\' old version → kept; unrelated names → ignored', () => {
    const a = { name: 'module-lock-aaaaaaaaaa', data: { x: '1' }, retained: false };
    expect(retainedConfigMaps('module-lock', [], 'module-lock-bbbbbbbbbb')).toEqual([]);
    expect(retainedConfigMaps('module-lock', [a], 'module-lock-bbbbbbbbbb')).toEqual([{ ...a, retained: true }]);
    expect(retainedConfigMaps('module-lock', [a], 'module-lock-aaaaaaaaaa')).toEqual([]);
    expect(retainedConfigMaps('module-lock', [{ ...a, name: 'module-lock' }, { ...a, name: 'ring-config-aaaaaaaaaa' }], 'module-lock-bbbbbbbbbb')).toEqual([]);
  });

  test('constructs API: previousConfigMaps on Ring keeps the old lock next to the new one', () => {
    const props = {
      name: 'canary', namespace: 'shop-canary', hostnameSegment: 'canary', domain: 'shop.example',
      home: { namespace: 'shop', sharedServices: [] },
      workload: octaneComponents({ apiImage: 'registry.example/api:1.0.0', modules: 1 }),
    };
    const first = new Ring(new App(), 'r', { ...props, lock: { orders: '1.0.0' } });
    const second = new Ring(new App(), 'r', {
      ...props,
      lock: { orders: { version: '1.0.1', sha256: 'a'.repeat(64) } },
      previousConfigMaps: [{ name: first.lockConfigMapName, data: { 'canary.lock.json': '{}' }, retained: false }],
    });
    expect(second.lockConfigMapName).not.toBe(first.lockConfigMapName);
    const cms = second.toJson().filter((o: any) => o.kind === 'ConfigMap').map((o: any) => o.metadata.name);
    expect(cms).toEqual(expect.arrayContaining([first.lockConfigMapName, second.lockConfigMapName]));
    const lockText = second.toJson().find((o: any) => o.metadata.name === second.lockConfigMapName).data['canary.lock.json'];
    expect(JSON.parse(lockText)).toEqual({ modules: { orders: { version: '1.0.1', sha256: 'a'.repeat(64) } } });
  });

  describe('the shared layer\'s ring data (read by the frontend) keeps its previous version too, whatever the delivery tool', () => {
    const withTenantOn = (tenant: string, ring: string) => {
      const src = exampleSources();
      const text = src.get('tenants.toml')!;
      const re = new RegExp(`^${tenant}\\s*=\\s*"[^"]+"`, 'm');
      expect(text).toMatch(re);
      src.set('tenants.toml', text.replace(re, `${tenant} = "${ring}"`));
      return src;
    };
    const ringData = (files: ReadonlyMap<string, string>) => configMaps(files, 'shared/shared.yaml').filter((o) => contentAddressedBase(o.metadata.name!) === 'ring-data');
    const mounted = (files: ReadonlyMap<string, string>) => {
      const readers = parseYamlObjects(files.get('shared/shared.yaml')!, 'shared').filter((o) => o.kind === 'Deployment');
      return readers.flatMap((d: any) => d.spec.template.spec.volumes ?? []).map((v: any) => v.configMap?.name).filter((n: string | undefined) => n && contentAddressedBase(n) === 'ring-data');
    };

    test('ringDataRetained passes: moving a tenant adds the new ring-data ConfigMap, the frontend mounts it, and the one it read stays, annotated and labelled as not current', () => {
      const [before] = ringData(v0);
      const v1 = synthWith(withTenantOn('acme', 'canary'), v0);
      const after = ringData(v1);
      expect(after.map((o) => o.metadata.name).sort()).toEqual([before.metadata.name, mounted(v1)[0]].sort());
      expect(mounted(v1)).not.toContain(before.metadata.name);
      const kept = after.find((o) => o.metadata.name === before.metadata.name)!;
      expect(kept.immutable).toBe(true);
      expect(kept.data).toEqual(before.data);
      expect(kept.metadata.annotations[RETAINED_ANNOTATION]).toMatch(/^previous version of ring-data/);
      // The label that selects the current ring data selects only the new one.
      expect(after.filter((o) => o.metadata.labels[RING_DATA_LABEL] === 'true').map((o) => o.metadata.name)).toEqual(mounted(v1));
    });

    test('ringDataRetained fails without the previous output: only the new version is written (nothing to keep)', () => {
      const fresh = synthWith(withTenantOn('acme', 'canary'));
      expect(ringData(fresh).map((o) => o.metadata.name)).toEqual(mounted(fresh));
    });

    test('ringDataRetained: the change after next prunes it, and synthesizing again from its own output changes nothing', () => {
      const [n0] = ringData(v0).map((o) => o.metadata.name);
      const v1 = synthWith(withTenantOn('acme', 'canary'), v0);
      const v2 = synthWith(withTenantOn('acme', 'edge'), v1);
      const names2 = ringData(v2).map((o) => o.metadata.name);
      expect(names2).toHaveLength(2);
      expect(names2).not.toContain(n0);
      expect(names2).toContain(mounted(v1)[0]);
      expect(synthWith(withTenantOn('acme', 'edge'), v2)).toEqual(v2);
    });

    test('constructs API: previousConfigMaps on RingData keeps the old version next to the new one', () => {
      const props = { namespace: 'shop', domain: 'shop.example', rings: [], tenants: {} };
      const first = new RingData(new Chart(new App(), 'c'), 'd', props);
      const chart = new Chart(new App(), 'c');
      const canary = { name: 'canary', display_name: 'Canary', description: 'c', manifest_path: 'modules/manifests/canary.lock.json', k8s_namespace: 'shop-canary', k8s_service: 'nginx.shop-canary.svc.cluster.local', hostname_segment: 'canary', promotion_order: 10, is_active: true, is_default: false };
      const second = new RingData(chart, 'd', { ...props, rings: [canary], tenants: { acme: 'canary' }, previousConfigMaps: [{ name: first.configMapName, data: { 'rings.json': '{}' }, retained: false }] });
      expect(second.configMapName).not.toBe(first.configMapName);
      expect(chart.toJson().map((o: any) => o.metadata.name).sort()).toEqual([first.configMapName, second.configMapName].sort());
    });
  });
});
