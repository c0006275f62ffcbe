/**
 * Both example registries, rendered in memory: rings/ (External Secrets, cert-manager, Ingress) and
 * test/fixtures/registries/reflector-gateway/ (Reflector, synced TLS, Gateway API). Each invariant is
 * checked on both, and each check is shown to fail on a broken copy of the output.
 */
import * as path from 'path';
import { duplicateHostClaims, renderRegistry, uncoveredHosts, unsyncedSecretReferences } from '../../src';
import { validateManifests } from '../support/k8s-schema';
import type { Obj } from '../../src/model/objects';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = {
  'rings (external-secrets, cert-manager, ingress)': path.join(ROOT, 'rings'),
  'reflector-gateway (reflector, synced TLS, gateway-api)': path.join(ROOT, 'test/fixtures/registries/reflector-gateway'),
};
const rendered = new Map(Object.entries(EXAMPLES).map(([k, dir]) => [k, renderRegistry(dir)]));
const objectsOf = (k: string): Obj[] => rendered.get(k)!.result.charts.flatMap((c) => c.objects as Obj[]);
const clone = (objs: Obj[]): Obj[] => JSON.parse(JSON.stringify(objs));

/** Kinds written without a CRD schema in the project (see constructs/certificates.ts, tenant-routes.ts). */
const NOT_SCHEMA_VALIDATED = new Set(['cert-manager.io/v1|Certificate', 'gateway.networking.k8s.io/v1beta1|ReferenceGrant']);

describe.each([...rendered.keys()])('%s', (name) => {
  const objects = objectsOf(name);

  test('every object validates against its Kubernetes or CRD schema', () => {
    const checked = objects.filter((o) => !NOT_SCHEMA_VALIDATED.has(`${o.apiVersion}|${o.kind}`));
    expect(validateManifests(checked)).toEqual([]);
  });

  test('never a Secret with data', () => {
    const withData = objects.filter((o) => o.kind === 'Secret' && (o.data || o.stringData));
    expect(withData.map((o) => o.metadata.name)).toEqual([]);
  });

  test('every secret a ring pod references is synchronised into its namespace or listed as operator-provided', () => {
    expect(unsyncedSecretReferences(objects)).toEqual([]);
  });

  test('every claimed host is covered by a certificate in its namespace', () => {
    expect(uncoveredHosts(objects)).toEqual([]);
  });

  test('each host is claimed by exactly one Ingress or HTTPRoute (previews are not claims)', () => {
    expect([...duplicateHostClaims(objects)]).toEqual([]);
  });

  test('cluster-scoped objects carry no namespace', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ClusterSecretStore']);
    expect(objects.filter((o) => clusterScoped.has(o.kind) && o.metadata.namespace).map((o) => o.kind)).toEqual([]);
  });

  test('a secret removed from the sync is reported as unsynchronised', () => {
    const broken = clone(objects).filter((o) => !(o.metadata.namespace === 'autocom-canary' && ['ExternalSecret', 'Secret'].includes(o.kind)));
    for (const o of broken) if (o.kind === 'Namespace') delete o.metadata.annotations['rings.cdk8s.io/operator-provided-secrets'];
    const missing = unsyncedSecretReferences(broken).filter((r) => r.namespace === 'autocom-canary');
    expect(missing.map((r) => r.secret)).toEqual(expect.arrayContaining(['autocom-secrets', 'gitlab-registry']));
  });

  test('a host whose certificate is gone is reported', () => {
    const broken = clone(objects).filter((o) => !(o.kind === 'Certificate' && o.metadata.namespace === 'autocom-edge'));
    for (const o of broken) if (o.kind === 'Namespace' && o.metadata.name === 'autocom-edge') delete o.metadata.annotations['rings.cdk8s.io/operator-provided-tls'];
    expect(uncoveredHosts(broken).map((u) => u.host)).toContain('widgets.edge.acme.io');
  });
});

