/**
 * `[[patches]]`: RFC 6902 and strategic merge, applied after rendering, then validated like
 * everything else (strict schema, Pod Security restricted, the guarantees); a patch that breaks one
 * is refused at its location, by synth and by check alike.
 */
import { checkPlan } from '../../src/render/pipeline';
import { applyJsonPatch, applyStrategicMerge } from '../../src/render/patches';
import { RegistryError } from '../../src/registry/errors';
import { synthesize } from '../../src/render/synth';
import { exampleSources, planOf } from '../support/registry-fixture';

const doc = () => ({ a: { b: [1, 2, 3], c: 'x' } });

describe('applyJsonPatch (RFC 6902)', () => {
  test('add, remove, replace, move, copy, test; the input is not changed', () => {
    const d = doc();
    const out = applyJsonPatch(d, [
      { op: 'add', path: '/a/b/-', value: 4 },
      { op: 'add', path: '/a/b/0', value: 0 },
      { op: 'remove', path: '/a/b/1' },
      { op: 'replace', path: '/a/c', value: 'y' },
      { op: 'copy', from: '/a/c', path: '/a/d' },
      { op: 'move', from: '/a/d', path: '/e~1f' },
      { op: 'test', path: '/a/c', value: 'y' },
    ]);
    expect(out).toEqual({ a: { b: [0, 2, 3, 4], c: 'y' }, 'e/f': 'y' });
    expect(d).toEqual(doc());
  });
  test('a missing path, a failed test, an index out of range are errors naming the operation', () => {
    expect(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/a/z' }])).toThrow('json_patch.0: path "/a/z" does not exist');
    expect(() => applyJsonPatch(doc(), [{ op: 'add', path: '/a/c', value: 1 }, { op: 'test', path: '/a/c', value: 2 }])).toThrow('json_patch.1: test failed');
    expect(() => applyJsonPatch(doc(), [{ op: 'add', path: '/a/b/9', value: 1 }])).toThrow('index 9 is out of range');
  });
});

describe('applyStrategicMerge', () => {
  const pod = { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }], args: ['p'] }, { name: 'b' }], tolerations: [{ key: 'k' }] } };
  test('maps merge; containers and env merge by name; other lists are replaced', () => {
    expect(applyStrategicMerge(pod, { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }], args: ['q'] }], tolerations: [{ key: 'n' }] } })).toEqual({
      spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], args: ['q'] }, { name: 'b' }], tolerations: [{ key: 'n' }] },
    });
  });
  test('$patch: delete removes a list item or a key; $patch: replace replaces a map', () => {
    expect(applyStrategicMerge(pod, { spec: { containers: [{ name: 'b', $patch: 'delete' }], tolerations: { $patch: 'delete' } } })).toEqual({
      spec: { containers: [pod.spec.containers[0]] },
    });
    expect(applyStrategicMerge({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } })).toEqual({ m: { c: 3 } });
    expect(() => applyStrategicMerge(pod, { spec: { $patch: 'merge' } })).toThrow('unknown $patch directive');
  });
});

