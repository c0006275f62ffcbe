/** The secret-sync, certificate and routing constructs, used without a registry. */
import { App, Chart } from 'cdk8s';
import {
  certificateCovers,
  chunkClaims,
  ClusterLayer,
  HomeSecretAccess,
  HostClaim,
  octaneComponents,
  Ring,
  RingCertificates,
  RingProps,
  shardName,
  shardOf,
  SyncedSecrets,
  TenantRoutes,
  uncoveredHosts,
} from '../../src';
import { validateManifests } from '../support/k8s-schema';
import type { Obj } from '../../src/model/objects';

const labels = { 'app.kubernetes.io/name': 'x' };
const chart = () => new Chart(new App({ outdir: '.rings-unused' }), 'c', { disableResourceNameHashes: true });
const objs = (c: Chart): Obj[] => c.toJson() as Obj[];

describe('HomeSecretAccess', () => {
  const c = chart();
  new HomeSecretAccess(c, 'a', { homeNamespace: 'home', secretNames: ['b', 'a', 'a'], ringNamespaces: ['r2', 'r1'], labels });
  const out = objs(c);

  test('is read-only on exactly the listed names, and schema-valid', () => {
    expect(validateManifests(out)).toEqual([]);
    const role = out.find((o) => o.kind === 'Role')!;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['a', 'b'], verbs: ['get', 'list', 'watch'] }]);
    const store = out.find((o) => o.kind === 'ClusterSecretStore')!;
    expect(store.metadata.namespace).toBeUndefined();
    expect(store.spec.conditions).toEqual([{ namespaces: ['r1', 'r2'] }]);
    expect(store.spec.provider.kubernetes.auth).toEqual({ serviceAccount: { name: 'ring-secret-reader', namespace: 'home' } });
  });

  test.each([
    [{ secretNames: [] }, /at least one secret name/],
    [{ ringNamespaces: [] }, /at least one ring namespace/],
    [{ ringNamespaces: ['home'] }, /must not include the home namespace "home"/],
  ])('refuses %j', (bad, message) => {
    expect(() => new HomeSecretAccess(chart(), 'a', { homeNamespace: 'home', secretNames: ['a'], ringNamespaces: ['r'], labels, ...bad })).toThrow(message);
  });
});

describe('ClusterLayer', () => {
  test('is empty without home secret access, and holds the store with it', () => {
    expect(new ClusterLayer(new App({ outdir: '.rings-unused' }), 'cluster', {}).isEmpty).toBe(true);
    const full = new ClusterLayer(new App({ outdir: '.rings-unused' }), 'cluster', { homeSecretAccess: { homeNamespace: 'h', secretNames: ['s'], ringNamespaces: ['r'] } });
    expect(full.isEmpty).toBe(false);
    expect(objs(full).map((o) => o.kind)).toContain('ClusterSecretStore');
  });
});