describe('external-secrets example', () => {
  const objects = objectsOf('rings (external-secrets, cert-manager, ingress)');
  const store = objects.find((o) => o.kind === 'ClusterSecretStore')!;
  const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'ring-secret-reader')!;
  const externalSecrets = objects.filter((o) => o.kind === 'ExternalSecret');

  test('the store reads only the home namespace, and only ring namespaces may use it', () => {
    expect(store.spec.provider.kubernetes.remoteNamespace).toBe('autocom');
    expect(store.spec.conditions).toEqual([{ namespaces: ['autocom-canary', 'autocom-edge', 'autocom-experimental'] }]);
  });

  test('the reader role is read-only and limited to exactly the secrets ExternalSecrets extract', () => {
    expect(role.rules).toHaveLength(1);
    expect(role.rules[0].verbs).toEqual(['get', 'list', 'watch']);
    const extracted = [...new Set(externalSecrets.map((e) => e.spec.dataFrom[0].extract.key))].sort();
    expect(role.rules[0].resourceNames).toEqual(extracted);
  });

  test('every non-home ring gets one ExternalSecret per secret, same name, same type, refresh from the registry', () => {
    for (const ns of ['autocom-canary', 'autocom-edge', 'autocom-experimental']) {
      const es = externalSecrets.filter((e) => e.metadata.namespace === ns);
      expect(es.map((e) => [e.metadata.name, e.spec.target.name, e.spec.target.template.type, e.spec.refreshInterval])).toEqual([
        ['autocom-secrets', 'autocom-secrets', 'Opaque', '1h'],
        ['gitlab-registry', 'gitlab-registry', 'kubernetes.io/dockerconfigjson', '1h'],
        ['passport-keys', 'passport-keys', 'Opaque', '1h'],
        ['redis-auth', 'redis-auth', 'Opaque', '1h'],
      ]);
    }
    expect(externalSecrets.filter((e) => e.metadata.namespace === 'autocom')).toEqual([]);
  });

  test('Deployments that read secrets carry the Reloader annotation naming them', () => {
    const api = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
    expect(api).toHaveLength(4);
    for (const d of api) expect(d.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('autocom-secrets,passport-keys,redis-auth');
    const nginx = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'nginx');
    for (const d of nginx) expect(d.metadata.annotations?.['secret.reloader.stakater.com/reload']).toBeUndefined();
  });

  test('the home Namespace lists the originals to create by hand', () => {
    const home = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'autocom')!;
    expect(home.metadata.annotations['rings.cdk8s.io/operator-provided-secrets']).toBe('autocom-secrets,gitlab-registry,passport-keys,redis-auth');
  });

  test('the preview is a canary Ingress in the preview ring for the tenant\'s hosts', () => {
    const preview = objects.find((o) => o.kind === 'Ingress' && o.metadata.name === 'preview-umbrella')!;
    expect(preview.metadata.namespace).toBe('autocom-canary');
    expect(preview.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'X-Ring',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'canary',
    });
    expect(preview.spec.rules.map((r: Obj) => r.host)).toEqual(['umbrella.stable.acme.io', 'umbrella.acme.io']);
  });

  test('a preview Ingress without its annotation counts as a second claim', () => {
    const broken = clone(objects);
    delete broken.find((o) => o.metadata.name === 'preview-umbrella')!.metadata.annotations['rings.cdk8s.io/preview-of'];
    expect([...duplicateHostClaims(broken).keys()]).toEqual(['umbrella.stable.acme.io', 'umbrella.acme.io']);
  });
});

