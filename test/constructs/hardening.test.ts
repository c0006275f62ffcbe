/**
 * Issue 11 through the constructs' API (no registry): the shared layer's NetworkPolicies, redis,
 * spread and budgets, ephemeral storage, the Laravel init container and the escape hatches; each
 * with the case the constructs refuse.
 */
import { Testing } from 'cdk8s';
import { ComponentSpec, octaneComponents, Ring, RING_NAMESPACE_LABEL, SharedLayer } from '../../constructs';
import { checkGuarantees } from '../../src/checks/guarantees';
import { schemaViolationsOfObjects } from '../support/gate';

const redisService = { name: 'redis', image: 'redis:7.4.1-alpine', port: 6379, runAsUser: 999 };
const sharedOut = (props: Partial<ConstructorParameters<typeof SharedLayer>[2]> = {}) => {
  const app = Testing.app();
  const chart = new SharedLayer(app, 'shared', {
    namespace: 'shop',
    domain: 'shop.example',
    partOf: 'shop',
    services: [redisService, { name: 'web', image: 'registry.example/web:1.0.0', port: 3000, replicas: 2, host: 'app', internetPorts: [443] }],
    redis: { service: 'redis', passwordSecret: 'redis-auth' },
    ...props,
  });
  return Testing.synth(chart);
};
const of = (out: any[], kind: string, name: string) => out.find((o) => o.kind === kind && o.metadata.name === name);

describe('SharedLayer NetworkPolicies', () => {
  const out = sharedOut({ networkPolicies: { external: [{ name: 'db', port: 5432, podSelector: { app: 'db' } }, { name: 'blob', port: 9000 }], dns: { nodeLocalAddress: '169.254.20.10' } } });
  test('default deny selects exactly the shared-layer pods (not the home ring\'s, which carry a ring label)', () => {
    expect(of(out, 'NetworkPolicy', 'shared-default-deny').spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['redis', 'web'] }, { key: 'ring', operator: 'DoesNotExist' }] },
      policyTypes: ['Ingress', 'Egress'],
    });
  });
  test('each service admits api/horizon of every ring namespace (by label) on its own port; the public one also the controller', () => {
    const clients = {
      namespaceSelector: { matchLabels: { [RING_NAMESPACE_LABEL]: 'shop' } },
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api', 'horizon'] }, { key: 'ring', operator: 'Exists' }] },
    };
    const redis = of(out, 'NetworkPolicy', 'shared-allow-redis').spec;
    expect(redis.ingress).toEqual([{ from: [clients], ports: [{ protocol: 'TCP', port: 6379 }] }]);
    expect(redis.policyTypes).toEqual(['Ingress']); // no egress beyond DNS
    const web = of(out, 'NetworkPolicy', 'shared-allow-web').spec;
    expect(web.ingress[1]).toEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 3000 }] });
    expect(web.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });
  test('DNS with NodeLocal DNSCache; an external service only with a pod selector', () => {
    expect(of(out, 'NetworkPolicy', 'shared-allow-dns').spec.egress[0].to[1]).toEqual({ ipBlock: { cidr: '169.254.20.10/32' } });
    expect(of(out, 'NetworkPolicy', 'shared-allow-db').spec).toMatchObject({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    expect(of(out, 'NetworkPolicy', 'shared-allow-blob')).toBeUndefined();
  });
  test('a ring Namespace carries the label the shared layer admits by (a ring added later needs no policy edit)', () => {
    const ring = Testing.synth(new Ring(Testing.app(), 'r', { name: 'later', namespace: 'shop-later', hostnameSegment: 'later', domain: 'shop.example', partOf: 'shop', home: { namespace: 'shop', sharedServices: [] }, workload: octaneComponents({ apiImage: 'registry.example/api:1.0.0' }) }));
    expect(of(ring, 'Namespace', 'shop-later').metadata.labels[RING_NAMESPACE_LABEL]).toBe('shop');
  });
  test('the output is schema-valid and keeps every guarantee', () => {
    expect(schemaViolationsOfObjects(out)).toEqual([]);
    expect(checkGuarantees(out)).toEqual([]);
  });
});

