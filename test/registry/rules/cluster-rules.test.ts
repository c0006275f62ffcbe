/**
 * Rings across clusters: every rule of src/registry/rules/cluster-rules.ts (and the schema keys it reads)
 * passes on the two-cluster fixture and fails with one line on a minimal edit of it; without
 * [clusters], the example registry passes each one and the cluster keys are refused.
 */
import * as path from 'path';
import * as C from '../../../src/registry/rules/cluster-rules';
import { readRegistryDir, Registry } from '../../../src/registry/load';
import * as V from '../../../src/registry/rules/validate';
import { edit as editExample, exampleSources, parse, problemsOf } from '../../support/registry-fixture';

export const TWO_CLUSTERS_DIR = path.join(__dirname, '..', '..', 'fixtures', 'registries', 'two-clusters');
const twoClusterSources = (): Map<string, string> => new Map(readRegistryDir(TWO_CLUSTERS_DIR).sources);

/** The two-cluster fixture with the first match of `find` in `rel` replaced. */
function edit(rel: string, find: string | RegExp, replace: string, sources = twoClusterSources()): Map<string, string> {
  const text = sources.get(rel);
  if (text === undefined) throw new Error(`no ${rel} in the fixture`);
  const out = text.replace(find, replace);
  if (out === text) throw new Error(`edit of ${rel} changed nothing: ${String(find)} not found`);
  sources.set(rel, out);
  return sources;
}

function inputOf(reg: Registry): V.CrossFileInput {
  return {
    dir: reg.dir,
    platform: reg.platform,
    platformFile: 'rings/platform.toml',
    tenantsFile: 'rings/tenants.toml',
    rings: reg.rings,
    tenants: reg.tenants,
    previews: reg.previews,
    locks: reg.locks,
    lockFiles: Object.values(reg.locks).map((l) => ({ file: l.file, ring: l.ring })),
    ringFiles: reg.rings.map((r) => r.spec.name),
    ringFilesFailed: false,
  };
}
const fixture = () => inputOf(parse(twoClusterSources()));
const example = () => inputOf(parse(exampleSources()));

test('the two-cluster fixture passes every rule, and the example registry every cluster rule', () => {
  for (const rule of V.RULES) expect(rule(fixture())).toEqual([]);
  for (const rule of C.CLUSTER_RULES) expect(rule(example())).toEqual([]);
});

describe('homeClusterDeclared', () => {
  test('passes', () => expect(C.homeClusterDeclared(fixture())).toEqual([]));
  test('fails when [clusters] is set and home_cluster is not, listing the clusters', () => {
    expect(problemsOf(edit('platform.toml', /^home_cluster = .*$/m, ''))).toEqual([
      'rings/platform.toml: home_cluster: missing: expected the cluster the home ring and the shared layer run in, one of [clusters] (eu-1, us-1)',
    ]);
  });
  test('fails when home_cluster names an undeclared cluster', () => {
    expect(problemsOf(edit('platform.toml', 'home_cluster = "eu-1"', 'home_cluster = "eu-2"'))).toEqual([
      'rings/platform.toml: home_cluster: expected one of the declared clusters (eu-1, us-1), got "eu-2"',
    ]);
  });
  test('fails on two home clusters (an array)', () => {
    expect(problemsOf(edit('platform.toml', 'home_cluster = "eu-1"', 'home_cluster = ["eu-1", "us-1"]'))).toEqual([
      'rings/platform.toml: home_cluster: expected one home cluster: the name of a cluster of [clusters], got an array',
    ]);
  });
  test('fails when home_cluster is written without [clusters]', () => {
    expect(problemsOf(editExample('platform.toml', 'home_ring = "stable"', 'home_ring = "stable"\nhome_cluster = "eu-1"'))).toEqual([
      'rings/platform.toml: home_cluster: expected a cluster declared as [clusters.eu-1] (no [clusters] is declared), got "eu-1"; declare the clusters or remove home_cluster',
    ]);
  });
  test('a cluster name that is not a DNS label is refused by the schema', () => {
    expect(problemsOf(edit('platform.toml', '[clusters.us-1]', '[clusters.US_1]'))).toContain(
      'rings/platform.toml: clusters.US_1: expected a cluster name: a DNS label of at most 55 characters (dist/ gets a folder cluster-<name>), got "US_1"',
    );
  });
});

describe('ringClustersDeclared', () => {
  test('passes', () => expect(C.ringClustersDeclared(fixture())).toEqual([]));
  test('fails on an unknown cluster, listing the known ones', () => {
    expect(problemsOf(edit('canary.toml', 'cluster = "us-1"', 'cluster = "us-2"'))).toEqual([
      'rings/canary.toml: cluster: expected a cluster declared in rings/platform.toml (eu-1, us-1), got "us-2"',
    ]);
  });
  test('fails on a cluster without [clusters]', () => {
    expect(problemsOf(editExample('canary.toml', 'soak = "24h"', 'soak = "24h"\ncluster = "us-1"'))).toEqual([
      'rings/canary.toml: cluster: expected no cluster (rings/platform.toml declares no [clusters]: every ring runs in one cluster), got "us-1"',
    ]);
  });
});