describe('SyncedSecrets', () => {
  const secrets = [
    { name: 'app', type: 'Opaque' as const },
    { name: 'pull', type: 'kubernetes.io/dockerconfigjson' as const },
    { name: 'tls', type: 'kubernetes.io/tls' as const, dnsNames: ['*.r.example.com'] },
  ];
  const make = (mode: 'external-secrets' | 'reflector' | 'none', extra: object = {}) => {
    const c = chart();
    const s = new SyncedSecrets(c, 's', { namespace: 'ring', homeNamespace: 'home', secrets, mode, labels, ...extra });
    return { s, out: objs(c) };
  };

  test('external-secrets: one ExternalSecret per secret, type preserved, refresh interval passed through', () => {
    const { s, out } = make('external-secrets', { refreshInterval: '15m', storeName: 'store' });
    expect(validateManifests(out)).toEqual([]);
    expect(out.map((o) => [o.kind, o.metadata.name, o.spec.target.template.type, o.spec.refreshInterval, o.spec.secretStoreRef.name])).toEqual([
      ['ExternalSecret', 'app', 'Opaque', '15m', 'store'],
      ['ExternalSecret', 'pull', 'kubernetes.io/dockerconfigjson', '15m', 'store'],
      ['ExternalSecret', 'tls', 'kubernetes.io/tls', '15m', 'store'],
    ]);
    expect(out[0].spec.dataFrom).toEqual([{ extract: { key: 'app' } }]);
    expect(s.operatorProvided).toEqual([]);
  });

  test('reflector: empty Opaque mirrors; typed secrets are left to the operator', () => {
    const { s, out } = make('reflector');
    expect(validateManifests(out)).toEqual([]);
    expect(out).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'app', namespace: 'ring', labels, annotations: { 'reflector.v1.k8s.emberstack.com/reflects': 'home/app' } },
        type: 'Opaque',
      },
    ]);
    expect(s.operatorProvided.map((x) => x.name)).toEqual(['pull', 'tls']);
  });

  test('none: nothing emitted, everything operator-provided', () => {
    const { s, out } = make('none');
    expect(out).toEqual([]);
    expect(s.operatorProvided.map((x) => x.name)).toEqual(['app', 'pull', 'tls']);
  });

  test.each([
    [{ namespace: 'home' }, /is the home namespace/],
    [{ refreshInterval: 'soon' }, /refresh interval "soon" is not a duration/],
    [{ secrets: [{ name: 'a' }, { name: 'a', type: 'kubernetes.io/tls' as const }] }, /listed as Opaque and as kubernetes.io\/tls/],
    [{ secrets: [{ name: 'Bad_Name' }] }, /"Bad_Name" is not a valid Secret name/],
  ])('refuses %j', (bad, message) => {
    expect(() => new SyncedSecrets(chart(), 's', { namespace: 'ring', homeNamespace: 'home', secrets, mode: 'external-secrets', labels, ...bad })).toThrow(message);
  });
});

describe('certificates', () => {
  test('a wildcard covers exactly one label', () => {
    expect(certificateCovers('*.acme.io', 'foo.acme.io')).toBe(true);
    expect(certificateCovers('*.acme.io', 'foo.stable.acme.io')).toBe(false);
    expect(certificateCovers('*.acme.io', 'acme.io')).toBe(false);
    expect(certificateCovers('*.acme.io', '*.acme.io')).toBe(true);
    expect(certificateCovers('foo.acme.io', 'foo.acme.io')).toBe(true);
    expect(certificateCovers('foo.acme.io', 'bar.acme.io')).toBe(false);
  });

  const hosts: HostClaim[] = [
    { host: 'a.r.acme.io', tenant: 'a', cover: 'segment' },
    { host: 'a.acme.io', tenant: 'a', cover: 'domain' },
  ];
  test('one Certificate per wildcard the hosts need, with the configured ClusterIssuer', () => {
    const c = chart();
    new RingCertificates(c, 'c', { namespace: 'ns', hostnameSegment: 'r', domain: 'acme.io', hosts, segmentTlsSecret: 'seg', domainTlsSecret: 'dom', issuer: 'dns01', labels });
    expect(objs(c).map((o) => [o.apiVersion, o.kind, o.metadata.namespace, o.spec.secretName, o.spec.dnsNames, o.spec.issuerRef])).toEqual([
      ['cert-manager.io/v1', 'Certificate', 'ns', 'seg', ['*.r.acme.io'], { name: 'dns01', kind: 'ClusterIssuer', group: 'cert-manager.io' }],
      ['cert-manager.io/v1', 'Certificate', 'ns', 'dom', ['*.acme.io'], { name: 'dns01', kind: 'ClusterIssuer', group: 'cert-manager.io' }],
    ]);
  });
  test('no hosts, no certificate', () => {
    const c = chart();
    new RingCertificates(c, 'c', { namespace: 'ns', hostnameSegment: 'r', domain: 'acme.io', hosts: [], segmentTlsSecret: 'seg', domainTlsSecret: 'dom', labels });
    expect(objs(c)).toEqual([]);
  });
  test('uncoveredHosts reports a host under a wildcard of the wrong depth', () => {
    const out: Obj[] = [
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'ns' }, spec: { secretName: 'c', dnsNames: ['*.acme.io'] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'ns' }, spec: { tls: [{ hosts: ['a.r.acme.io', 'a.acme.io'], secretName: 'c' }], rules: [{ host: 'a.r.acme.io' }, { host: 'a.acme.io' }] } },
    ];
    expect(uncoveredHosts(out)).toEqual([{ host: 'a.r.acme.io', namespace: 'ns', owner: 'Ingress/ns/i', reason: 'TLS secret c covers *.acme.io, not the host' }]);
  });
});

