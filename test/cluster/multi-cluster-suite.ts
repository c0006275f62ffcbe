/**
 * Rings across clusters on two real control planes of one Kubernetes version (each its own etcd, API
 * server, controllers and KWOK nodes): the two-cluster fixture (test/fixtures/registries/two-clusters/)
 * has each cluster's dist/clusters/<name>/ applied to its own API server, file by file, server-side
 * and strict; every rollout completes on its cluster and nothing of one cluster reaches the other (a
 * namespace `autocom` on both, the shared layer on eu-1 only); `rings verify` and `rings diff --live`
 * read both through one kubeconfig with a context per cluster; a promote into canary (us-1) changes
 * only its unit and rolls only there; a break on us-1 is named on us-1; us-1 unreachable is exit 2
 * naming the cluster. (Delivering the same units with Flux: test/cluster/multi-cluster-flux-*.)
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { clusterKustomizations, readDir } from '../../src/render/dist';
import { CLUSTER_DIR, ControlPlane, startControlPlane } from './control-plane';
import {
  applyServerSide,
  deploymentsWithNewReplicaSets,
  incompleteRollouts,
  installCrds,
  managedDeployments,
  OperatorSet,
  provideOperatorPrerequisites,
  replicaSets,
  supportMatrix,
  Workdir,
  workdir,
} from './platform';
import { markExternalSecretsReady, referencedSecrets, ringsCli, standInService, until } from './verify-scenarios';

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');
export const TWO_CLUSTERS = path.join(ROOT, 'test', 'fixtures', 'registries', 'two-clusters');
const LONG = 15 * 60_000;
const HOME_NS = 'autocom';
/** The context us-1 is read with: not named like the cluster, so --context us-1=… is exercised; eu-1 uses the default. */
const US_CONTEXT = 'us-1-admin';

/** One kubeconfig holding both control planes, as contexts `eu-1` and `us-1-admin`. */
export function mergedKubeconfig(file: string, planes: Record<string, ControlPlane>, contextOf: Record<string, string>): void {
  const config = { apiVersion: 'v1', kind: 'Config', clusters: [] as any[], users: [] as any[], contexts: [] as any[], 'current-context': '' };
  for (const [name, cp] of Object.entries(planes)) {
    const k = YAML.parse(fs.readFileSync(cp.kubeconfig, 'utf8'));
    const ctx = contextOf[name] ?? name;
    config.clusters.push({ name, cluster: k.clusters[0].cluster });
    config.users.push({ name: `${name}-admin-user`, user: k.users[0].user });
    config.contexts.push({ name: ctx, context: { cluster: name, user: `${name}-admin-user` } });
  }
  fs.writeFileSync(file, YAML.stringify(config));
}

/** The manifest files of one cluster, in its kustomization's order, as paths. */
export function clusterFiles(dist: string, cluster: string): string[] {
  return clusterKustomizations(readDir(dist)).get(cluster)!.map((f) => path.join(dist, ...f.split('/')));
}

const docsOf = (files: readonly string[]) => files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()).filter((o) => o?.kind));

/**
 * What operators provide on each cluster: the Secrets its rings reference (placeholders), and on the
 * home cluster the Services of the external services every alias (local or at remote_host) names.
 */