describe('homeRingInHomeCluster (one home)', () => {
  test('passes', () => expect(C.homeRingInHomeCluster(fixture())).toEqual([]));
  test('fails when the home ring is placed on another cluster than home_cluster', () => {
    expect(problemsOf(edit('stable.toml', 'soak = "0h"', 'soak = "0h"\ncluster = "us-1"'))).toContain(
      'rings/stable.toml: cluster: expected the home cluster "eu-1" (home_cluster in platform.toml; stable is home_ring, so the shared layer runs beside it), got "us-1"; change home_cluster or home_ring instead',
    );
  });
});

describe('uniqueNamespacesPerCluster', () => {
  test('passes: stable (eu-1) and stable-us (us-1) share the namespace autocom', () => {
    expect(C.uniqueNamespacesPerCluster(fixture())).toEqual([]);
    expect(parse(twoClusterSources()).rings.filter((r) => r.spec.namespace === 'autocom').map((r) => r.spec.name)).toEqual(['stable', 'stable-us']);
  });
  test('fails on the same namespace twice in one cluster, naming it', () => {
    expect(problemsOf(edit('canary.toml', 'namespace = "autocom-canary"', 'namespace = "autocom"'))).toEqual([
      'rings/stable-us.toml: namespace: expected a unique namespace in cluster us-1, got "autocom", already used by rings/canary.toml',
    ]);
  });
  test('without [clusters], one namespace once (the plain rule)', () => {
    expect(problemsOf(editExample('edge.toml', 'namespace = "autocom-edge"', 'namespace = "autocom-canary"'))).toContain(
      'rings/edge.toml: namespace: expected a unique namespace, got "autocom-canary", already used by rings/canary.toml',
    );
  });
});

describe('clustersReachableByTheGitopsTool', () => {
  const argo = () => edit('platform.toml', 'tool = "flux"', 'tool = "argo-cd"', edit('platform.toml', /^kubeconfig_secret = .*$/m, ''));
  test('passes under Flux and under Argo CD', () => {
    expect(C.clustersReachableByTheGitopsTool(fixture())).toEqual([]);
    expect(C.clustersReachableByTheGitopsTool(inputOf(parse(argo())))).toEqual([]);
  });
  test('fails under Flux for a remote cluster without kubeconfig_secret', () => {
    expect(problemsOf(edit('platform.toml', /^kubeconfig_secret = .*$/m, ''))).toEqual([
      'rings/platform.toml: clusters.us-1.kubeconfig_secret: missing: expected the name of the Secret in flux-system holding us-1\'s kubeconfig under key "value" (made by hand, never generated): Flux runs in the home cluster and applies us-1\'s units through it',
    ]);
  });
  test('fails under Flux for a kubeconfig_secret on the home cluster', () => {
    expect(problemsOf(edit('platform.toml', '[clusters.eu-1]', '[clusters.eu-1]\nkubeconfig_secret = "eu-1-kubeconfig"'))).toEqual([
      'rings/platform.toml: clusters.eu-1.kubeconfig_secret: expected no kubeconfig_secret on the home cluster (Flux runs there and applies its units in-cluster), got "eu-1-kubeconfig"; remove it',
    ]);
  });
  test('fails under Argo CD for a remote cluster without server', () => {
    expect(problemsOf(edit('platform.toml', 'server = "https://us-1.k8s.acme.io"', '', argo()))).toEqual([
      "rings/platform.toml: clusters.us-1.server: missing: expected the API URL Argo CD deploys us-1's units to (the cluster as registered in Argo CD)",
    ]);
  });
  test('fails under Argo CD on a kubeconfig_secret (a Flux key)', () => {
    expect(problemsOf(edit('platform.toml', 'tool = "flux"', 'tool = "argo-cd"'))).toEqual([
      'rings/platform.toml: clusters.us-1.kubeconfig_secret: expected no kubeconfig_secret (it applies to tool = "flux" only, and tool is "argo-cd": Argo CD reaches us-1 through its cluster registration); remove it, got "us-1-kubeconfig"',
    ]);
  });
  test('fails on destination_server beside [clusters] (ambiguous)', () => {
    expect(problemsOf(edit('platform.toml', 'tool = "argo-cd"', 'tool = "argo-cd"\ndestination_server = "https://eu-1.k8s.acme.io"', argo()))).toEqual([
      'rings/platform.toml: gitops.destination_server: expected no destination_server beside [clusters] (each cluster\'s server is the destination of its units), got "https://eu-1.k8s.acme.io"; remove it and set clusters.<name>.server',
    ]);
  });
});

