/**
 * Each invariant on a tiny hand-written platform: it passes on the good list and fails, naming the
 * object, on a list broken in exactly the way the invariant exists to catch.
 */
import {
  aliasesPointHome,
  checkInvariants,
  hostsClaimedOnce,
  imageNotPinned,
  imagesArePinned,
  InvariantContext,
  K8sObject,
  labelsAndAnnotationsFit,
  namesAreValid,
  noPlaintextCredentials,
  noSecretWithData,
  objectsFitSizeLimits,
  parseQuantity,
  podSpecsConsistent,
  quotasCoverSurge,
  referencedConfigExists,
  ringNamespacesRestricted,
  servicesSelectPods,
} from '../support/invariants';

const ctx: InvariantContext = { homeNamespace: 'home', ringNamespaces: ['home', 'ring1'], externalServices: ['db'], handMadeSecrets: ['app-secrets', 'pull'] };

const restricted = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'v1.29',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};
const ns = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...restricted } } });

function deployment(namespace: string, name: string, o: { replicas?: number; surge?: number | string; cpu?: string; mem?: string; secrets?: string[]; pull?: string[]; image?: string } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.surge ?? 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(o.pull ? { imagePullSecrets: o.pull.map((n) => ({ name: n })) } : {}),
          containers: [
            {
              name,
              image: o.image ?? 'nginxinc/nginx-unprivileged:1.29.3',
              ports: [{ name: 'http', containerPort: 8080 }],
              envFrom: [{ configMapRef: { name: 'settings' } }, ...(o.secrets ?? []).map((s) => ({ secretRef: { name: s } }))],
              resources: { requests: { cpu: o.cpu ?? '100m', memory: o.mem ?? '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
            },
          ],
        },
      },
    },
  };
}
const service = (namespace: string, name: string, selector: Record<string, string> = { app: name }): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector, ports: [{ port: 80, targetPort: 'http' }] },
});
const alias = (namespace: string, name: string, target = `${name}.home.svc.cluster.local`): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { type: 'ExternalName', externalName: target },
});
const configMap = (namespace: string, name: string, data: Record<string, string> = { A: 'b' }): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
const quota = (namespace: string, hard: Record<string, string | number>): K8sObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace }, spec: { hard } });
const ingress = (namespace: string, name: string, hosts: (string | undefined)[]): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace },
  spec: { tls: [{ hosts: hosts.filter(Boolean), secretName: 'wildcard-tls' }], rules: hosts.map((h) => ({ ...(h ? { host: h } : {}), http: { paths: [] } })) },
});

/** A small platform that satisfies every invariant: web (2 replicas, surge 1) in home, a ring with an alias. */
function good(): K8sObject[] {
  return [
    ns('home'),
    ns('ring1'),
    configMap('home', 'settings'),
    configMap('ring1', 'settings'),
    deployment('home', 'web', { replicas: 2, secrets: ['app-secrets'], pull: ['pull'] }),
    service('home', 'web'),
    // 2 × 2 replicas + 1 surge = 5 pods while the replaced pods terminate
    quota('home', { pods: 5, 'requests.cpu': '500m', 'limits.cpu': '5', 'requests.memory': '640Mi', 'limits.memory': '1280Mi' }),
    deployment('ring1', 'api', { replicas: 1 }),
    service('ring1', 'api'),
    alias('ring1', 'web'),
    alias('ring1', 'db'),
    ingress('ring1', 'tenants', ['a.ring1.example.com', 'a.example.com', '*.example.com']),
  ];
}

/** `good()` with one object replaced or added. */
function withObject(o: K8sObject, replace?: (x: K8sObject) => boolean): K8sObject[] {
  const list = good();
  const i = replace ? list.findIndex(replace) : -1;
  if (i >= 0) list[i] = o;
  else list.push(o);
  return list;
}
const byId = (kind: string, namespace: string | undefined, name: string) => (x: K8sObject) => x.kind === kind && x.metadata.namespace === namespace && x.metadata.name === name;

test('the good platform passes every invariant', () => {
  expect(checkInvariants(good(), ctx)).toEqual([]);
});

describe('noSecretWithData', () => {
  test('passes on a Secret without values', () => {
    expect(noSecretWithData(withObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'home' }, type: 'Opaque' }), ctx)).toEqual([]);
  });
  test.each(['data', 'stringData'])('fails on a Secret with %s', (field) => {
    const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'home' }, [field]: { k: 'dmFsdWU=' } };
    expect(noSecretWithData(withObject(s), ctx)).toEqual([`Secret/home/s: carries ${field}; secrets must never be emitted with values`]);
  });
});

