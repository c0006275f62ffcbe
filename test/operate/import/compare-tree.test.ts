/** compareObjects / formatComparison and the import's pure helpers, with passing and failing cases. */
import fc from 'fast-check';
import { propertyRuns } from '../../support/property';
import { compareObjects, fieldDiffs, formatComparison, parseQuantity, sameQuantity } from '../../../src/operate/import/compare-tree';
import { commonDomain, cpuMillicores, memoryMib } from '../../../src/operate/import/map-registry';

const deploy = (name: string, spec: Record<string, unknown>, ns = 'shop') => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec });
const cm = (name: string, data: Record<string, string>, ns = 'shop') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });

describe('compare reasons', () => {
  test('compareTagsHardening: security context, explicit defaults, hardening kinds (probes and resources are values)', () => {
    const a = deploy('api', { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'api:1' }] } } });
    const b = deploy('api', {
      replicas: 2,
      template: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'api', image: 'api:1', imagePullPolicy: 'IfNotPresent', readinessProbe: { httpGet: { path: '/' } }, resources: { limits: { cpu: '1' } } }] } },
    });
    expect(fieldDiffs('Deployment', a, b).map((f) => [f.op, f.path, f.reason])).toEqual([
      ['+', 'spec.template.spec.containers[name=api].imagePullPolicy', 'hardening'],
      ['+', 'spec.template.spec.containers[name=api].readinessProbe', 'values'],
      ['+', 'spec.template.spec.containers[name=api].resources', 'values'],
      ['+', 'spec.template.spec.securityContext', 'hardening'],
    ]);
    // Scratch volumes added whole (a read-only root filesystem's emptyDirs) are hardening; any other volume is a value.
    const vols = (volumes: unknown[]) => deploy('api', { template: { spec: { volumes } } });
    expect(fieldDiffs('Deployment', vols([]), vols([{ name: 'tmp', emptyDir: {} }])).map((f) => f.reason)).toEqual(['hardening']);
    expect(fieldDiffs('Deployment', deploy('api', { template: { spec: {} } }), vols([{ name: 'tmp', emptyDir: {} }])).map((f) => f.reason)).toEqual(['hardening']);
    expect(fieldDiffs('Deployment', deploy('api', { template: { spec: {} } }), vols([{ name: 'tmp', emptyDir: {} }, { name: 'lock', configMap: { name: 'lock' } }])).map((f) => f.reason)).toEqual(['values']);
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