describe('reflector + gateway-api example', () => {
  const objects = objectsOf('reflector-gateway (reflector, synced TLS, gateway-api)');

  test('no store: Reflector needs no cluster object, so cluster/cluster.yaml holds only the Namespaces (and, delivered by Flux, each unit\'s Role and RoleBinding)', () => {
    const cluster = rendered.get('reflector-gateway (reflector, synced TLS, gateway-api)')!.result.charts.find((c) => c.file === 'cluster/cluster.yaml')!;
    const isDeliveryAccess = (o: any) => (o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata.labels?.['app.kubernetes.io/component'] === 'delivery';
    expect([...new Set(cluster.objects.filter((o) => !isDeliveryAccess(o)).map((o) => o.kind))]).toEqual(['Namespace']);
    expect(cluster.objects.filter(isDeliveryAccess).length).toBeGreaterThan(0);
  });

  test('Opaque secrets are empty mirrors reflecting the home secret; typed ones are listed for auto-mirroring', () => {
    const mirrors = objects.filter((o) => o.kind === 'Secret' && o.metadata.namespace === 'autocom-edge');
    expect(mirrors.map((m) => [m.metadata.name, m.type, m.metadata.annotations['reflector.v1.k8s.emberstack.com/reflects']])).toEqual([
      ['autocom-secrets', 'Opaque', 'autocom/autocom-secrets'],
      ['passport-keys', 'Opaque', 'autocom/passport-keys'],
      ['redis-auth', 'Opaque', 'autocom/redis-auth'],
    ]);
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'autocom-edge')!;
    expect(ns.metadata.annotations['rings.cdk8s.io/operator-provided-secrets']).toBe('gitlab-registry,wildcard-acme-io-tls,wildcard-edge-acme-io-tls');
  });

  test('secret mounts reach api and horizon as read-only secret volumes', () => {
    const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api' && o.metadata.namespace === 'autocom-edge')!;
    const pod = api.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'secret-passport-keys', secret: { secretName: 'passport-keys', defaultMode: 0o440 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-passport-keys', mountPath: '/etc/passport', readOnly: true });
  });

  test('every ring Namespace carries the gateway-access label; routes attach to the registry\'s Gateway', () => {
    const nss = objects.filter((o) => o.kind === 'Namespace');
    expect(nss).toHaveLength(4);
    for (const n of nss) expect(n.metadata.labels['rings.cdk8s.io/gateway-access']).toBe('true');
    const routes = objects.filter((o) => o.kind === 'HTTPRoute');
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system' }]);
    for (const r of routes) for (const rule of r.spec.rules) for (const b of rule.backendRefs) expect(b.namespace).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
  });

  test('nginx admits the Gateway data plane namespace', () => {
    const pol = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ring-allow-nginx' && o.metadata.namespace === 'autocom-edge')!;
    // Selected by the labels the registry gives (dataplane_namespace_labels), not only by name.
    expect(pol.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'gateway.acme.io/dataplane': 'true' } } }]);
  });

  test('previews are header-matched routes in the preview ring', () => {
    const p = objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'preview-widgets')!;
    expect(p.metadata.namespace).toBe('autocom-experimental');
    expect(p.spec.hostnames).toEqual(['widgets.edge.acme.io', 'widgets.acme.io']);
    expect(p.spec.rules[0].matches[0].headers).toEqual([{ type: 'Exact', name: 'X-Ring', value: 'experimental' }]);
  });

  test('each ring grants the Gateway its TLS secrets by name', () => {
    const g = objects.find((o) => o.kind === 'ReferenceGrant' && o.metadata.namespace === 'autocom-edge')!;
    expect(g.spec.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway-system' }]);
    expect(g.spec.to.map((t: Obj) => t.name)).toEqual(['wildcard-acme-io-tls', 'wildcard-edge-acme-io-tls']);
  });
});

describe('secrets.sync = "none"', () => {
  const fs = require('fs') as typeof import('fs');
  const { parseRegistry, resolvePlan, synthesize } = require('../../src') as typeof import('../../src');
  const dir = EXAMPLES['rings (external-secrets, cert-manager, ingress)'];
  const files = new Map<string, string>();
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.toml')) files.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const f of fs.readdirSync(path.join(dir, 'locks'))) files.set(`locks/${f}`, fs.readFileSync(path.join(dir, 'locks', f), 'utf8'));
  files.set('platform.toml', files.get('platform.toml')!.replace('sync = "external-secrets"', 'sync = "none"'));
  const result = synthesize(resolvePlan(parseRegistry('rings', files)));
  const objects = result.charts.flatMap((c) => c.objects as Obj[]);

  test('emits no sync object and no store; every ring lists what the operator copies, and every reference is listed', () => {
    expect(objects.filter((o) => ['ExternalSecret', 'ClusterSecretStore', 'Secret'].includes(o.kind))).toEqual([]);
    expect([...new Set(result.charts.find((c) => c.file === 'cluster/cluster.yaml')!.objects.map((o) => o.kind))]).toEqual(['Namespace']);
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      expect(ns.metadata.annotations['rings.cdk8s.io/operator-provided-secrets']).toBe('autocom-secrets,gitlab-registry,passport-keys,redis-auth');
    }
    expect(unsyncedSecretReferences(objects)).toEqual([]);
  });
});