describe('noPlaintextCredentials', () => {
  test('passes on checksums, digests, URLs and ordinary settings', () => {
    const cm = configMap('home', 'settings', {
      APP_URL: 'https://acme.io',
      AWS_ENDPOINT: 'http://minio:9000',
      CHECKSUM: 'sha256:0f343b0931126a20f133d67c2b018a3b3e7e8c0b0e1d2c3b4a5f60718293a4b5',
      MODULE_LOCK_PATH: '/etc/rings/canary.lock.json',
      SENTENCE: 'Opt-in customers; runs a version for about a week before stable',
    });
    expect(noPlaintextCredentials(withObject(cm, byId('ConfigMap', 'home', 'settings')), ctx)).toEqual([]);
  });
  test.each([
    ['a PEM private key', { CERT: '-----BEGIN RSA PRIVATE KEY-----\nMIIB...' }, 'looks like a PEM private key'],
    ['a Laravel APP_KEY', { X: 'base64:q3Jc8sKc1yPz0vV0ZzS4sLbYwV1oQk2x7HnU9e4mA0c=' }, 'looks like a Laravel APP_KEY'],
    ['an AWS key id', { X: 'AKIAIOSFODNN7EXAMPLE' }, 'looks like an AWS access key id'],
    ['a URL with a password', { DATABASE_URL: 'postgres://app:hunter2@db:5432/app' }, 'looks like credentials in a URL'],
    ['a random token', { X: 'Zx8Qp2Lm9Vt4Rk7Wn3Hs6Jd1Fg5Bc0Ya' }, 'looks like a random token'],
  ])('fails on %s', (_what, data, message) => {
    const v = noPlaintextCredentials(withObject(configMap('home', 'settings', data), byId('ConfigMap', 'home', 'settings')), ctx);
    expect(v).toEqual([`ConfigMap/home/settings: data.${Object.keys(data)[0]}: ${message} (value not shown)`]);
  });
  test('fails on a secret-named setting with a literal value', () => {
    const v = noPlaintextCredentials(withObject(configMap('home', 'settings', { DB_PASSWORD: 'x' }), byId('ConfigMap', 'home', 'settings')), ctx);
    expect(v).toEqual(['ConfigMap/home/settings: data.DB_PASSWORD: a secret-named setting with a literal value; keep it in a Secret']);
  });
  test('fails on a secret-named container env with a literal value', () => {
    const d = deployment('ring1', 'api', { replicas: 1 });
    d.spec.template.spec.containers[0].env = [{ name: 'API_TOKEN', value: 'abc' }];
    expect(noPlaintextCredentials(withObject(d, byId('Deployment', 'ring1', 'api')), ctx)).toEqual([
      'Deployment/ring1/api: container api: env API_TOKEN: a secret-named variable with a literal value; use valueFrom.secretKeyRef',
    ]);
  });
});

describe('imagesArePinned', () => {
  test('passes on a tag and on a digest', () => {
    expect(imageNotPinned('registry.example.com:5000/team/app:1.2.3')).toBeUndefined();
    expect(imageNotPinned(`redis@sha256:${'a'.repeat(64)}`)).toBeUndefined();
    expect(imagesArePinned(good(), ctx)).toEqual([]);
  });
  test.each([
    ['redis:latest', 'the floating tag latest'],
    ['redis', 'no tag (floating latest)'],
    ['registry.example.com:5000/team/app', 'no tag (floating latest)'],
    ['redis@sha256:abc', 'a malformed digest'],
  ])('fails on %s', (image, why) => {
    const list = withObject(deployment('ring1', 'api', { replicas: 1, image }), byId('Deployment', 'ring1', 'api'));
    expect(imagesArePinned(list, ctx)).toEqual([`Deployment/ring1/api: container api: image ${JSON.stringify(image)} has ${why}`]);
  });
});