describe('redis', () => {
  test('password from the Secret by name, through Kubernetes env expansion (no shell); AOF on a PVC; Recreate; minAvailable 1', () => {
    const out = sharedOut();
    const d = of(out, 'Deployment', 'redis');
    const c = d.spec.template.spec.containers[0];
    expect(c.env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } }]);
    expect(c.args).toEqual(['--requirepass', '$(REDIS_PASSWORD)', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', '/data']);
    expect(c.command).toBeUndefined();
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'data-redis-data', persistentVolumeClaim: { claimName: 'redis-data' } });
    expect(of(out, 'PersistentVolumeClaim', 'redis-data').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } });
    expect(of(out, 'PodDisruptionBudget', 'redis').spec).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });
  test('persistence "none": no volume, appendonly no; args repeating a managed flag are refused', () => {
    const out = sharedOut({ redis: { service: 'redis', passwordSecret: 'redis-auth', persistence: { mode: 'none' } } });
    expect(of(out, 'Deployment', 'redis').spec.template.spec.containers[0].args).toEqual(['--requirepass', '$(REDIS_PASSWORD)', '--appendonly', 'no', '--save', '']);
    expect(of(out, 'PersistentVolumeClaim', 'redis-data')).toBeUndefined();
    expect(() => sharedOut({ services: [{ ...redisService, args: ['--appendonly', 'no'] }] })).toThrow('redis: args repeat --appendonly, which the shared layer sets from the redis settings');
  });
  test('ring pods read REDIS_PASSWORD from the same Secret, which joins the secrets synced into the ring', () => {
    const ring = Testing.synth(new Ring(Testing.app(), 'r', {
      name: 'canary', namespace: 'shop-canary', hostnameSegment: 'canary', domain: 'shop.example', partOf: 'shop',
      home: { namespace: 'shop', sharedServices: [{ name: 'redis', port: 6379 }] },
      workload: octaneComponents({ apiImage: 'registry.example/api:1.0.0', secretEnv: [{ name: 'REDIS_PASSWORD', secret: 'redis-auth', key: 'password' }] }),
      secretSync: { mode: 'external-secrets' },
    }));
    for (const n of ['api', 'horizon']) expect(of(ring, 'Deployment', n).spec.template.spec.containers[0].env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } }]);
    expect(of(ring, 'ExternalSecret', 'redis-auth')).toBeDefined();
  });
});

const base: ComponentSpec = { name: 'web', image: 'registry.example/web:1.0.0', replicas: 2, port: 8080, cpuRequestMillicores: 100, cpuLimitMillicores: 200, memoryRequestMib: 64, memoryLimitMib: 128, probe: { kind: 'tcp', port: 8080 } };
const workload = (c: Partial<ComponentSpec>) => {
  const ring = new Ring(Testing.app(), 'r', { name: 'edge', namespace: 'shop-edge', hostnameSegment: 'edge', domain: 'shop.example', home: { namespace: 'shop', sharedServices: [] }, workload: [{ ...base, ...c }] });
  return Testing.synth(ring);
};

