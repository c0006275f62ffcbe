/** compareObjects / formatComparison and the import's pure helpers, with passing and failing cases. */
import fc from 'fast-check';
import { propertyRuns } from '../../support/property';
import { compareObjects, fieldDiffs, formatComparison } from '../../../src/operate/import/compare-tree';
import { commonDomain, cpuMillicores, memoryMib } from '../../../src/operate/import/map-registry';

const deploy = (name: string, spec: Record<string, unknown>, ns = 'shop') => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec });
const cm = (name: string, data: Record<string, string>, ns = 'shop') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });

describe('compare reasons', () => {
  test('compareTagsHardening: security context, probes, resources, explicit defaults, hardening kinds', () => {
    const a = deploy('api', { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'api:1' }] } } });
    const b = deploy('api', {
      replicas: 2,
      template: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'api', image: 'api:1', imagePullPolicy: 'IfNotPresent', readinessProbe: { httpGet: { path: '/' } }, resources: { limits: { cpu: '1' } } }] } },
    });
    expect(fieldDiffs('Deployment', a, b).map((f) => [f.op, f.path, f.reason])).toEqual([
      ['+', 'spec.template.spec.containers[name=api].imagePullPolicy', 'hardening'],
      ['+', 'spec.template.spec.containers[name=api].readinessProbe', 'hardening'],
      ['+', 'spec.template.spec.containers[name=api].resources', 'hardening'],
      ['+', 'spec.template.spec.securityContext', 'hardening'],
    ]);
    const c = compareObjects([], [{ kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' } }]);
    expect(c.objects).toEqual([{ op: '+', key: 'NetworkPolicy shop/deny', reason: 'hardening', fields: [] }]);
  });

  test('compareTagsNaming: labels, selectors, renamed objects', () => {
    const c = compareObjects([cm('nginx-conf', { 'default.conf': 'x' })], [{ ...cm('nginx-config', { 'default.conf': 'x' }), metadata: { name: 'nginx-config', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'nginx-config' } } }]);
    expect(c.objects).toEqual([{ op: '~', key: 'ConfigMap shop/nginx-config', renamedFrom: 'nginx-conf', fields: [{ op: '+', path: 'metadata.labels', reason: 'naming' }] }]);
    expect(c.counts).toEqual({ hardening: 0, naming: 2, values: 0 });
  });

  test('compareTagsValues: replicas, images, settings; a removed list item names itself', () => {
    const a = deploy('api', { replicas: 3, template: { spec: { containers: [{ name: 'api', image: 'api:1', envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 's' } }] }] } } });
    const b = deploy('api', { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'api:2', envFrom: [{ secretRef: { name: 's' } }] }] } } });
    expect(fieldDiffs('Deployment', a, b)).toEqual([
      { op: '~', path: 'spec.replicas', reason: 'values', from: '3', to: '2' },
      { op: '-', path: 'spec.template.spec.containers[name=api].envFrom[{"configMapRef":{"name":"a"}}]', reason: 'values' },
      { op: '~', path: 'spec.template.spec.containers[name=api].image', reason: 'values', from: '"api:1"', to: '"api:2"' },
    ]);
  });

  test('compareNeverShowsSecrets: Secret values and secret-looking strings', () => {
    const token = 'Zq8RkP2mWx7Ln4Vb9Tc3Hy6Jd1Fs5Ga0Ue';
    const sec = (v: string) => ({ kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, data: { key: v } });
    const out = formatComparison(compareObjects([sec('c2VjcmV0')], [sec('b3RoZXI=')]), 'k8s', 'dist');
    expect(out).toContain('~ data.key: (not shown) → (not shown)  [values]');
    expect(out).not.toMatch(/c2VjcmV0|b3RoZXI=/);
    const out2 = formatComparison(compareObjects([cm('c', { X: token })], [cm('c', { X: 'plain' })]), 'k8s', 'dist');
    expect(out2).toContain('~ data.X: (not shown) → "plain"  [values]');
    expect(out2).not.toContain(token);
  });

  test('the summary line, and no differences at all', () => {
    const same = compareObjects([cm('a', { k: '1' })], [cm('a', { k: '1' })]);
    expect(formatComparison(same, 'k8s', 'dist')).toBe('comparing k8s (1 objects) with dist (1 objects)\ndist matches k8s: 1 objects the same\n');
    const diff = compareObjects([cm('a', { k: '1' })], [cm('a', { k: '2' }), cm('b', {})]);
    expect(formatComparison(diff, 'k8s', 'dist').split('\n').slice(-2)[0]).toBe('1 objects added, 0 removed, 1 changed, 0 the same; by reason: values 2, naming 0, hardening 0');
    expect(formatComparison(diff, 'k8s', 'dist', { only: ['hardening'] })).not.toContain('~ ConfigMap');
  });

  test('compareIsEmptyOnIdenticalInput (property): any objects compared with themselves differ nowhere', () => {
    const object = fc.record({
      kind: fc.constantFrom('ConfigMap', 'Deployment', 'Service', 'NetworkPolicy'),
      metadata: fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), namespace: fc.constantFrom('a', 'b') }),
      spec: fc.jsonValue({ maxDepth: 3 }),
    });
    fc.assert(
      fc.property(fc.array(object, { maxLength: 8 }), (objs) => {
        const c = compareObjects(objs, JSON.parse(JSON.stringify(objs)));
        return c.objects.length === 0 && c.counts.values + c.counts.naming + c.counts.hardening === 0;
      }),
      propertyRuns(100),
    );
  });

  test('compareCountsEveryDifference (property): a changed scalar is one values field, whatever the object', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,8}$/), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 51, max: 99 }), (name, r1, r2) => {
        const c = compareObjects([deploy(name, { replicas: r1 })], [deploy(name, { replicas: r2 })]);
        return c.counts.values === 1 && c.objects.length === 1 && c.objects[0].fields[0].path === 'spec.replicas';
      }),
      propertyRuns(100),
    );
  });
});

describe('import helpers', () => {
  test('commonDomain: the shared suffix of every host, at least two labels', () => {
    expect(commonDomain(['acme.stable.acme.io', 'acme.acme.io', '*.canary.acme.io'])).toBe('acme.io');
    expect(commonDomain(['a.shop.example.com', 'b.shop.example.com'])).toBe('shop.example.com');
    expect(commonDomain(['a.example.com', 'b.example.org'])).toBeUndefined();
    expect(commonDomain([])).toBeUndefined();
  });
  test('cpuMillicores and memoryMib: plain quantities only', () => {
    expect([cpuMillicores('250m'), cpuMillicores('2'), cpuMillicores('1.5'), cpuMillicores(0.5), cpuMillicores('2Gi')]).toEqual([250, 2000, 1500, 500, undefined]);
    expect([memoryMib('1536Mi'), memoryMib('1Gi'), memoryMib('512M'), memoryMib(5)]).toEqual([1536, 1024, undefined, undefined]);
  });
});
