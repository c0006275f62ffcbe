/**
 * danglingReferences (test/support/references.ts): each kind of reference with a passing and a
 * failing case, and the whole output of the example registry and of the Flux + Gateway API fixture:
 * nothing in them points at an object nobody creates.
 */
import * as path from 'path';
import { danglingReferences, registryPrerequisites } from './references';
import type { K8sObject } from './invariants';
import { parseYamlObjects, renderDir, REPO } from './render';

const ns = (name: string, annotations: Record<string, string> = {}): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
const obj = (kind: string, namespace: string | undefined, name: string, rest: Record<string, any> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind,
  metadata: namespace === undefined ? { name } : { name, namespace },
  ...rest,
});
const deployment = (namespace: string, spec: Record<string, any>) =>
  obj('Deployment', namespace, 'web', { apiVersion: 'apps/v1', spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x@sha256:1' }], ...spec } } } });
const store = (conditions: string[]) =>
  obj('ClusterSecretStore', undefined, 'home', {
    spec: {
      conditions: [{ namespaces: conditions }],
      provider: { kubernetes: { remoteNamespace: 'home', auth: { serviceAccount: { name: 'reader', namespace: 'home' } }, server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', namespace: 'home' } } } },
    },
  });
const externalSecret = (name: string, storeRef: Record<string, string>) => obj('ExternalSecret', 'ring', name, { spec: { secretStoreRef: storeRef, dataFrom: [{ extract: { key: name } }], target: { name } } });

describe('danglingReferences', () => {
  const base = [ns('home', { 'rings.cdk8s.io/operator-provided-secrets': 'tls,app' }), ns('ring'), obj('ServiceAccount', 'home', 'reader')];

  test('namespaceExists: a namespaced object needs its Namespace', () => {
    expect(danglingReferences([...base, obj('ConfigMap', 'ring', 'c')])).toEqual([]);
    expect(danglingReferences([obj('ConfigMap', 'elsewhere', 'c')])).toEqual([
      'ConfigMap/elsewhere/c: metadata.namespace → Namespace elsewhere, which the output does not create and no prerequisite lists',
    ]);
  });

  test('secretStoreExists: an ExternalSecret needs its store, admitted, and the secret it reads in the remote namespace', () => {
    expect(danglingReferences([...base, store(['ring']), externalSecret('tls', { kind: 'ClusterSecretStore', name: 'home' })])).toEqual([]);
    expect(danglingReferences([...base, externalSecret('tls', { kind: 'ClusterSecretStore', name: 'home' })])).toEqual([
      'ExternalSecret/ring/tls: spec.secretStoreRef → ClusterSecretStore home, which the output does not create and no prerequisite lists',
    ]);
    expect(danglingReferences([...base, store(['other']), externalSecret('tls', { kind: 'ClusterSecretStore', name: 'home' })])).toEqual([
      'ExternalSecret/ring/tls: spec.secretStoreRef → ClusterSecretStore home, whose conditions do not admit namespace ring',
    ]);
    // the source: "tls" is listed as by-hand in home, "db" is not
    expect(danglingReferences([...base, store(['ring']), externalSecret('db', { kind: 'ClusterSecretStore', name: 'home' })])).toEqual([
      'ExternalSecret/ring/db: spec.secretStoreRef key "db" → Secret home/db, which the output does not create and no prerequisite lists',
    ]);
    // kind defaults to SecretStore, in the ExternalSecret's namespace
    expect(danglingReferences([...base, externalSecret('tls', { name: 'local' })])).toEqual([
      'ExternalSecret/ring/tls: spec.secretStoreRef → SecretStore ring/local, which the output does not create and no prerequisite lists',
    ]);
  });

  test('storeServiceAccountExists: a store authenticates as a ServiceAccount that exists', () => {
    expect(danglingReferences([...base.slice(0, 2), store(['ring'])])).toEqual([
      'ClusterSecretStore/home: spec.provider.kubernetes.auth.serviceAccount → ServiceAccount home/reader, which the output does not create and no prerequisite lists',
    ]);
  });

  test('podReferencesExist: ServiceAccount, ConfigMaps and Secrets of a pod (optional ones and built-ins excepted)', () => {
    const ok = deployment('ring', {
      serviceAccountName: 'default',
      volumes: [{ name: 'ca', configMap: { name: 'kube-root-ca.crt' } }, { name: 'opt', secret: { secretName: 'maybe', optional: true } }],
    });
    expect(danglingReferences([...base, ok])).toEqual([]);
    const bad = deployment('ring', { serviceAccountName: 'web', imagePullSecrets: [{ name: 'pull' }], volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }] });
    expect(danglingReferences([...base, bad])).toEqual([
      'Deployment/ring/web: imagePullSecrets → Secret ring/pull, which the output does not create and no prerequisite lists',
      'Deployment/ring/web: serviceAccountName → ServiceAccount ring/web, which the output does not create and no prerequisite lists',
      'Deployment/ring/web: volume cfg → ConfigMap ring/cfg, which the output does not create and no prerequisite lists',
    ]);
    // a secret listed as by-hand in its namespace counts; the same name elsewhere does not
    expect(danglingReferences([...base, deployment('home', { imagePullSecrets: [{ name: 'app' }] })])).toEqual([]);
    expect(danglingReferences([...base, deployment('ring', { imagePullSecrets: [{ name: 'app' }] })])).toHaveLength(1);
  });

  test('roleRefExists: bindings need their role and their ServiceAccounts', () => {
    const binding = (roleKind: string, sa: string) =>
      obj('RoleBinding', 'home', 'b', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'home' }] });
    expect(danglingReferences([...base, obj('Role', 'home', 'r'), binding('Role', 'reader')])).toEqual([]);
    expect(danglingReferences([...base, obj('Role', 'home', 'r'), binding('ClusterRole', 'nobody')])).toEqual([
      'RoleBinding/home/b: roleRef → ClusterRole r, which the output does not create and no prerequisite lists',
      'RoleBinding/home/b: subjects → ServiceAccount home/nobody, which the output does not create and no prerequisite lists',
    ]);
  });

  test('ingressBackendExists: an Ingress routes to a Service with that port; its class is a prerequisite', () => {
    const svc = obj('Service', 'ring', 'web', { spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
    const ingress = (port: Record<string, any>) =>
      obj('Ingress', 'ring', 'tenants', {
        spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port } } }] } }], tls: [{ hosts: ['a.example'], secretName: 'tls' }] },
      });
    const tlsInRing = externalSecret('tls', { kind: 'ClusterSecretStore', name: 'home' });
    const world = [...base, store(['ring']), tlsInRing, svc];
    expect(danglingReferences([...world, ingress({ number: 80 })], { external: ['IngressClass nginx'] })).toEqual([]);
    expect(danglingReferences([...world, ingress({ name: 'http' })], { external: ['IngressClass nginx'] })).toEqual([]);
    expect(danglingReferences([...world, ingress({ number: 8080 })])).toEqual([
      'Ingress/ring/tenants: spec.ingressClassName → IngressClass nginx, which the output does not create and no prerequisite lists',
      'Ingress/ring/tenants: spec.rules[host=a.example] backend → port 8080 of Service ring/web, which has no such port',
    ]);
    expect(danglingReferences([...base, ingress({ number: 80 })], { external: ['IngressClass *'] })).toEqual([
      'Ingress/ring/tenants: spec.rules[host=a.example] backend → Service ring/web, which the output does not create and no prerequisite lists',
      'Ingress/ring/tenants: spec.tls secretName → Secret ring/tls, which the output does not create and no prerequisite lists',
    ]);
  });

  test('an external prerequisite is "Kind name" or "Kind namespace/name"', () => {
    expect(() => danglingReferences([], { external: ['nginx'] })).toThrow(/expected "Kind name" or "Kind namespace\/name"/);
  });
});

describe('no dangling reference in a whole output (every unit, dist/gitops/ included)', () => {
  test.each(['rings', 'test/fixtures/registries/reflector-gateway', 'examples/storefront'])('%s', (dir) => {
    const r = renderDir(path.join(REPO, dir));
    const objects = [...r.result.files].filter(([f]) => !f.endsWith('kustomization.yaml')).flatMap(([f, text]) => parseYamlObjects(text, f));
    expect(objects.length).toBeGreaterThan(40);
    expect(danglingReferences(objects, { external: registryPrerequisites(r.registry, r.plan) })).toEqual([]);
    // and the check has teeth there: without the cluster unit, the rings' ExternalSecrets dangle
    const withoutCluster = [...r.result.files].filter(([f]) => !f.endsWith('kustomization.yaml') && !f.startsWith('cluster/')).flatMap(([f, text]) => parseYamlObjects(text, f));
    if (r.registry.platform.secrets.sync === 'external-secrets') {
      expect(danglingReferences(withoutCluster, { external: registryPrerequisites(r.registry, r.plan) }).join('\n')).toMatch(/→ ClusterSecretStore ring-home-secrets, which the output does not create/);
    }
  });
});