describe('availability and resources', () => {
  test('≥ 2 replicas: spread over zone and hostname (ScheduleAnyway, configurable) and a budget; 1 replica: neither', () => {
    const two = of(workload({ spreadWhenUnsatisfiable: 'DoNotSchedule' }), 'Deployment', 'web').spec.template.spec;
    expect(two.topologySpreadConstraints).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
      maxSkew: 1, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web', ring: 'edge' } }, matchLabelKeys: ['pod-template-hash'],
    })));
    const one = workload({ replicas: 1 });
    expect(of(one, 'Deployment', 'web').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(of(one, 'PodDisruptionBudget', 'web')).toBeUndefined();
    expect(() => workload({ disruptionBudget: false })).toThrow('component web: disruptionBudget: expected a PodDisruptionBudget (every component of ≥ 2 replicas has one), got false for 2 replicas');
  });
  test('ephemeral storage on every container and a sizeLimit on every emptyDir, defaults and overrides', () => {
    const d = of(workload({ writablePaths: ['/tmp', '/cache'], writableSizeLimitsMib: { '/cache': 1024 } }), 'Deployment', 'web').spec.template.spec;
    expect(d.volumes.map((v: any) => v.emptyDir.sizeLimit)).toEqual(['256Mi', '1024Mi']);
    expect(d.containers[0].resources).toMatchObject({ requests: { 'ephemeral-storage': '256Mi' }, limits: { 'ephemeral-storage': '1792Mi' } });
    expect(() => workload({ ephemeralStorageLimitMib: 100 })).toThrow("component web: ephemeralStorageLimitMib: expected at least 256 (the size limits of the writable path: the pod is evicted past its limit), got 100");
  });
  test('the quota counts ephemeral storage', () => {
    const hard = of(workload({}), 'ResourceQuota', 'ring-quota').spec.hard;
    // 2 × 2 replicas + 1 surge = 5 pods (replaced pods still terminating) × 256Mi request / 768Mi limit, + 10 %.
    expect([hard['requests.ephemeral-storage'], hard['limits.ephemeral-storage']]).toEqual(['1408Mi', '4224Mi']);
  });
});

describe('Laravel writable paths', () => {
  test('api and horizon recreate storage/framework/{cache,sessions,views} and storage/logs in an init container (mkdir, same image and user)', () => {
    const [api] = octaneComponents({ apiImage: 'registry.example/api:1.0.0' });
    const out = workload(api);
    const init = of(out, 'Deployment', 'api').spec.template.spec.initContainers[0];
    expect(init.command).toEqual(['mkdir', '-p', '/app/storage/app/public', '/app/storage/framework/cache/data', '/app/storage/framework/sessions', '/app/storage/framework/testing', '/app/storage/framework/views', '/app/storage/logs']);
    expect(init.image).toBe('registry.example/api:1.0.0');
    expect(init.securityContext).toEqual(of(out, 'Deployment', 'api').spec.template.spec.containers[0].securityContext);
    expect(init.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/app/storage', '/app/bootstrap/cache']);
    expect(checkGuarantees(out)).toEqual([]);
  });
  test('a folder outside the writable paths is refused (the root filesystem is read-only)', () => {
    expect(() => workload({ initDirectories: ['/var/log/app'] })).toThrow('component web: initDirectories.0: expected a folder inside a writable path (/tmp; the root filesystem is read-only), got "/var/log/app"');
  });
});

describe('escape hatches', () => {
  test('node selector, tolerations, affinity, priority class, labels, pod annotations, env', () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['a'] }] }] } } };
    const out = workload({ nodeSelector: { pool: 'a' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'a', effect: 'NoSchedule' }], affinity, priorityClassName: 'high', labels: { team: 'x' }, podAnnotations: { 'a.io/b': 'c' }, env: { TZ: 'UTC' } });
    const d = of(out, 'Deployment', 'web');
    const p = d.spec.template.spec;
    expect([p.nodeSelector, p.tolerations[0].key, p.affinity, p.priorityClassName]).toEqual([{ pool: 'a' }, 'dedicated', affinity, 'high']);
    expect([d.metadata.labels.team, d.spec.template.metadata.labels.team, d.spec.selector.matchLabels.team]).toEqual(['x', 'x', undefined]);
    expect(d.spec.template.metadata.annotations['a.io/b']).toBe('c');
    expect(p.containers[0].env).toEqual([{ name: 'TZ', value: 'UTC' }]);
    expect(schemaViolationsOfObjects(out)).toEqual([]);
  });
  test('a secret-looking env value and a selector label are refused', () => {
    expect(() => workload({ env: { DB_PASSWORD: 'x' } })).toThrow('component web: env.DB_PASSWORD: expected a non-secret value, got what looks like a secret (value not shown)');
    expect(() => workload({ labels: { ring: 'other' } })).toThrow('component web: labels.ring: expected a label the library does not set');
  });
});