const PATCH = (body: string) => {
  const s = exampleSources();
  s.set('platform.toml', s.get('platform.toml')!.replace('[app_settings]', `[[patches]]\n${body}\n\n[app_settings]`));
  return planOf(s);
};
const linesOf = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof RegistryError) return e.lines();
    throw e;
  }
  throw new Error('expected a RegistryError');
};
describe('patches in synth', () => {
  test('a strategic merge adds env to one shared service; the output stays sorted and valid', () => {
    const plan = PATCH('kind = "Deployment"\nname = "indian-post"\nstrategic_merge = { spec = { template = { spec = { containers = [{ name = "indian-post", env = [{ name = "TZ", value = "Asia/Kolkata" }] }] } } } }');
    const out = synthesize(plan);
    const shared = out.charts.find((c) => c.unit === 'shared')!;
    const d = shared.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'indian-post')!;
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'TZ', value: 'Asia/Kolkata' }]);
    expect(Object.keys(d.spec.template.spec.containers[0])).toEqual([...Object.keys(d.spec.template.spec.containers[0])].sort());
    expect(shared.yaml).toContain('value: Asia/Kolkata');
    expect(() => checkPlan(plan)).not.toThrow();
  });
  test('a JSON patch scoped to one ring changes only that ring', () => {
    const out = synthesize(PATCH('kind = "Deployment"\nname = "api"\nring = "edge"\njson_patch = [{ op = "add", path = "/spec/template/spec/hostname", value = "edge-api" }]'));
    const api = (file: string) => out.charts.find((c) => c.unit === file)!.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!;
    expect(api('ring-edge').spec.template.spec.hostname).toBe('edge-api');
    expect(api('ring-canary').spec.template.spec.hostname).toBeUndefined();
  });
  test('a patch that makes a pod violate restricted is refused with its location, by synth and by check', () => {
    const plan = PATCH('kind = "Deployment"\nname = "api"\nring = "canary"\njson_patch = [{ op = "replace", path = "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation", value = true }]');
    const expected = ['rings/platform.toml: patches.0: expected Deployment/autocom-canary/api to stay Pod Security "restricted" after the patch, got allowPrivilegeEscalation != false: containers "api" must set securityContext.allowPrivilegeEscalation=false'];
    expect(linesOf(() => synthesize(plan))).toEqual(expected);
    expect(linesOf(() => checkPlan(plan))).toEqual(expected);
  });
  test('a patch that breaks the strict schema is refused, for every object it matched (without ring: every chart)', () => {
    const line = (ns: string) => `rings/platform.toml: patches.0: expected Service/${ns}/redis to stay valid against the Kubernetes 1.29 schema after the patch, got /spec must NOT have additional properties (additionalProperty: "typo")`;
    // The shared layer's redis and the ExternalName alias of it in each non-home ring.
    expect(linesOf(() => synthesize(PATCH('kind = "Service"\nname = "redis"\njson_patch = [{ op = "add", path = "/spec/typo", value = 1 }]')))).toEqual(
      ['autocom', 'autocom-edge', 'autocom-canary', 'autocom-experimental'].map(line),
    );
  });
  test('a patch that switches a guarantee off is refused (no silent opt-out)', () => {
    expect(linesOf(() => synthesize(PATCH('kind = "PodDisruptionBudget"\nname = "api"\nring = "edge"\njson_patch = [{ op = "remove", path = "/spec/unhealthyPodEvictionPolicy" }]')))).toEqual([
      'rings/platform.toml: patches.0: expected the patch to keep every guarantee, got budgetsSelectExactlyTheirPods: PodDisruptionBudget/autocom-edge/api: unhealthyPodEvictionPolicy is null, expected "AlwaysAllow" (a crash-looping pod must not block drains)',
    ]);
  });
  test('a patch that matches nothing, or fails to apply, or renames its object is refused', () => {
    expect(linesOf(() => synthesize(PATCH('kind = "Deployment"\nname = "nope"\njson_patch = []')))).toEqual(['rings/platform.toml: patches.0: expected a Deployment named "nope" to patch, found none']);
    expect(linesOf(() => synthesize(PATCH('kind = "Deployment"\nname = "redis"\njson_patch = [{ op = "remove", path = "/spec/nothing" }]')))).toEqual([
      'rings/platform.toml: patches.0: expected a patch that applies to Deployment/autocom/redis, got: json_patch.0: path "/spec/nothing" does not exist',
    ]);
    expect(linesOf(() => synthesize(PATCH('kind = "Deployment"\nname = "redis"\njson_patch = [{ op = "replace", path = "/metadata/name", value = "other" }]')))).toEqual([
      "rings/platform.toml: patches.0: expected a patch that keeps Deployment/autocom/redis's apiVersion, kind, name and namespace, got one that changes them",
    ]);
  });
});