describe('compare rules of issue 20 §5', () => {
  const withLimits = (memory: string, cpu: string | number, probe = '/health') =>
    deploy('api', {
      template: {
        spec: {
          containers: [{ name: 'api', image: 'api:1', resources: { limits: { memory, cpu }, requests: { memory: '256Mi', cpu: '100m' } }, livenessProbe: { httpGet: { path: probe, port: 8000 }, periodSeconds: 10 } }],
        },
      },
    });

  test('compareTreatsResourcesAndProbesAsValues: --only values shows a memory limit cut (512Mi → 384Mi) and a probe change', () => {
    const out = formatComparison(compareObjects([withLimits('512Mi', '1')], [withLimits('384Mi', '1', '/ready')]), 'k8s', 'dist', { only: ['values'] });
    expect(out).toContain('    ~ spec.template.spec.containers[name=api].resources.limits.memory: "512Mi" → "384Mi"  [values]\n');
    expect(out).toContain('    ~ spec.template.spec.containers[name=api].livenessProbe.httpGet.path: "/health" → "/ready"  [values]\n');
    // Failing case: what is hardening stays hidden under --only values.
    const hardening = deploy('api', { template: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'api', image: 'api:1' }] } } });
    const plain = deploy('api', { template: { spec: { containers: [{ name: 'api', image: 'api:1' }] } } });
    const c = compareObjects([plain], [hardening]);
    expect(c.counts).toEqual({ hardening: 1, naming: 0, values: 0 });
    expect(formatComparison(c, 'k8s', 'dist', { only: ['values'] })).not.toContain('securityContext');
  });

  test('compareQuantitiesByValue: 1 equals 1000m, 512Mi equals 536870912; 1 and 1001m differ', () => {
    expect(compareObjects([withLimits('512Mi', '1')], [withLimits('536870912', '1000m')]).objects).toEqual([]);
    expect(compareObjects([withLimits('0.5Gi', 1)], [withLimits('512Mi', '1')]).objects).toEqual([]);
    expect(compareObjects([withLimits('1e3', '1')], [withLimits('1k', 1)]).objects).toEqual([]);
    const differ = compareObjects([withLimits('512Mi', '1')], [withLimits('512M', '1001m')]);
    expect(differ.objects[0].fields.map((f) => [f.path.replace(/.*resources\./, ''), f.from, f.to])).toEqual([
      ['limits.cpu', '"1"', '"1001m"'],
      ['limits.memory', '"512Mi"', '"512M"'],
    ]);
    // Only quantity fields compare by value: an image tag "1" is not "1000m".
    expect(fieldDiffs('ConfigMap', { data: { X: '1' } }, { data: { X: '1000m' } })).toHaveLength(1);
  });

  test('parseQuantity: the API server\'s grammar, exactly', () => {
    const v = (q: unknown) => {
      const x = parseQuantity(q);
      return x === undefined ? undefined : Number(x.num) / Number(x.den);
    };
    expect([v('250m'), v('2'), v('1.5'), v(0.5), v('.5'), v('1Ki'), v('1E'), v('2e-3'), v('-1'), v('100n')]).toEqual([0.25, 2, 1.5, 0.5, 0.5, 1024, 1e18, 0.002, -1, 1e-7]);
    expect([v('1e'), v('Mi'), v('1 Mi'), v('1.2.3'), v(''), v(null), v('1mi')]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(sameQuantity('1', '1000m')).toBe(true);
    expect(sameQuantity('1', '1001m')).toBe(false);
    expect(sameQuantity('1Mi', '1M')).toBe(false);
  });

  test('compareQuantitiesByValue (property): a CPU amount equals itself in millicores, any other amount differs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 999 }), (cores, delta) => {
        const same = compareObjects([withLimits('1Gi', String(cores))], [withLimits('1024Mi', `${cores * 1000}m`)]).objects.length === 0;
        const other = compareObjects([withLimits('1Gi', String(cores))], [withLimits('1Gi', `${cores * 1000 + delta}m`)]).counts.values === 1;
        return same && other;
      }),
      propertyRuns(100),
    );
  });

  test('compareNeverCutsChangesAlike: long values and list items read differently on the old and new side', () => {
    const ingress = (secretName: string) => ({
      kind: 'Ingress',
      metadata: { name: 'tenants', namespace: 'shop' },
      spec: { tls: [{ hosts: ['*.canary.shop.example.com', '*.shop.example.com'], secretName }] },
    });
    const out = formatComparison(compareObjects([ingress('wildcard-canary-tls')], [ingress('wildcard-canary-tls-2')]), 'k8s', 'dist');
    const lines = out.split('\n').filter((l) => /^    [-+] spec\.tls/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].replace(/^    -/, '')).not.toBe(lines[1].replace(/^    \+/, ''));
    expect(lines[0]).toContain('wildcard-canary-tls"');
    expect(lines[1]).toContain('wildcard-canary-tls-2"');
    // A long text of the same length on both sides shows where each differs.
    const conf = (port: number) => cm('nginx', { 'default.conf': `server {\n  listen ${port};\n${'  location / { try_files $uri /index.php; }\n'.repeat(4)}}\n` });
    const c = compareObjects([conf(8080)], [conf(9090)]);
    const f = c.objects[0].fields[0];
    expect(f.from).not.toBe(f.to);
    expect(f.from).toMatch(/^\(\d+ characters\) at 19: …?.*listen 8080/);
    expect(f.to).toMatch(/listen 9090/);
    // Two lists of the same length.
    const args = (x: string) => deploy('redis', { template: { spec: { containers: [{ name: 'redis', image: 'redis:7', args: ['--save', '', '--appendonly', 'no', '--maxmemory', x, '--maxmemory-policy', 'noeviction'] }] } } });
    const l = compareObjects([args('256mb')], [args('512mb')]).objects[0].fields[0];
    expect(l.from).not.toBe(l.to);
    expect(l.to).toContain('512mb');
    // Failing case: values short enough are shown whole, without a position.
    const short = fieldDiffs('ConfigMap', { data: { X: 'a' } }, { data: { X: 'b' } })[0];
    expect([short.from, short.to]).toEqual(['"a"', '"b"']);
  });
});

describe('import helpers', () => {
  test('commonDomain: the shared suffix of every host, at least two labels', () => {
    expect(commonDomain(['acme.stable.acme.io', 'acme.acme.io', '*.canary.acme.io'])).toBe('acme.io');
    expect(commonDomain(['a.shop.example.com', 'b.shop.example.com'])).toBe('shop.example.com');
    expect(commonDomain(['a.example.com', 'b.example.org'])).toBeUndefined();
    expect(commonDomain([])).toBeUndefined();
  });
  test('cpuMillicores and memoryMib: any spelling of a whole number of millicores or MiB, by value', () => {
    expect([cpuMillicores('250m'), cpuMillicores('2'), cpuMillicores('1.5'), cpuMillicores(0.5), cpuMillicores('1000m'), cpuMillicores('2e-1')]).toEqual([250, 2000, 1500, 500, 1000, 200]);
    expect([cpuMillicores('2Gi'), cpuMillicores('0.0005'), cpuMillicores('0'), cpuMillicores('abc')]).toEqual([undefined, undefined, undefined, undefined]);
    expect([memoryMib('1536Mi'), memoryMib('1Gi'), memoryMib('536870912'), memoryMib(1048576), memoryMib('0.5Gi')]).toEqual([1536, 1024, 512, 1, 512]);
    expect([memoryMib('512M'), memoryMib(5), memoryMib('1.5Mi'), memoryMib('0Mi')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
