/**
 * The comparison behind `rings verify`, on snapshots recorded from a real Kubernetes 1.29 control plane
 * (test/fixtures/verify/, captured by the cluster test's scenarios: healthy, a Deployment scaled to 0,
 * a pod falling back to stable's ring ConfigMap, a rollout stuck on an unschedulable pod), plus
 * single-field edits of the healthy snapshot for what KWOK cannot produce (crash loops, ESO not Ready).
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { propertyRuns } from '../../support/property';
import { configMapRefs, resolveEnv, RingExpectation, secretRefs, verifyRing } from '../../../src/operate/verify/verify-ring';
import { ringExpectations } from '../../../src/operate/verify/expected';
import { Finding, formatFinding, sortFindings } from '../../../src/operate/verify/findings';
import { ClusterSnapshot, Obj } from '../../../src/operate/verify/snapshot';

const FIX = path.join(__dirname, '..', '..', 'fixtures', 'verify');
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(FIX, f), 'utf8'));
const expected = load('expected.json');
const healthy: ClusterSnapshot = load('healthy.json');
const expectations: RingExpectation[] = ringExpectations(expected.rings, expected.homeNamespace, expected.objects);
const exp = (ring: string) => expectations.find((e) => e.ring === ring)!;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** The healthy snapshot with one namespace replaced by a recorded one. */
const withRecorded = (file: string): ClusterSnapshot => {
  const rec = load(file);
  return { ...healthy, namespaces: { ...healthy.namespaces, ...rec.namespaces } };
};
const lines = (ring: string, snap: ClusterSnapshot, maxRestarts = 3) => sortFindings(verifyRing(exp(ring), snap, { maxRestarts }).findings).map(formatFinding);
const allLines = (snap: ClusterSnapshot) => expectations.flatMap((e) => lines(e.ring, snap));

describe('a cluster that runs what the registry says passes every check', () => {
  test('healthy snapshot: no finding in any ring', () => expect(allLines(healthy)).toEqual([]));
  test('observes the lock checksum dist/ has and one pod-template-hash per Deployment', () => {
    const { observed } = verifyRing(exp('canary'), healthy, { maxRestarts: 3 });
    const want = expected.objects.find((o: Obj) => o.kind === 'Deployment' && o.metadata.namespace === 'autocom-canary' && o.metadata.name === 'api').spec.template.metadata.annotations['rings.cdk8s.io/lock-checksum'];
    expect(observed.lockChecksums).toEqual([want]);
    expect(Object.keys(observed.podTemplateHashes).sort()).toEqual(['api', 'horizon', 'nginx']);
    for (const h of Object.values(observed.podTemplateHashes)) expect(h).toHaveLength(1);
  });
});

describe('deployment: every Deployment of the ring exists', () => {
  test('passes when present', () => expect(lines('edge', healthy).filter((l) => l.includes('[deployment]'))).toEqual([]));
  test('fails when one is deleted', () => {
    const s = clone(healthy);
    (s.namespaces['autocom-edge'] as any).deployments = s.namespaces['autocom-edge'].deployments.filter((d) => d.metadata.name !== 'horizon');
    expect(lines('edge', s)).toContain('edge: [deployment] Deployment autocom-edge/horizon: missing');
  });
  test('fails once, naming the namespace, when the whole ring is missing', () => {
    const s = clone(healthy);
    delete (s.namespaces as any)['autocom-edge'];
    expect(lines('edge', s)).toEqual(['edge: [deployment] Namespace autocom-edge: missing: nothing of the ring runs (apply dist/)']);
  });
});

describe('replicas: spec.replicas as dist/ says, ready ≥ desired (recorded: canary api scaled to 0)', () => {
  test('fails with both lines', () =>
    expect(lines('canary', withRecorded('canary-api-scaled-to-zero.json'))).toEqual([
      'canary: [replicas] Deployment autocom-canary/api: 0 of 2 replicas ready',
      'canary: [replicas] Deployment autocom-canary/api: spec.replicas is 0, dist/ has 2',
    ]));
  test('autoscaled Deployments: any spec.replicas at or above the minimum passes, below fails', () => {
    const s = clone(healthy);
    const api = s.namespaces.autocom.deployments.find((d) => d.metadata.name === 'api')!;
    const hpa = expected.objects.find((o: Obj) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === 'autocom');
    expect(hpa).toBeDefined();
    expect(lines('stable', s)).toEqual([]);
    api.spec.replicas = hpa.spec.minReplicas - 1;
    expect(lines('stable', s)).toContain(`stable: [replicas] Deployment autocom/api: spec.replicas is ${hpa.spec.minReplicas - 1}, below its autoscaler's minimum ${hpa.spec.minReplicas}`);
  });
});

