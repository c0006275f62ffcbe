/**
 * Rings across clusters, on test/fixtures/registries/two-clusters/ (home cluster eu-1: stable, edge and
 * the shared layer; us-1: stable-us in a namespace also called autocom, and canary): the layout of
 * dist/, every gate of the output cluster by cluster (strict schema and the real CRDs, invariants,
 * hardening guarantees, secret sync, TLS coverage), what a ring in another cluster gets (aliases,
 * egress, secrets), and the Flux and Argo CD objects that deliver it. Each check is shown to fail on a
 * broken copy where the check is ours.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { duplicateHostClaims, uncoveredHosts, unsyncedSecretReferences } from '../../src';
import { clusterKustomizations, kustomizedFiles } from '../../src/render/dist';
import { checkGuarantees } from '../../src/checks/guarantees';
import { readRegistryDir } from '../../src/registry/load';
import { synthesize } from '../../src/render/synth';
import { schemaViolationsOfFiles } from '../support/gate';
import { aliasesPointHome, checkInvariants, hostsClaimedOnce, K8sObject } from '../support/invariants';
import { parse } from '../support/registry-fixture';
import { parseYamlObjects, render, renderDir, renderedClusters } from '../support/render';
import { resolvePlan } from '../../src/resolve/resolve-plan';

const DIR = path.join(__dirname, '..', 'fixtures', 'registries', 'two-clusters');
const rendered = renderDir(DIR);
const files = rendered.result.files;
const byCluster = renderedClusters(rendered);
const objectsOn = (cluster: string) => byCluster.find((c) => c.cluster === cluster)!.objects;
const find = (objects: readonly K8sObject[], kind: string, ns: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const sources = () => new Map(readRegistryDir(DIR).sources);
const withPlatform = (f: (text: string) => string) => {
  const s = sources();
  s.set('platform.toml', f(s.get('platform.toml')!));
  return s;
};

describe('dist/ layout: one cluster unit per cluster, rings as before, one kustomization per cluster', () => {
  test('the unit folders, the per-cluster kustomizations, and no top-level kustomization', () => {
    const folders = [...new Set([...files.keys()].map((f) => f.split('/')[0]))].sort();
    expect(folders).toEqual(['cluster-eu-1', 'cluster-us-1', 'clusters', 'gitops', 'ring-canary', 'ring-edge', 'ring-stable', 'ring-stable-us', 'shared']);
    expect(files.has('kustomization.yaml')).toBe(false);
    expect([...clusterKustomizations(files)]).toEqual([
      ['eu-1', ['cluster-eu-1/cluster-eu-1.yaml', 'shared/shared.yaml', 'ring-stable/ring-stable.yaml', 'ring-edge/ring-edge.yaml']],
      ['us-1', ['cluster-us-1/cluster-us-1.yaml', 'ring-stable-us/ring-stable-us.yaml', 'ring-canary/ring-canary.yaml']],
    ]);
    // Every unit is on exactly one cluster.
    expect(kustomizedFiles(files).sort()).toEqual([...files.keys()].filter((f) => /^(cluster-|shared|ring-)[^/]*\/[^/]+\.yaml$/.test(f) && !f.endsWith('kustomization.yaml')).sort());
  });

  test('each cluster unit holds the Namespaces of exactly its rings (autocom on both: two namespaces of one name)', () => {
    const namespaces = (unit: string) => parseYamlObjects(files.get(`${unit}/${unit}.yaml`)!, unit).filter((o) => o.kind === 'Namespace').map((o) => `${o.metadata.name}:${o.metadata.labels.ring}`);
    expect(namespaces('cluster-eu-1')).toEqual(['autocom:stable', 'autocom-edge:edge']);
    expect(namespaces('cluster-us-1')).toEqual(['autocom:stable-us', 'autocom-canary:canary']);
    for (const f of ['shared/shared.yaml', 'ring-canary/ring-canary.yaml']) expect(parseYamlObjects(files.get(f)!, f).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('kubectl kustomize dist/clusters/<name> builds exactly the objects of the units placed there', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-two-clusters-'));
    try {
      for (const [f, t] of files) {
        fs.mkdirSync(path.dirname(path.join(dist, f)), { recursive: true });
        fs.writeFileSync(path.join(dist, f), t);
      }
      const key = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      for (const c of ['eu-1', 'us-1']) {
        const r = spawnSync('kubectl', ['kustomize', path.join(dist, 'clusters', c)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        expect(r.stderr).toBe('');
        expect(parseYamlObjects(r.stdout, c).map(key).sort()).toEqual(objectsOn(c).map(key).sort());
      }
      // No kustomization at the top: `kubectl apply -k dist/` stops before applying anything to the wrong cluster.
      const top = spawnSync('kubectl', ['kustomize', dist], { encoding: 'utf8' });
      expect(top.status).not.toBe(0);
      expect(top.stderr).toMatch(/unable to find one of 'kustomization.yaml'/);
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });

  test('a registry with one cluster declared keeps the per-cluster layout; without [clusters] the single-cluster one', () => {
    const s = withPlatform((t) => t.replace(/\[clusters\.us-1\][^[]*$/s, '').replace(/^remote_server = .*$/m, ''));
    for (const ring of ['canary', 'stable-us']) s.set(`${ring}.toml`, s.get(`${ring}.toml`)!.replace('cluster = "us-1"', ''));
    s.set('stable-us.toml', s.get('stable-us.toml')!.replace('namespace = "autocom"', 'namespace = "autocom-us"'));
    const one = synthesize(resolvePlan(parse(s))).files;
    expect([...one.keys()].filter((f) => f.startsWith('cluster'))).toEqual(['cluster-eu-1/cluster-eu-1.yaml', 'cluster-eu-1/kustomization.yaml', 'clusters/eu-1/kustomization.yaml']);
    expect(one.has('kustomization.yaml')).toBe(false);
  });
});

describe('every gate, cluster by cluster', () => {
  test('the strict schema and the real CRDs (ESO, cert-manager, Flux) admit every file, dist/gitops/ included', () => {
    expect(schemaViolationsOfFiles(files)).toEqual([]);
  });

  test.each(['eu-1', 'us-1'])('%s: every invariant, every hardening guarantee', (c) => {
    const rc = byCluster.find((x) => x.cluster === c)!;
    expect(rc.objects.length).toBeGreaterThan(10);
    expect(checkInvariants(rc.objects, rc.ctx)).toEqual([]);
    expect(checkGuarantees(rc.objects)).toEqual([]);
  });

  test.each(['eu-1', 'us-1'])('%s: every secret a ring reads is synchronised or listed, every host covered by a certificate', (c) => {
    const objects = objectsOn(c);
    expect(unsyncedSecretReferences(objects)).toEqual([]);
    expect(uncoveredHosts(objects)).toEqual([]);
    expect([...duplicateHostClaims(objects)]).toEqual([]);
  });

  test('each host is claimed once in the whole output, both clusters together', () => {
    expect(hostsClaimedOnce(rendered.objects, rendered.ctx)).toEqual([]);
  });

  test('aliasesPointHome fails in another cluster on an alias that points at *.svc.cluster.local, or at another host', () => {
    const rc = byCluster.find((x) => x.cluster === 'us-1')!;
    const broken = clone(rc.objects);
    find(broken, 'Service', 'autocom-canary', 'redis')!.spec.externalName = 'redis.autocom.svc.cluster.local';
    find(broken, 'Service', 'autocom', 'minio')!.spec.externalName = 'minio.us-1.acme.internal';
    expect(aliasesPointHome(broken, rc.ctx)).toEqual([
      'Service/autocom/minio: externalName "minio.us-1.acme.internal" is not minio\'s remote_host "minio.eu-1.acme.internal"',
      'Service/autocom-canary/redis: externalName "redis.autocom.svc.cluster.local" is not redis\'s remote_host "redis.eu-1.acme.internal"',
    ]);
  });
});

describe('a ring in another cluster', () => {
  const us = objectsOn('us-1');
  const eu = objectsOn('eu-1');

  test('is never the home ring, though its namespace is called autocom: aliases, no shared layer, no home quota', () => {
    const aliases = us.filter((o) => o.kind === 'Service' && o.spec?.type === 'ExternalName' && o.metadata.namespace === 'autocom');
    expect(aliases.map((o) => `${o.metadata.name} → ${o.spec.externalName}`)).toEqual([
      'autocom-db-ro → db-ro.eu-1.acme.internal',
      'autocom-db-rw → db-rw.eu-1.acme.internal',
      'docs → docs.eu-1.acme.internal',
      'frontend → frontend.eu-1.acme.internal',
      'indian-post → indian-post.eu-1.acme.internal',
      'minio → minio.eu-1.acme.internal',
      'redis → redis.eu-1.acme.internal',
    ]);
    expect(us.filter((o) => o.kind === 'Deployment').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(
      ['autocom-canary/api', 'autocom-canary/horizon', 'autocom-canary/nginx', 'autocom/api', 'autocom/horizon', 'autocom/nginx'],
    );
    const quota = (objs: K8sObject[]) => find(objs, 'ResourceQuota', 'autocom', 'ring-quota')!.spec.hard.pods;
    expect(Number(quota(us))).toBeLessThan(Number(quota(eu)));
  });

  test('egress: the shared services\' ports to any address (a DNS name is no NetworkPolicy peer); in the home cluster, their pods', () => {
    const api = (objs: K8sObject[], ns: string) => find(objs, 'NetworkPolicy', ns, 'ring-allow-api')!.spec.egress;
    expect(api(us, 'autocom-canary')).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [3000, 5432, 6379, 8080, 9000].map((port) => ({ port, protocol: 'TCP' })) });
    expect(JSON.stringify(api(us, 'autocom-canary'))).not.toMatch(/namespaceSelector[^\]]*kubernetes.io\/metadata.name":"autocom"/);
    expect(api(eu, 'autocom-edge')).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'autocom' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } }], ports: [{ port: 6379, protocol: 'TCP' }] });
  });

  test('the shared layer admits the other clusters\' rings on each remote service\'s port, from outside', () => {
    const redis = find(eu, 'NetworkPolicy', 'autocom', 'shared-allow-redis')!;
    expect(redis.spec.ingress).toContainEqual({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 6379, protocol: 'TCP' }] });
    expect(find(eu, 'NetworkPolicy', 'autocom', 'shared-allow-minio')!.spec.ingress).toContainEqual({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 9000, protocol: 'TCP' }] });
  });

  test('secrets: a ClusterSecretStore on us-1 reads the home namespace on eu-1\'s remote_server with the hand-made token; eu-1\'s store serves eu-1 only', () => {
    const remote = find(us, 'ClusterSecretStore', undefined, 'ring-home-secrets')!;
    expect(remote.spec).toEqual({
      conditions: [{ namespaces: ['autocom', 'autocom-canary'] }],
      provider: {
        kubernetes: {
          auth: { token: { bearerToken: { key: 'token', name: 'ring-home-secrets-token', namespace: 'external-secrets' } } },
          remoteNamespace: 'autocom',
          server: { caProvider: { key: 'ca.crt', name: 'ring-home-secrets-token', namespace: 'external-secrets', type: 'Secret' }, url: 'https://eu-1.k8s.acme.io' },
        },
      },
    });
    expect(find(eu, 'ClusterSecretStore', undefined, 'ring-home-secrets')!.spec.conditions).toEqual([{ namespaces: ['autocom-edge'] }]);
    const reader = find(eu, 'ServiceAccount', 'autocom', 'ring-secret-reader')!;
    expect(reader.metadata.annotations).toEqual({ 'rings.cdk8s.io/read-by-clusters': 'us-1' });
    // The reader may read what the rings of both clusters need, and nothing is generated.
    expect(find(eu, 'Role', 'autocom', 'ring-secret-reader')!.rules[0].resourceNames).toEqual(expect.arrayContaining(['autocom-secrets', 'gitlab-registry', 'redis-auth']));
    expect([...eu, ...us].filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(us.filter((o) => o.kind === 'ExternalSecret' && o.metadata.namespace === 'autocom').map((o) => o.spec.secretStoreRef)).toContainEqual({ kind: 'ClusterSecretStore', name: 'ring-home-secrets' });
  });

  test('remote_token_secret and remote_token_namespace name the hand-made token', () => {
    const s = withPlatform((t) => t.replace('sync = "external-secrets"', 'sync = "external-secrets"\nremote_token_secret = "eu-1-reader"\nremote_token_namespace = "eso"'));
    const store = render(parse(s)).result.charts.find((c) => c.unit === 'cluster-us-1')!.objects.find((o) => o.kind === 'ClusterSecretStore')!;
    expect(store.spec.provider.kubernetes.auth.token.bearerToken).toEqual({ key: 'token', name: 'eu-1-reader', namespace: 'eso' });
  });
});

describe('delivery across clusters', () => {
  const flux = parseYamlObjects(files.get('gitops/flux.yaml')!, 'flux.yaml');
  const ks = new Map(flux.filter((o) => o.kind === 'Kustomization').map((o) => [o.metadata.name as string, o]));

  test('Flux: units on us-1 are applied through its kubeconfig Secret (key "value"); home units in-cluster', () => {
    const remote = [...ks.values()].filter((k) => k.spec.kubeConfig).map((k) => String(k.metadata.name)).sort();
    expect(remote).toEqual(['autocom-cluster-us-1', 'autocom-ring-canary', 'autocom-ring-stable-us']);
    for (const n of remote) expect(ks.get(n)!.spec.kubeConfig).toEqual({ secretRef: { name: 'us-1-kubeconfig', key: 'value' } });
  });

  test('Flux: a ring on us-1 depends on the home cluster\'s shared layer and on its own cluster unit, never on another ring', () => {
    const deps = (n: string) => (ks.get(n)!.spec.dependsOn ?? []).map((d: { name: string }) => d.name);
    expect(deps('autocom-ring-canary')).toEqual(['autocom-shared', 'autocom-cluster-us-1']);
    expect(deps('autocom-ring-stable-us')).toEqual(['autocom-shared', 'autocom-cluster-us-1']);
    expect(deps('autocom-ring-edge')).toEqual(['autocom-shared']);
    expect(deps('autocom-shared')).toEqual(['autocom-cluster-eu-1']);
    expect(deps('autocom-cluster-us-1')).toEqual([]);
  });

  const argo = (strategy: string) =>
    synthesize(resolvePlan(parse(withPlatform((t) => t.replace('tool = "flux"', `tool = "argo-cd"${strategy}`).replace(/^kubeconfig_secret = .*$/m, ''))))).files;

  test('Argo CD: each Application to its cluster\'s server; the project lists exactly those (server, namespace) destinations', () => {
    const out = argo('');
    const objs = parseYamlObjects(out.get('gitops/argo-cd.yaml')!, 'argo-cd.yaml');
    const apps = objs.filter((o) => o.kind === 'Application');
    expect(apps.map((a) => `${a.metadata.name} ${a.spec.destination.server} ${a.spec.destination.namespace} wave ${a.metadata.annotations['argocd.argoproj.io/sync-wave']}`)).toEqual([
      'autocom-cluster-eu-1 https://kubernetes.default.svc autocom wave 0',
      'autocom-cluster-us-1 https://us-1.k8s.acme.io autocom wave 1',
      'autocom-shared https://kubernetes.default.svc autocom wave 2',
      'autocom-ring-canary https://us-1.k8s.acme.io autocom-canary wave 3',
      'autocom-ring-edge https://kubernetes.default.svc autocom-edge wave 4',
      'autocom-ring-stable-us https://us-1.k8s.acme.io autocom wave 5',
      'autocom-ring-stable https://kubernetes.default.svc autocom wave 6',
    ]);
    const project = objs.find((o) => o.kind === 'AppProject')!;
    const allowed = new Set(project.spec.destinations.map((d: Record<string, string>) => `${d.server} ${d.namespace}`));
    for (const a of apps) expect(allowed.has(`${a.spec.destination.server} ${a.spec.destination.namespace}`)).toBe(true);
    expect(project.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'autocom' },
      { server: 'https://kubernetes.default.svc', namespace: 'autocom-edge' },
      { server: 'https://us-1.k8s.acme.io', namespace: 'autocom' },
      { server: 'https://us-1.k8s.acme.io', namespace: 'autocom-canary' },
    ]);
    expect(schemaViolationsOfFiles(new Map([...out].filter(([f]) => f.startsWith('gitops/'))))).toEqual([]);
  });

  test('Argo CD: a cluster unit on a cluster without the home namespace is deployed to a namespace it creates there', () => {
    const s = withPlatform((t) => t.replace('tool = "flux"', 'tool = "argo-cd"').replace(/^kubeconfig_secret = .*$/m, ''));
    s.set('stable-us.toml', s.get('stable-us.toml')!.replace('namespace = "autocom"', 'namespace = "autocom-us"'));
    const objs = parseYamlObjects(synthesize(resolvePlan(parse(s))).files.get('gitops/argo-cd.yaml')!, 'argo-cd.yaml');
    const app = objs.find((o) => o.kind === 'Application' && o.metadata.name === 'autocom-cluster-us-1')!;
    expect(app.spec.destination).toEqual({ server: 'https://us-1.k8s.acme.io', namespace: 'autocom-canary' });
    expect(objs.find((o) => o.kind === 'AppProject')!.spec.destinations).toContainEqual({ server: 'https://us-1.k8s.acme.io', namespace: 'autocom-canary' });
  });

  test('Argo CD ApplicationSet: each element carries its server; the RollingSync steps keep promotion order across clusters', () => {
    const out = argo('\nargo_cd_strategy = "applicationset"');
    const set = parseYamlObjects(out.get('gitops/argo-cd.yaml')!, 'argo-cd.yaml').find((o) => o.kind === 'ApplicationSet')!;
    expect(set.spec.generators[0].list.elements.map((e: Record<string, string>) => `${e.unit}@${e.server}`)).toEqual([
      'cluster-eu-1@https://kubernetes.default.svc',
      'cluster-us-1@https://us-1.k8s.acme.io',
      'shared@https://kubernetes.default.svc',
      'ring-canary@https://us-1.k8s.acme.io',
      'ring-edge@https://kubernetes.default.svc',
      'ring-stable-us@https://us-1.k8s.acme.io',
      'ring-stable@https://kubernetes.default.svc',
    ]);
    expect(set.spec.template.spec.destination).toEqual({ server: '{{.server}}', namespace: '{{.namespace}}' });
    expect(set.spec.strategy.rollingSync.steps.map((s: any) => s.matchExpressions[0].values[0])).toEqual(['cluster-eu-1', 'cluster-us-1', 'shared', 'ring-canary', 'ring-edge', 'ring-stable-us', 'ring-stable']);
    expect(schemaViolationsOfFiles(new Map([...out].filter(([f]) => f.startsWith('gitops/'))))).toEqual([]);
  });

  test('the gate fails on a misspelt kubeConfig (the real Flux CRD)', () => {
    const broken = new Map([['gitops/flux.yaml', files.get('gitops/flux.yaml')!.replace('kubeConfig:', 'kubeconfig:')]]);
    expect(schemaViolationsOfFiles(broken).join('\n')).toMatch(/Kustomization\/flux-system\/autocom-cluster-us-1: .*kubeconfig/);
  });

  test('YAML of dist/gitops/ parses as Kubernetes reads it', () => {
    expect(() => YAML.parseAllDocuments(files.get('gitops/flux.yaml')!)).not.toThrow();
  });
});