export function applyClusterStandIns(cp: ControlPlane, docs: readonly any[], home: boolean, externalServices: readonly string[]): void {
  const items: object[] = home ? externalServices.map((s) => standInService(HOME_NS, s)) : [];
  for (const ref of referencedSecrets(docs)) {
    const [namespace, name] = ref.split('/');
    items.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: { 'stand-in': 'operator' } }, type: 'Opaque', stringData: { placeholder: 'stand-in' } });
  }
  if (items.length) cp.kubectlOk(['apply', '--server-side', '--field-manager=stand-ins', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  markExternalSecretsReady(cp, docs);
}

/**
 * `installCrds`, tried again when `kubectl wait` trips over a CRD the API server has not given a
 * status yet (".status.conditions accessor error: <nil>", seen with two control planes starting at once).
 */
export async function installCrdsOnce(cp: ControlPlane, set: OperatorSet): Promise<ReturnType<typeof installCrds>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return installCrds(cp, set);
    } catch (e) {
      if (attempt >= 4 || !/accessor error|timed out waiting/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

export function defineMultiClusterSuite(version: string): void {
  const minor = version.split('.').slice(0, 2).join('.');
  const operators = supportMatrix()[minor];

  describe(`rings across clusters on two Kubernetes ${version} control planes`, () => {
    const planes: Record<string, ControlPlane> = {};
    let wd: Workdir;
    let kubeconfig: string;
    const eu = () => planes['eu-1'];
    const us = () => planes['us-1'];
    const verify = (...args: string[]) => ringsCli(wd, ['verify', '--kubeconfig', kubeconfig, '--context', `us-1=${US_CONTEXT}`, ...args]);
    const apply = (cluster: string) => clusterFiles(wd.dist, cluster).map((file) => ({ file: path.relative(wd.dist, file), ...applyServerSide(planes[cluster], { file }) }));

    beforeAll(async () => {
      const [a, b] = await Promise.all([startControlPlane(version), startControlPlane(version)]);
      planes['eu-1'] = a;
      planes['us-1'] = b;
      wd = workdir(TWO_CLUSTERS);
      wd.synth();
      kubeconfig = path.join(wd.dir, 'kubeconfig');
      mergedKubeconfig(kubeconfig, planes, { 'us-1': US_CONTEXT });
    }, LONG);
    afterAll(async () => {
      await Promise.all(Object.values(planes).map((cp) => cp.stop()));
      wd?.cleanup();
    });

    test('install: each cluster\'s dist/clusters/<name>/ on its own API server, file by file, no error and no warning; every rollout completes there', async () => {
      for (const [name, cp] of Object.entries(planes)) {
        expect((await installCrdsOnce(cp, operators)).flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
        provideOperatorPrerequisites(cp, wd.dist);
        const files = apply(name);
        expect(files.map((f) => ({ file: f.file, code: f.code, errors: f.errors, warnings: f.warnings }))).toEqual(files.map((f) => ({ file: f.file, code: 0, errors: [], warnings: [] })));
      }
      const externals = ['autocom-db-ro', 'autocom-db-rw', 'minio'];
      applyClusterStandIns(eu(), docsOf(clusterFiles(wd.dist, 'eu-1')), true, externals);
      applyClusterStandIns(us(), docsOf(clusterFiles(wd.dist, 'us-1')), false, externals);
      expect(incompleteRollouts(eu())).toEqual([]);
      expect(incompleteRollouts(us())).toEqual([]);
    }, LONG);

    test('each cluster runs exactly its rings: autocom holds stable and the shared layer on eu-1, stable-us on us-1; canary only on us-1', () => {
      const deployments = (cp: ControlPlane) => managedDeployments(cp).map((d) => `${d.namespace}/${d.name}`);
      expect(deployments(eu())).toEqual([
        'autocom-edge/api', 'autocom-edge/horizon', 'autocom-edge/nginx',
        'autocom/api', 'autocom/docs', 'autocom/frontend', 'autocom/horizon', 'autocom/indian-post', 'autocom/nginx', 'autocom/redis',
      ]);
      expect(deployments(us())).toEqual(['autocom-canary/api', 'autocom-canary/horizon', 'autocom-canary/nginx', 'autocom/api', 'autocom/horizon', 'autocom/nginx']);
      const ringOf = (cp: ControlPlane) => cp.getJson(['get', 'namespace', HOME_NS]).metadata.labels.ring;
      expect([ringOf(eu()), ringOf(us())]).toEqual(['stable', 'stable-us']);
      // A ring on us-1 reaches the shared services at their remote_host; its store reads eu-1.
      expect(us().getJson(['get', 'service', 'redis', '-n', 'autocom-canary']).spec.externalName).toBe('redis.eu-1.acme.internal');
      expect(us().getJson(['get', 'clustersecretstore', 'ring-home-secrets']).spec.provider.kubernetes.server.url).toBe('https://eu-1.k8s.acme.io');
      expect(us().kubectl(['get', 'namespace', 'autocom-edge']).code).not.toBe(0);
    });

    test('rings verify reads each cluster with its own context and passes on both; diff --live shows nothing on either', async () => {
      await until('verify passes on both clusters', () => verify().code === 0);
      expect(verify().lines).toEqual([
        'ok  stable (autocom on eu-1): 10 checks passed',
        'ok  stable-us (autocom on us-1): 10 checks passed',
        'ok  edge (autocom-edge on eu-1): 10 checks passed',
        'ok  canary (autocom-canary on us-1): 10 checks passed',
      ]);
      const d = ringsCli(wd, ['diff', '--live', '--against', wd.dist, '--kubeconfig', kubeconfig, '--context', `us-1=${US_CONTEXT}`]);
      expect({ code: d.code, out: d.stdout, err: d.stderr }).toEqual({ code: 0, out: `every cluster (eu-1, us-1) matches ${wd.dist}/: applying it would change nothing\n`, err: '' });
    }, LONG);

    test('a promote into canary changes only dist/ring-canary/ and rolls canary\'s api and horizon on us-1 only; verify passes again', async () => {
      const before = readDir(wd.dist);
      const rsEu = replicaSets(eu());
      const rsUs = replicaSets(us());
      const lock = JSON.parse(fs.readFileSync(path.join(wd.registry, 'locks', 'canary.lock.json'), 'utf8'));
      const module = Object.keys(lock.modules).sort()[0];
      const sha = createHash('sha256').update(`${module}@99.0.0`).digest('hex');
      wd.rings(['promote', module, '--with-version', '99.0.0', '--sha256', sha, '--to', 'canary', '--emergency', '--reason', 'cluster test', '--yes']);
      wd.synth();
      const after = readDir(wd.dist);
      expect([...after.keys()].filter((f) => after.get(f) !== before.get(f))).toEqual(['ring-canary/ring-canary.yaml']);
      for (const name of ['eu-1', 'us-1']) expect(apply(name).flatMap((f) => f.errors)).toEqual([]);
      expect(incompleteRollouts(us())).toEqual([]);
      expect(deploymentsWithNewReplicaSets(rsUs, replicaSets(us()))).toEqual(['autocom-canary/api', 'autocom-canary/horizon']);
      expect(deploymentsWithNewReplicaSets(rsEu, replicaSets(eu()))).toEqual([]);
      await until('verify clean after the promote', () => verify().code === 0);
    }, LONG);

    test('a break on us-1 is a finding on us-1 only: canary\'s api scaled to zero; the ring of the same namespace name elsewhere is untouched', async () => {
      us().kubectlOk(['scale', 'deployment', 'api', '-n', 'autocom-canary', '--replicas=0']);
      await until('api scaled down', () => (us().getJson(['get', 'deployment', 'api', '-n', 'autocom-canary']).status.replicas ?? 0) === 0);
      const v = verify();
      expect(v.code).toBe(1);
      // Every finding is canary's api, named on us-1 (the scale-down may still show as a rollout in progress).
      // (Indented lines are the rollback hint a failing ring prints.)
      const findings = v.lines.filter((l) => !/^(ok|FAIL) |^  /.test(l));
      expect(findings.filter((l) => !/^canary on us-1: \[(replicas|rollout)\] Deployment autocom-canary\/api: /.test(l))).toEqual([]);
      expect(findings.some((l) => l.startsWith('canary on us-1: [replicas] Deployment autocom-canary/api: spec.replicas is 0'))).toBe(true);
      expect(v.lines.filter((l) => /^(ok|FAIL) /.test(l))).toEqual([
        'ok  stable (autocom on eu-1): 10 checks passed',
        'ok  stable-us (autocom on us-1): 10 checks passed',
        'ok  edge (autocom-edge on eu-1): 10 checks passed',
        expect.stringMatching(/^FAIL  canary \(autocom-canary on us-1\): \d findings?$/),
      ]);
      const file = path.join(wd.dist, 'ring-canary', 'ring-canary.yaml');
      expect(applyServerSide(us(), { file }, ['--force-conflicts']).errors).toEqual([]);
      expect(incompleteRollouts(us())).toEqual([]);
      await until('verify clean again', () => verify().code === 0);
    }, LONG);

    test('us-1 unreachable: verify exits 2 naming the cluster and its context; --ring of an eu-1 ring still reads eu-1 alone', async () => {
      await us().stop();
      const v = verify();
      expect(v.code).toBe(2);
      expect(v.stderr).toMatch(new RegExp(`^error: cluster us-1 \\(context ${US_CONTEXT}\\): cluster unreachable: `));
      expect(v.stderr.trim().split('\n')).toHaveLength(1);
      const edge = verify('--ring', 'edge');
      expect({ code: edge.code, lines: edge.lines }).toEqual({ code: 0, lines: ['ok  edge (autocom-edge on eu-1): 10 checks passed'] });
    }, LONG);
  });
}