describe('rollout: complete (recorded: a new pod the scheduler cannot place)', () => {
  test('fails naming the stuck pod and why', () => {
    const l = lines('canary', withRecorded('canary-api-rollout-stuck.json'));
    expect(l).toHaveLength(1);
    expect(l[0]).toMatch(/^canary: \[rollout\] Deployment autocom-canary\/api: rollout incomplete: 1 of 2 replicas updated, 2 available, 2 old; pod api-[a-z0-9]+-[a-z0-9]+ Pending: Unschedulable \(0\/4 nodes are available: 4 node\(s\) didn't match Pod's node affinity\/selector/);
  });
  test('reports a progress deadline exceeded', () => {
    const s = clone(withRecorded('canary-api-rollout-stuck.json'));
    const api = s.namespaces['autocom-canary'].deployments.find((d) => d.metadata.name === 'api')!;
    api.status.conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    expect(lines('canary', s)[0]).toMatch(/rollout incomplete \(progress deadline exceeded\)/);
  });
});

describe('template: the pod template dist/ has now', () => {
  test('fails on another image', () => {
    const s = clone(healthy);
    const d = s.namespaces['autocom-edge'].deployments.find((x) => x.metadata.name === 'nginx')!;
    const want = d.spec.template.spec.containers[0].image;
    d.spec.template.spec.containers[0].image = 'nginxinc/nginx-unprivileged:1.0.0';
    expect(lines('edge', s)).toEqual([`edge: [template] Deployment autocom-edge/nginx: container nginx runs image nginxinc/nginx-unprivileged:1.0.0, dist/ has ${want}`]);
  });
  test('fails on another lock checksum', () => {
    const s = clone(healthy);
    const d = s.namespaces['autocom-edge'].deployments.find((x) => x.metadata.name === 'api')!;
    const want = d.spec.template.metadata.annotations['rings.cdk8s.io/lock-checksum'];
    d.spec.template.metadata.annotations['rings.cdk8s.io/lock-checksum'] = 'sha256:old';
    expect(lines('edge', s)).toEqual([`edge: [template] Deployment autocom-edge/api: pod template annotation rings.cdk8s.io/lock-checksum is sha256:old, dist/ has ${want}`]);
  });
});

describe('ring-env: RING_NAME and MODULE_LOCK_PATH are the ring’s (recorded: canary api reading a copy of stable’s ConfigMap)', () => {
  test('fails per pod and variable, naming the ConfigMap the value came from', () => {
    const l = lines('canary', withRecorded('canary-api-ring-name-stable.json'));
    expect(l[0]).toBe('canary: [template] Deployment autocom-canary/api: pod template reads ConfigMaps module-lock, ring-config-fallback, dist/ has module-lock, ring-config');
    const env = l.filter((x) => x.includes('[ring-env]'));
    expect(env).toHaveLength(4);
    expect(env.filter((x) => /container api: RING_NAME is "stable" \(from ConfigMap ring-config-fallback\), expected "canary"$/.test(x))).toHaveLength(2);
    expect(env.filter((x) => /container api: MODULE_LOCK_PATH is "\/etc\/rings\/stable.lock.json" \(from ConfigMap ring-config-fallback\), expected "\/etc\/rings\/canary.lock.json"$/.test(x))).toHaveLength(2);
  });
  test('env wins over envFrom: an env entry setting RING_NAME=stable is found', () => {
    const s = clone(healthy);
    const pod = s.namespaces['autocom-edge'].pods.find((p) => p.metadata.labels['app.kubernetes.io/name'] === 'horizon')!;
    pod.spec.containers[0].env = [{ name: 'RING_NAME', value: 'stable' }];
    expect(lines('edge', s)).toEqual([`edge: [ring-env] Pod autocom-edge/${pod.metadata.name}: container horizon: RING_NAME is "stable" (from env), expected "edge"`]);
  });
  test('resolveEnv: env > envFrom, later envFrom wins, prefixes, missing ConfigMaps', () => {
    const cms = [{ metadata: { name: 'a' }, data: { RING_NAME: 'a' } }, { metadata: { name: 'b' }, data: { RING_NAME: 'b', X_RING_NAME: 'x' } }];
    expect(resolveEnv({ envFrom: [{ configMapRef: { name: 'a' } }, { configMapRef: { name: 'b' } }] }, cms, 'RING_NAME')).toEqual({ value: 'b', source: 'ConfigMap b' });
    expect(resolveEnv({ envFrom: [{ configMapRef: { name: 'a' } }], env: [{ name: 'RING_NAME', value: 'e' }] }, cms, 'RING_NAME')).toEqual({ value: 'e', source: 'env' });
    expect(resolveEnv({ envFrom: [{ prefix: 'P_', configMapRef: { name: 'a' } }] }, cms, 'P_RING_NAME')).toEqual({ value: 'a', source: 'ConfigMap a' });
    expect(resolveEnv({ envFrom: [{ configMapRef: { name: 'gone' } }] }, cms, 'RING_NAME')).toEqual({ source: 'ConfigMap gone (missing)' });
    expect(resolveEnv({ env: [{ name: 'RING_NAME', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, cms, 'RING_NAME')).toEqual({ source: 'Secret s (not read)' });
    expect(resolveEnv({}, cms, 'RING_NAME')).toEqual({ source: 'unset' });
  });
});

describe('restarts: no crash loop, at most --max-restarts', () => {
  const restarted = (n: number, waiting?: string) => {
    const s = clone(healthy);
    const pod = s.namespaces['autocom-canary'].pods.find((p) => p.metadata.labels['app.kubernetes.io/name'] === 'api')!;
    pod.status.containerStatuses[0].restartCount = n;
    if (waiting) pod.status.containerStatuses[0].state = { waiting: { reason: waiting } };
    return { s, pod: pod.metadata.name };
  };
  test('passes at the limit', () => expect(lines('canary', restarted(3).s)).toEqual([]));
  test('fails above it', () => {
    const { s, pod } = restarted(4);
    expect(lines('canary', s)).toEqual([`canary: [restarts] Pod autocom-canary/${pod}: restarted 4 times (at most 3 allowed, --max-restarts)`]);
    expect(lines('canary', s, 4)).toEqual([]);
  });
  test('fails on CrashLoopBackOff whatever the count', () => {
    const { s, pod } = restarted(1, 'CrashLoopBackOff');
    expect(lines('canary', s)).toContain(`canary: [restarts] Pod autocom-canary/${pod}: CrashLoopBackOff in api (1 restarts)`);
  });
});

describe('routing: each tenant host served by the ring’s route and no other', () => {
  test('fails when another namespace claims a host', () => {
    const s = clone(healthy);
    const edgeIngress = s.ingresses.find((i) => i.metadata.namespace === 'autocom-edge' && i.metadata.name === 'tenants')!;
    const host = edgeIngress.spec.rules[0].host;
    (s as any).ingresses = [...s.ingresses, { kind: 'Ingress', metadata: { name: 'leftover', namespace: 'autocom' }, spec: { rules: [{ host }] } }];
    expect(lines('edge', s)).toEqual([`edge: [routing] Ingress autocom-edge/tenants: host ${host} is also served by Ingress autocom/leftover`]);
  });
  test('fails when the ring’s Ingress lost a host', () => {
    const s = clone(healthy);
    const ing = s.ingresses.find((i) => i.metadata.namespace === 'autocom-edge' && i.metadata.name === 'tenants')!;
    const host = ing.spec.rules[0].host;
    ing.spec.rules = ing.spec.rules.slice(1);
    expect(lines('edge', s)).toEqual([`edge: [routing] Ingress autocom-edge/tenants: host ${host} is not served by it`]);
  });
  test('preview Ingresses (header-routed) are not claims', () => {
    expect(healthy.ingresses.some((i) => i.metadata.annotations?.['rings.cdk8s.io/preview-of'])).toBe(true);
    expect(allLines(healthy).filter((l) => l.includes('[routing]'))).toEqual([]);
  });
  test('HTTPRoutes: missing CRDs are one finding per route', () => {
    const route = { kind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v1', metadata: { name: 'tenants', namespace: 'autocom-edge' }, spec: { hostnames: ['a.edge.acme.io'] } };
    const e = { ...exp('edge'), objects: [...exp('edge').objects.filter((o) => o.kind !== 'Ingress'), route] };
    expect(verifyRing(e, { ...healthy, httproutes: null }, { maxRestarts: 3 }).findings.map(formatFinding)).toEqual([
      'edge: [routing] HTTPRoute autocom-edge/tenants: the cluster does not serve HTTPRoute (Gateway API CRDs not installed)',
    ]);
    expect(verifyRing(e, { ...healthy, httproutes: [route] }, { maxRestarts: 3 }).findings).toEqual([]);
  });
});

describe('alias: alias Services exist and their targets exist in the home namespace', () => {
  const without = (svc: string) => {
    const s = clone(healthy);
    (s.namespaces.autocom as any).services = s.namespaces.autocom.services.filter((x) => x.metadata.name !== svc);
    return s;
  };
  test('fails in every ring aliasing it, and in the home ring', () => {
    const s = without('autocom-db-ro');
    expect(lines('canary', s)).toEqual(['canary: [alias] Service autocom-canary/autocom-db-ro: target Service autocom/autocom-db-ro does not exist']);
    expect(lines('stable', s)).toEqual(['stable: [alias] Service autocom/autocom-db-ro: missing: the aliases of the other rings point at it (an operator or a person creates it, not dist/)']);
  });
  test('fails when the alias itself points elsewhere', () => {
    const s = clone(healthy);
    const a = s.namespaces['autocom-edge'].services.find((x) => x.metadata.name === 'redis')!;
    a.spec.externalName = 'redis.elsewhere.svc.cluster.local';
    expect(lines('edge', s)).toEqual(['edge: [alias] Service autocom-edge/redis: points at redis.elsewhere.svc.cluster.local, dist/ has redis.autocom.svc.cluster.local']);
  });
});

describe('secret and external-secret: referenced Secrets exist, ExternalSecrets Ready', () => {
  test('a missing Secret names who references it', () => {
    const s = clone(healthy);
    (s.namespaces['autocom-edge'] as any).secrets = s.namespaces['autocom-edge'].secrets.filter((x) => x !== 'passport-keys');
    expect(lines('edge', s)).toEqual(['edge: [secret] Secret autocom-edge/passport-keys: missing (referenced by Deployment autocom-edge/api, Deployment autocom-edge/horizon)']);
  });
  test('an ExternalSecret not Ready says why', () => {
    const s = clone(healthy);
    const es = s.namespaces['autocom-edge'].externalsecrets!.find((x) => x.metadata.name === 'autocom-secrets')!;
    es.status = { conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider' }] };
    expect(lines('edge', s)).toEqual(['edge: [external-secret] ExternalSecret autocom-edge/autocom-secrets: not Ready: SecretSyncedError: could not get secret data from provider']);
  });
  test('no External Secrets CRDs: one line per ExternalSecret', () => {
    const s = clone(healthy);
    (s.namespaces['autocom-edge'] as any).externalsecrets = null;
    expect(lines('edge', s)).toHaveLength(3);
    expect(lines('edge', s)[0]).toMatch(/the cluster does not serve ExternalSecret/);
  });
  test('the snapshot holds Secret names only, never data', () => {
    for (const ns of Object.values(healthy.namespaces)) for (const s of ns.secrets) expect(typeof s).toBe('string');
  });
  test('secretRefs: envFrom, env, volumes, imagePullSecrets, Ingress TLS; optional ones skipped', () => {
    const d = {
      kind: 'Deployment',
      spec: {
        template: {
          spec: {
            imagePullSecrets: [{ name: 'pull' }],
            containers: [{ envFrom: [{ secretRef: { name: 'a' } }, { secretRef: { name: 'opt', optional: true } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'b', key: 'k' } } }] }],
            volumes: [{ name: 'v', secret: { secretName: 'c' } }],
          },
        },
      },
    };
    expect(secretRefs(d)).toEqual(['a', 'b', 'c', 'pull']);
    expect(secretRefs({ kind: 'Ingress', spec: { tls: [{ secretName: 't' }] } })).toEqual(['t']);
    expect(configMapRefs(d.spec.template)).toEqual([]);
  });
});

describe('invariants', () => {
  test('findings are sorted deterministically whatever the input order', () => {
    const base = allLines(withRecorded('canary-api-ring-name-stable.json'));
    const all: Finding[] = expectations.flatMap((e) => verifyRing(e, withRecorded('canary-api-ring-name-stable.json'), { maxRestarts: 3 }).findings);
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (xs) => {
        expect(sortFindings(xs).map(formatFinding)).toEqual(sortFindings(all).map(formatFinding));
      }),
      propertyRuns(100),
    );
    expect(base.length).toBeGreaterThan(0);
  });
  test('removing any one live Deployment of a ring is always found', () => {
    const names = healthy.namespaces['autocom-canary'].deployments.map((d) => d.metadata.name);
    fc.assert(
      fc.property(fc.constantFrom(...names), (name) => {
        const s = clone(healthy);
        (s.namespaces['autocom-canary'] as any).deployments = s.namespaces['autocom-canary'].deployments.filter((d) => d.metadata.name !== name);
        expect(lines('canary', s)).toContain(`canary: [deployment] Deployment autocom-canary/${name}: missing`);
      }),
      propertyRuns(100),
    );
  });
});