describe('remoteRingsReachSharedServices', () => {
  test('passes', () => expect(C.remoteRingsReachSharedServices(fixture())).toEqual([]));
  test('fails for a shared service without remote_host, naming the rings, the service and the key', () => {
    expect(problemsOf(edit('platform.toml', /^remote_host = "redis\.eu-1\.acme\.internal".*$/m, ''))).toEqual([
      'rings/platform.toml: shared.services[name=redis].remote_host: missing: expected remote_host on [[shared.services]] redis, the DNS name rings stable-us (cluster us-1), canary (cluster us-1) reach it at on port 6379 (it runs in the home cluster eu-1; *.svc.cluster.local does not reach across clusters)',
    ]);
  });
  test('one ring: one line naming it', () => {
    const s = edit('stable-us.toml', 'cluster = "us-1"', 'cluster = "eu-1"', edit('stable-us.toml', 'namespace = "autocom"', 'namespace = "autocom-us"'));
    expect(problemsOf(edit('platform.toml', /^remote_host = "db-ro\.eu-1\.acme\.internal".*$/m, '', s))).toEqual([
      'rings/platform.toml: shared.external[name=autocom-db-ro].remote_host: missing: expected remote_host on [[shared.external]] autocom-db-ro, the DNS name ring canary (cluster us-1) reaches it at on port 5432 (it runs in the home cluster eu-1; *.svc.cluster.local does not reach across clusters)',
    ]);
  });
  test('fails on remote_host without [clusters]', () => {
    expect(problemsOf(editExample('platform.toml', 'name = "minio"', 'name = "minio"\nremote_host = "minio.acme.internal"'))).toEqual([
      'rings/platform.toml: shared.external[name=minio].remote_host: expected no remote_host without [clusters] (every ring reaches minio inside its one cluster), got "minio.acme.internal"',
    ]);
  });
  test('an IP address is refused (an ExternalName cannot point at one)', () => {
    expect(problemsOf(edit('platform.toml', 'remote_host = "redis.eu-1.acme.internal"', 'remote_host = "10.20.0.7"'))).toEqual([
      'rings/platform.toml: shared.services[name=redis].remote_host: expected a DNS name, not an IP address (the alias is an ExternalName Service, and cluster DNS does not resolve an IP written as a name); give the address a DNS record, got "10.20.0.7"',
    ]);
  });
});

describe('secretsReachRemoteRings', () => {
  test('passes', () => expect(C.secretsReachRemoteRings(fixture())).toEqual([]));
  test('fails under Reflector, on each ring in another cluster', () => {
    const lines = problemsOf(edit('platform.toml', 'sync = "external-secrets"', 'sync = "reflector"'));
    expect(lines).toEqual([
      'rings/canary.toml: cluster: expected the home cluster "eu-1" while secrets.sync = "reflector" in platform.toml (Reflector mirrors secrets within one cluster and cannot reach us-1), got "us-1"; set secrets.sync = "external-secrets" (a store on us-1 reads the home cluster) or "none" (copy them by hand)',
      'rings/stable-us.toml: cluster: expected the home cluster "eu-1" while secrets.sync = "reflector" in platform.toml (Reflector mirrors secrets within one cluster and cannot reach us-1), got "us-1"; set secrets.sync = "external-secrets" (a store on us-1 reads the home cluster) or "none" (copy them by hand)',
    ]);
  });
  test('fails under External Secrets when the home cluster has no address other clusters reach', () => {
    expect(problemsOf(edit('platform.toml', /^remote_server = .*$/m, ''))).toEqual([
      'rings/platform.toml: clusters.eu-1.remote_server: missing: expected the home cluster\'s API URL as us-1 reaches it (the External Secrets store there reads the home secrets at that address); server is "https://kubernetes.default.svc", which on another cluster is that cluster\'s own API server',
    ]);
  });
  test('sync = "none" needs nothing (the operator copies the secrets)', () => {
    const s = edit('platform.toml', 'sync = "external-secrets"', 'sync = "none"', edit('platform.toml', /^remote_server = .*$/m, ''));
    expect(C.secretsReachRemoteRings(inputOf(parse(s)))).toEqual([]);
  });
});

describe('previewsStayInOneCluster', () => {
  test('passes', () => expect(C.previewsStayInOneCluster(fixture())).toEqual([]));
  test('fails for a preview ring in another cluster than the tenant\'s ring', () => {
    expect(problemsOf(edit('tenants.toml', 'umbrella = { ring = "edge", header = "X-Ring", value = "edge" }', 'umbrella = { ring = "canary" }'))).toEqual([
      'rings/tenants.toml: previews.umbrella.ring: expected a ring in the cluster of umbrella\'s own ring stable (eu-1): a header preview needs both routes on one ingress controller or Gateway, got "canary" (cluster us-1)',
    ]);
  });
});