describe('podSpecsConsistent', () => {
  test('passes on a pod whose mounts name its volumes, each on its own folder', () => {
    const d = deployment('ring1', 'api', { replicas: 1 });
    d.spec.template.spec.volumes = [{ name: 'tmp', emptyDir: {} }, { name: 'lock', configMap: { name: 'settings' } }];
    d.spec.template.spec.containers[0].volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'lock', mountPath: '/etc/rings' }];
    expect(podSpecsConsistent(withObject(d, byId('Deployment', 'ring1', 'api')), ctx)).toEqual([]);
  });
  test('fails on a duplicate volume, a mount of a missing volume and two mounts on one folder', () => {
    const d = deployment('ring1', 'api', { replicas: 1 });
    d.spec.template.spec.volumes = [{ name: 'tmp', emptyDir: {} }, { name: 'tmp', emptyDir: {} }, { name: 'lock', configMap: { name: 'settings' } }];
    d.spec.template.spec.containers[0].volumeMounts = [{ name: 'tmp', mountPath: '/etc/rings/' }, { name: 'lock', mountPath: '/etc/rings' }, { name: 'cache', mountPath: '/cache' }];
    expect(podSpecsConsistent(withObject(d, byId('Deployment', 'ring1', 'api')), ctx)).toEqual([
      'Deployment/ring1/api: volume name tmp is used twice',
      'Deployment/ring1/api: container api mounts cache, which is no volume of the pod',
      'Deployment/ring1/api: container api mounts two volumes on /etc/rings',
    ]);
  });
});

describe('namesAreValid', () => {
  test('passes on the good platform', () => expect(namesAreValid(good(), ctx)).toEqual([]));
  test('fails on a Service name that is DNS-1123 but not DNS-1035', () => {
    expect(namesAreValid(withObject(service('home', '1web', { app: 'web' })), ctx)).toEqual(['Service/home/1web: name is not a DNS-1035 label']);
  });
  test('fails on an upper-case ConfigMap name and a dotted namespace name', () => {
    expect(namesAreValid([configMap('home', 'Settings'), ns('a.b')], ctx)).toEqual(['ConfigMap/home/Settings: name is not a DNS-1123 subdomain', 'Namespace/a.b: name is not a DNS-1123 label']);
  });
});

describe('labelsAndAnnotationsFit', () => {
  test('passes on the good platform', () => expect(labelsAndAnnotationsFit(good(), ctx)).toEqual([]));
  test('fails on a label value of 64 characters', () => {
    const c = configMap('home', 'x');
    c.metadata.labels = { ring: 'a'.repeat(64) };
    expect(labelsAndAnnotationsFit([c], ctx)).toEqual(['ConfigMap/home/x: metadata.labels.ring: value is 64 characters, more than 63']);
  });
  test('fails on annotations over 256 KiB', () => {
    const c = configMap('home', 'x');
    c.metadata.annotations = { a: 'x'.repeat(256 * 1024) };
    expect(labelsAndAnnotationsFit([c], ctx)).toEqual([`ConfigMap/home/x: metadata.annotations: ${256 * 1024 + 1} bytes, more than ${256 * 1024}`]);
  });
});

describe('objectsFitSizeLimits', () => {
  test('passes on the good platform', () => expect(objectsFitSizeLimits(good(), ctx)).toEqual([]));
  test('fails on an object over 512 KiB', () => {
    const d = deployment('home', 'web');
    d.spec.template.spec.containers[0].args = ['x'.repeat(512 * 1024)];
    expect(objectsFitSizeLimits([d], ctx)).toEqual([expect.stringMatching(/^Deployment\/home\/web: \d+ bytes serialized, more than 524288$/)]);
  });
  test('fails on a ConfigMap of 1 MiB', () => {
    const v = objectsFitSizeLimits([configMap('home', 'big', { a: 'x'.repeat(300 * 1024), b: 'x'.repeat(300 * 1024), c: 'x'.repeat(300 * 1024), d: 'x'.repeat(124 * 1024 - 4) })], ctx);
    expect(v).toContain('ConfigMap/home/big: data is 1048576 bytes, not under 1048576');
  });
});