describe('TenantRoutes', () => {
  const tenants = Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  const claims: HostClaim[] = tenants.flatMap((t) => [
    { host: `${t}.r.acme.io`, tenant: t, cover: 'segment' as const },
    { host: `${t}.acme.io`, tenant: t, cover: 'domain' as const },
  ]);

  test('chunks never exceed 16 hostnames and keep a tenant\'s hosts together', () => {
    const chunks = chunkClaims([...claims, { host: '*.acme.io', cover: 'domain' }]);
    for (const ch of chunks) expect(ch.length).toBeLessThanOrEqual(16);
    expect(chunks.flat()).toHaveLength(61);
    for (const ch of chunks) for (const c of ch) if (c.tenant) expect(ch.filter((x) => x.tenant === c.tenant)).toHaveLength(2);
  });

  test('routes shard tenants exactly as the Ingress does, each host in one route, schema-valid', () => {
    const c = chart();
    const r = new TenantRoutes(c, 'r', { namespace: 'ns', hosts: claims, labels, gateway: { name: 'gw', namespace: 'gws', sectionName: 'https' }, shards: 3 });
    const out = objs(c);
    expect(validateManifests(out)).toEqual([]);
    const seen = out.flatMap((o) => o.spec.hostnames);
    expect(seen.sort()).toEqual(claims.map((x) => x.host).sort());
    for (const [name, hs] of r.routeHosts) for (const h of hs) expect(name.startsWith(`${shardName(shardOf(h.tenant, 3), 3)}-`)).toBe(true);
    expect(out[0].spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'gws', sectionName: 'https' }]);
  });
});

describe('Ring routing and TLS props', () => {
  const props: RingProps = {
    name: 'canary',
    namespace: 'shop-canary',
    hostnameSegment: 'canary',
    domain: 'shop.example',
    home: { namespace: 'shop', sharedServices: [] },
    workload: octaneComponents({ apiImage: 'registry.example/api:1.0.0', envFromSecrets: ['app'] }),
    tenants: ['acme'],
    imagePullSecrets: ['pull'],
  };
  const render = (p: RingProps) => new Ring(new App({ outdir: '.rings-unused' }), 'ring', p).toJson() as Obj[];

  test('defaults: no sync objects, the Namespace lists every needed secret, no gateway label', () => {
    const out = render(props);
    const ns = out.find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.annotations['rings.cdk8s.io/operator-provided-secrets']).toBe('app,canary-wildcard-tls,pull,wildcard-tls');
    expect(ns.metadata.labels['rings.cdk8s.io/gateway-access']).toBeUndefined();
    expect(out.filter((o) => ['ExternalSecret', 'Secret', 'HTTPRoute'].includes(o.kind))).toEqual([]);
  });

  test('gateway-api without a Gateway is refused', () => {
    expect(() => render({ ...props, routing: { mode: 'gateway-api' } })).toThrow(/gateway-api routing needs routing.gateway/);
  });

  test('gateway-api: HTTPRoutes, no Ingress, labelled Namespace', () => {
    const out = render({ ...props, routing: { mode: 'gateway-api', gateway: { name: 'gw', namespace: 'gws' } } });
    expect(out.filter((o) => o.kind === 'Ingress')).toEqual([]);
    expect(out.filter((o) => o.kind === 'HTTPRoute').map((o) => o.spec.hostnames)).toEqual([['acme.canary.shop.example', 'acme.shop.example']]);
    expect(out.find((o) => o.kind === 'Namespace')!.metadata.labels['rings.cdk8s.io/gateway-access']).toBe('true');
  });
});
