/**
 * Flux delivers rings across two clusters: two real control planes of one Kubernetes version (eu-1,
 * the home cluster, and us-1, each its own etcd, API server, controllers and KWOK), Flux's own
 * source-controller and kustomize-controller running for eu-1 only (test/cluster/flux.ts), and a
 * loopback git server (test/cluster/git-server.ts) holding a copy of the project with the two-cluster
 * fixture as its registry. `kubectl apply -k dist/gitops` on eu-1 and two hand-made Secrets (the git
 * server's CA, us-1's kubeconfig under key "value") are the whole bootstrap: Flux applies eu-1's units
 * in eu-1 and, through the kubeconfig Secret, us-1's units in us-1, each as its own ServiceAccount.
 * A promote into canary through `rings … --commit` and `git push` rolls canary on us-1 only, and
 * `rings verify` covers both clusters.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CLUSTER_DIR, ControlPlane, startControlPlane } from './control-plane';
import { createCaSecret, createKubeconfigSecret, Flux, KustomizationState, kustomizations, requestReconcile, sourceRevision, startFlux } from './flux';
import { GitServer, startGitServer } from './git-server';
import { applyClusterStandIns, clusterFiles, installCrdsOnce, mergedKubeconfig, TWO_CLUSTERS } from './multi-cluster-suite';
import { deploymentsWithNewReplicaSets, incompleteRollouts, managedDeployments, OperatorSet, provideOperatorPrerequisites, replicaSets, supportMatrix, Workdir, workdir } from './platform';
import { ringsCli } from './verify-scenarios';

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');
const LONG = 15 * 60_000;
const FLUX_NS = 'flux-system';
const CA_SECRET = 'git-ca';
const KUBECONFIG_SECRET = 'us-1-kubeconfig';
const ks = (unit: string) => `autocom-${unit}`;
const EU_UNITS = ['cluster-eu-1', 'shared', 'ring-stable', 'ring-edge'].map(ks);
const US_UNITS = ['cluster-us-1', 'ring-stable-us', 'ring-canary'].map(ks);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function defineMultiClusterFluxSuite(version: string): void {
  const minor = version.split('.').slice(0, 2).join('.');
  const { flux: _admissionOnly, ...operators } = supportMatrix()[minor];

  describe(`Flux delivers rings across two Kubernetes ${version} control planes`, () => {
    const planes: Record<string, ControlPlane> = {};
    let git: GitServer;
    let flux: Flux;
    let wd: Workdir;
    let kubeconfig: string;
    const eu = () => planes['eu-1'];
    const us = () => planes['us-1'];
    const g = (...args: string[]) => execFileSync('git', args, { cwd: wd.dir, env: git.gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const push = () => {
      g('push', '-q', 'origin', 'main');
      return `main@sha1:${g('rev-parse', 'HEAD').trim()}`;
    };
    const states = () => kustomizations(eu(), FLUX_NS);
    const describe_ = (s: ReadonlyMap<string, KustomizationState>) =>
      [...s.values()].map((k) => `${k.name}: Ready ${k.ready?.status} ${k.ready?.reason ?? ''} applied ${k.lastAppliedRevision}: ${(k.ready?.message ?? '').slice(0, 300)}`).join('\n');
    const until = async (what: string, check: () => boolean, timeoutMs = 420_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (check()) return;
        await sleep(2000);
      }
      throw new Error(`${what}: not reached within ${timeoutMs / 1000} s\n${describe_(states())}\n${flux.tail(15)}`);
    };
    const readyAt = (names: readonly string[], rev: string) => () => {
      const s = states();
      return names.every((n) => s.get(n)?.ready?.status === 'True' && s.get(n)?.lastAppliedRevision === rev);
    };
    const verify = (...args: string[]) => ringsCli(wd, ['verify', '--kubeconfig', kubeconfig, ...args]);
    let bootstrapped = '';

    beforeAll(async () => {
      const [a, b, server] = await Promise.all([startControlPlane(version), startControlPlane(version), startGitServer()]);
      planes['eu-1'] = a;
      planes['us-1'] = b;
      git = server;
      for (const cp of [a, b]) expect((await installCrdsOnce(cp, operators as OperatorSet)).flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
      flux = await startFlux(a);
      // The test's copy of the project: the two-cluster registry as rings/, its dist/, the project's .gitignore.
      wd = workdir(TWO_CLUSTERS);
      fs.copyFileSync(path.join(ROOT, '.gitignore'), path.join(wd.dir, '.gitignore'));
      const url = git.createRepository('platform');
      const toml = path.join(wd.registry, 'platform.toml');
      const text = fs.readFileSync(toml, 'utf8');
      const gitops = 'tool = "flux"\nrepo_url = "https://gitlab.com/autocommerce/platform.git"\n';
      if (!text.includes(gitops)) throw new Error('the two-cluster fixture\'s [gitops] changed: update the test');
      fs.writeFileSync(toml, text.replace(gitops, `tool = "flux"\nrepo_url = "${url}"\nsecret_ref = "${CA_SECRET}"\ninterval = "1m"\ntimeout = "2m"\n`));
      wd.synth();
      g('init', '-q', '-b', 'main');
      g('config', 'user.name', 'Rings CI');
      g('config', 'user.email', 'ci@rings.test');
      g('add', '-A');
      g('commit', '-qm', 'platform on two clusters, delivered by Flux from the test git server');
      g('remote', 'add', 'origin', url);
      bootstrapped = push();
      for (const cp of [a, b]) provideOperatorPrerequisites(cp, wd.dist);
      // Beside the work tree, not in it: --commit refuses a tree with changes outside rings/ and dist/.
      kubeconfig = `${wd.dir}.kubeconfig`;
      mergedKubeconfig(kubeconfig, planes, {});
    }, LONG);
    afterAll(async () => {
      await flux?.stop();
      await git?.stop();
      await Promise.all(Object.values(planes).map((cp) => cp.stop()));
      wd?.cleanup();
      if (kubeconfig) fs.rmSync(kubeconfig, { force: true });
    });

    test('bootstrap: apply -k dist/gitops on eu-1 and the two hand-made Secrets; every Kustomization Ready, eu-1\'s units in eu-1 and us-1\'s in us-1 through its kubeconfig Secret, in dependsOn order', async () => {
      eu().kubectlOk(['apply', '--server-side', '--field-manager=bootstrap', '-k', path.join(wd.dist, 'gitops')]);
      createCaSecret(eu(), CA_SECRET, git.caFile);
      createKubeconfigSecret(eu(), us(), KUBECONFIG_SECRET);
      requestReconcile(eu(), 'gitrepository', 'autocom', FLUX_NS);
      await until('every Kustomization Ready at the pushed revision', readyAt([...EU_UNITS, ...US_UNITS, ks('delivery')], bootstrapped));
      const s = states();
      // The remote units are applied through the Secret, each ring as its own identity there.
      for (const n of US_UNITS) expect(s.get(n)!).toBeDefined();
      const spec = (n: string) => eu().getJson(['get', 'kustomizations.kustomize.toolkit.fluxcd.io', n, '-n', FLUX_NS]).spec;
      expect(spec(ks('ring-canary')).kubeConfig).toEqual({ secretRef: { name: KUBECONFIG_SECRET, key: 'value' } });
      expect(spec(ks('ring-canary')).serviceAccountName).toBe(ks('ring-canary'));
      // Ready order: each ring after the shared layer, a ring on us-1 after us-1's cluster unit too.
      const at = (n: string) => Date.parse(s.get(n)!.ready!.lastTransitionTime!);
      for (const [before, after] of [
        [ks('cluster-eu-1'), ks('shared')],
        [ks('shared'), ks('ring-canary')],
        [ks('shared'), ks('ring-stable-us')],
        [ks('cluster-us-1'), ks('ring-canary')],
        [ks('shared'), ks('ring-edge')],
      ]) expect({ before, after, ordered: at(before) <= at(after) }).toEqual({ before, after, ordered: true });
      // Each cluster runs exactly its rings; nothing of one reached the other.
      expect(managedDeployments(us()).map((d) => `${d.namespace}/${d.name}`)).toEqual(['autocom-canary/api', 'autocom-canary/horizon', 'autocom-canary/nginx', 'autocom/api', 'autocom/horizon', 'autocom/nginx']);
      expect(managedDeployments(eu()).map((d) => `${d.namespace}/${d.name}`)).toEqual([
        'autocom-edge/api', 'autocom-edge/horizon', 'autocom-edge/nginx',
        'autocom/api', 'autocom/docs', 'autocom/frontend', 'autocom/horizon', 'autocom/indian-post', 'autocom/nginx', 'autocom/redis',
      ]);
      expect(eu().kubectl(['get', 'namespace', 'autocom-canary']).code).not.toBe(0);
      expect(incompleteRollouts(eu())).toEqual([]);
      expect(incompleteRollouts(us())).toEqual([]);
    }, LONG);

    test('rings verify covers both clusters (contexts named like them) and passes', async () => {
      const docs = (c: string) => clusterFiles(wd.dist, c).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()).filter((o) => o?.kind));
      applyClusterStandIns(eu(), docs('eu-1'), true, ['autocom-db-ro', 'autocom-db-rw', 'minio']);
      applyClusterStandIns(us(), docs('us-1'), false, []);
      await until('verify passes on both clusters', () => verify().code === 0, 180_000);
      expect(verify().lines).toEqual([
        'ok  stable (autocom on eu-1): 10 checks passed',
        'ok  stable-us (autocom on us-1): 10 checks passed',
        'ok  edge (autocom-edge on eu-1): 10 checks passed',
        'ok  canary (autocom-canary on us-1): 10 checks passed',
      ]);
    }, LONG);

    test('promote into canary through git: rings promote --commit, git push; Flux rolls canary\'s api and horizon on us-1 only, and verify passes again', async () => {
      const rsEu = replicaSets(eu());
      const rsUs = replicaSets(us());
      const lock = JSON.parse(fs.readFileSync(path.join(wd.registry, 'locks', 'canary.lock.json'), 'utf8'));
      const module = Object.keys(lock.modules).sort()[0];
      const sha = createHash('sha256').update(`${module}@99.0.0`).digest('hex');
      const r = ringsCli(wd, ['promote', module, '--with-version', '99.0.0', '--sha256', sha, '--to', 'canary', '--emergency', '--reason', 'cluster test', '--yes', '--commit']);
      expect({ code: r.code, errors: r.stderr.split('\n').filter((l) => /error|refused|not committed/i.test(l)) }).toEqual({ code: 0, errors: [] });
      expect(r.stdout).toMatch(/committed [0-9a-f]{12}: promote\(canary\)/);
      expect(g('show', '--name-only', '--format=', 'HEAD').trim().split('\n').filter((f) => f.startsWith('dist/'))).toEqual(['dist/ring-canary/ring-canary.yaml']);
      const rev = push();
      requestReconcile(eu(), 'gitrepository', 'autocom', FLUX_NS);
      await until('ring-canary applied at the new revision', readyAt([ks('ring-canary')], rev));
      await until('every Kustomization Ready at the new revision', readyAt([...EU_UNITS, ...US_UNITS], rev));
      expect(incompleteRollouts(us())).toEqual([]);
      expect(deploymentsWithNewReplicaSets(rsUs, replicaSets(us()))).toEqual(['autocom-canary/api', 'autocom-canary/horizon']);
      expect(deploymentsWithNewReplicaSets(rsEu, replicaSets(eu()))).toEqual([]);
      await until('verify clean after the promote', () => verify().code === 0, 180_000);
      const canary = verify('--ring', 'canary');
      expect(canary.lines).toEqual(['ok  canary (autocom-canary on us-1): 10 checks passed']);
    }, LONG);
  });
}