describe('hostsClaimedOnce', () => {
  test('passes on distinct hosts and a leading wildcard', () => expect(hostsClaimedOnce(good(), ctx)).toEqual([]));
  test('fails on a host in two Ingresses', () => {
    expect(hostsClaimedOnce(withObject(ingress('home', 'shared', ['a.example.com'])), ctx)).toEqual([
      'host a.example.com: claimed 2 times (Ingress/ring1/tenants, Ingress/home/shared)',
    ]);
  });
  test('fails on a host in an Ingress and an HTTPRoute', () => {
    const route: K8sObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'home' }, spec: { hostnames: ['a.example.com'] } };
    expect(hostsClaimedOnce(withObject(route), ctx)).toEqual(['host a.example.com: claimed 2 times (Ingress/ring1/tenants, HTTPRoute/home/r)']);
  });
  test('passes on a header-bound preview repeating a host (canary-by-header Ingress, header-matched HTTPRoute)', () => {
    const preview = ingress('ring2', 'preview-a', ['a.example.com']);
    preview.metadata.annotations = {
      'rings.cdk8s.io/preview-of': 'a',
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'X-Ring',
    };
    const route: K8sObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'preview-a', namespace: 'ring2', annotations: { 'rings.cdk8s.io/preview-of': 'a' } },
      spec: { hostnames: ['a.example.com'], rules: [{ matches: [{ headers: [{ name: 'X-Ring', value: 'ring2' }] }] }] },
    };
    expect(hostsClaimedOnce([...good(), preview, route], ctx)).toEqual([]);
  });
  test('fails on a "preview" that is not header-bound: it is a second claim', () => {
    const fake = ingress('ring2', 'preview-a', ['a.example.com']);
    fake.metadata.annotations = { 'rings.cdk8s.io/preview-of': 'a' };
    expect(hostsClaimedOnce(withObject(fake), ctx)).toEqual(['host a.example.com: claimed 2 times (Ingress/ring1/tenants, Ingress/ring2/preview-a)']);
  });
  test('fails on a wildcard that is not leading, and on a rule without host', () => {
    expect(hostsClaimedOnce([ingress('home', 'x', ['a.*.example.com', undefined])], ctx)).toEqual([
      'Ingress/home/x: spec.rules[1] has no host, so it claims every host',
      'host a.*.example.com: a wildcard is allowed only as a leading "*."',
    ]);
  });
});

describe('ringNamespacesRestricted', () => {
  test('passes when every ring namespace enforces, warns and audits restricted', () => expect(ringNamespacesRestricted(good(), ctx)).toEqual([]));
  test('fails when a namespace only enforces', () => {
    const n = ns('ring1');
    delete n.metadata.labels['pod-security.kubernetes.io/warn'];
    n.metadata.labels['pod-security.kubernetes.io/audit'] = 'baseline';
    expect(ringNamespacesRestricted(withObject(n, byId('Namespace', undefined, 'ring1')), ctx)).toEqual([
      'Namespace/ring1: pod-security.kubernetes.io/warn is null, expected "restricted"',
      'Namespace/ring1: pod-security.kubernetes.io/audit is "baseline", expected "restricted"',
    ]);
  });
  test('fails when a ring namespace is not created', () => {
    expect(ringNamespacesRestricted(good().filter((o) => o.kind !== 'Namespace' || o.metadata.name !== 'ring1'), ctx)).toEqual(['Namespace/ring1: a ring namespace the output does not create']);
  });
});

describe('servicesSelectPods', () => {
  test('passes when each Service selects a pod template of its namespace', () => expect(servicesSelectPods(good(), ctx)).toEqual([]));
  test('fails on a selector that matches only pods of another namespace', () => {
    expect(servicesSelectPods(withObject(service('ring1', 'web2', { app: 'web' })), ctx)).toEqual(['Service/ring1/web2: selector {"app":"web"} matches no pod template in ring1']);
  });
  test('fails on a named targetPort the pods do not have', () => {
    const s = service('home', 'web');
    s.spec.ports[0].targetPort = 'metrics';
    expect(servicesSelectPods(withObject(s, byId('Service', 'home', 'web')), ctx)).toEqual(['Service/home/web: targetPort "metrics" is no container port of the selected pods']);
  });
});

describe('aliasesPointHome', () => {
  test('passes on aliases to a home Service and to a declared external service', () => expect(aliasesPointHome(good(), ctx)).toEqual([]));
  test('fails on an alias to a service nobody declared', () => {
    expect(aliasesPointHome(withObject(alias('ring1', 'cache')), ctx)).toEqual([
      'Service/ring1/cache: points at cache in home, which is neither a Service of the output nor a declared external service',
    ]);
  });
  test('fails on an alias that leaves the home namespace', () => {
    expect(aliasesPointHome(withObject(alias('ring1', 'other', 'web.ring2.svc.cluster.local')), ctx)).toEqual([
      'Service/ring1/other: externalName "web.ring2.svc.cluster.local" is not <service>.home.svc.cluster.local',
    ]);
  });
});

describe('quotasCoverSurge', () => {
  test('parses quantities', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('12e6')).toBe(12e6);
    expect(parseQuantity(3)).toBe(3);
    expect(() => parseQuantity('1 Gi')).toThrow('not a Kubernetes quantity');
  });
  test('passes when the quota is exactly the rolling-update footprint (2 × replicas + maxSurge)', () => expect(quotasCoverSurge(good(), ctx)).toEqual([]));
  test('fails when the quota forgets the pods still terminating (sized Σ replicas + maxSurge)', () => {
    const q = quota('home', { pods: 3, 'requests.cpu': '300m', 'requests.memory': '384Mi', 'limits.cpu': '3', 'limits.memory': '768Mi' });
    expect(quotasCoverSurge(withObject(q, byId('ResourceQuota', 'home', 'quota')), ctx)).toEqual([
      'ResourceQuota/home/quota: pods is 3, the workloads need 5 at full surge',
      'ResourceQuota/home/quota: requests.cpu is 300m, the workloads need 500m at full surge',
      'ResourceQuota/home/quota: requests.memory is 384Mi, the workloads need 640Mi at full surge',
      'ResourceQuota/home/quota: limits.cpu is 3, the workloads need 5000m at full surge',
      'ResourceQuota/home/quota: limits.memory is 768Mi, the workloads need 1280Mi at full surge',
    ]);
  });
  test('counts the autoscaler maximum and percentage surges', () => {
    const hpa: K8sObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'home' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10 } };
    const d = deployment('home', 'web', { surge: '25%', secrets: ['app-secrets'], pull: ['pull'] }); // HPA owns replicas: 2 × 10 + ceil(2.5) = 23 pods
    const list = withObject(d, byId('Deployment', 'home', 'web'));
    list.push(hpa);
    expect(quotasCoverSurge(list, ctx)).toContain('ResourceQuota/home/quota: pods is 5, the workloads need 23 at full surge');
  });
  test('fails when a container sets no request the quota constrains', () => {
    const d = deployment('home', 'web', { replicas: 2 });
    delete d.spec.template.spec.containers[0].resources;
    expect(quotasCoverSurge(withObject(d, byId('Deployment', 'home', 'web')), ctx)).toContain(
      'ResourceQuota/home/quota: pods of Deployment/home/web set no requests.cpu for every container, so the quota rejects them',
    );
  });
});

describe('referencedConfigExists', () => {
  test('passes on ConfigMaps in the namespace and hand-made secrets in the home namespace', () => expect(referencedConfigExists(good(), ctx)).toEqual([]));
  test('fails on a hand-made secret referenced outside the home namespace', () => {
    const list = withObject(deployment('ring1', 'api', { replicas: 1, secrets: ['app-secrets'], pull: ['pull'] }), byId('Deployment', 'ring1', 'api'));
    expect(referencedConfigExists(list, ctx)).toEqual([
      'Secret ring1/app-secrets: referenced by Deployment/ring1/api envFrom but neither produced nor synchronized into ring1',
      'Secret ring1/pull: referenced by Deployment/ring1/api imagePullSecrets but neither produced nor synchronized into ring1',
    ]);
  });
  test('passes when an ExternalSecret synchronizes it (target name or own name)', () => {
    const list = withObject(deployment('ring1', 'api', { replicas: 1, secrets: ['app-secrets'], pull: ['pull'] }), byId('Deployment', 'ring1', 'api'));
    list.push({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'x', namespace: 'ring1' }, spec: { target: { name: 'app-secrets' } } });
    list.push({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'pull', namespace: 'ring1' }, spec: {} });
    expect(referencedConfigExists(list, ctx)).toEqual([]);
  });
  test('fails on a ConfigMap volume that the namespace does not have', () => {
    const d = deployment('ring1', 'api', { replicas: 1 });
    d.spec.template.spec.volumes = [{ name: 'lock', configMap: { name: 'module-lock' } }, { name: 'ca', configMap: { name: 'kube-root-ca.crt' } }];
    expect(referencedConfigExists(withObject(d, byId('Deployment', 'ring1', 'api')), ctx)).toEqual([
      'ConfigMap ring1/module-lock: referenced by Deployment/ring1/api volume lock but neither produced nor synchronized into ring1',
    ]);
  });
});
