/**
 * Flux delivers the rings: Flux's own source-controller and kustomize-controller (test/cluster/flux.ts)
 * reconcile the example registry's `dist/` from a loopback git server (smart HTTP over TLS,
 * test/cluster/git-server.ts) on a real control plane. The test's copy of the project (rings/, its
 * dist/, the project's .gitignore) is a git repository whose `[gitops]` says `tool = "flux"` against
 * that server; every change goes through `rings … --commit` and `git push`, as an operator's would.
 *
 * One control plane, one Flux and one repository for the whole suite, the tests in order: each
 * starts from what the one before left (a bootstrapped platform), and the order is part of the
 * story (bootstrap, promote, move a tenant, a broken ring held and rolled back, least privilege,
 * faults, retire). The negative fixtures at the end show that each check fails on what it guards
 * against (fixtures/flux-negative/).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER_DIR, ControlPlane, startControlPlane } from './control-plane';
import { createCaSecret, Flux, fluxCrdRelease, KustomizationState, kustomizations, readyOrderViolations, requestReconcile, sourceRevision, startFlux } from './flux';
import { GitServer, startGitServer } from './git-server';
import {
  deploymentsWithNewReplicaSets,
  distObjects,
  hpasSettled,
  incompleteRollouts,
  installCrds,
  liveVersions,
  OperatorSet,
  provideOperatorPrerequisites,
  replicaSets,
  ringDataReaders,
  supportMatrix,
  Workdir,
  workdir,
} from './platform';
import { withoutMetricChecks } from '../support/metric-checks';
import { trackDir, untrackDir } from './processes';
import { applyStandIns, ringsCli } from './verify-scenarios';

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');
const LONG = 15 * 60_000;
const FLUX_NS = 'flux-system';
const PLATFORM = 'autocom';
const HOME = 'autocom';
const SOURCE = PLATFORM; // [gitops] source_name defaults to the platform name
const CA_SECRET = 'git-ca';
const ks = (unit: string) => `${PLATFORM}-${unit}`;
const RINGS = ['stable', 'edge', 'canary', 'experimental'];
const nsOf = (ring: string) => (ring === 'stable' ? HOME : `${PLATFORM}-${ring}`);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** An api image whose pods KWOK never makes Ready (a release whose readiness probe never passes). */
export const NEVER_READY_IMAGE = `registry.example/autocom/api-octane:2099.6.6-never-ready@sha256:${sha('never-ready')}`;
/** The Flux test's [gitops]: Flux against the loopback git server; short interval and timeout, so a failing health check shows in a minute. */
const fluxGitops = (url: string) => `[gitops]\ntool = "flux"\nrepo_url = "${url}"\nsecret_ref = "${CA_SECRET}"   # its ca.crt: the CA of the test's git server\ninterval = "1m"\ntimeout = "1m"\n`;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The test's copy of the project: a git work tree with rings/, dist/ and the project's .gitignore, pushed to `origin`. */
export interface FluxRepo {
  readonly wd: Workdir;
  readonly url: string;
  git(...args: string[]): string;
  /** `rings …` in the work tree (throws with its output unless it exits 0). */
  rings(...args: string[]): string;
  /** The commit HEAD names. */
  head(): string;
  /** `git push origin main`; returns Flux's name of the pushed revision (`main@sha1:<commit>`). */
  push(): string;
  cleanup(): void;
}

/**
 * The test's copy of the project as a repository on `git`, its `[gitops]` table replaced by
 * `gitops(url)` (default: Flux against that server; the Argo CD suite passes its own).
 */
export function fluxRepo(git: GitServer, name = PLATFORM, gitops: (url: string) => string = fluxGitops, tool = 'flux'): FluxRepo {
  const wd = workdir(path.join(ROOT, 'rings'));
  trackDir(wd.dir);
  // Promotions out of canary need a Prometheus measurement (the analysis gate, test/analysis/); this suite is about delivery.
  withoutMetricChecks(wd.registry);
  fs.copyFileSync(path.join(ROOT, '.gitignore'), path.join(wd.dir, '.gitignore'));
  const url = git.createRepository(name);
  const platformToml = path.join(wd.registry, 'platform.toml');
  const text = fs.readFileSync(platformToml, 'utf8');
  const at = text.search(/^\[gitops\]$/m);
  if (at < 0) throw new Error('rings/platform.toml has no [gitops] table to point at the test git server');
  // The [gitops] table runs to the next table header ([analysis] follows it in the example) or the end.
  const next = text.slice(at + '[gitops]'.length).search(/^\[/m);
  const rest = next < 0 ? '' : `\n${text.slice(at + '[gitops]'.length + next)}`;
  fs.writeFileSync(platformToml, text.slice(0, at) + gitops(url) + rest);
  wd.synth();
  const g = (...args: string[]) => execFileSync('git', args, { cwd: wd.dir, env: git.gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  g('init', '-q', '-b', 'main');
  g('config', 'user.name', 'Rings CI');
  g('config', 'user.email', 'ci@rings.test');
  g('add', '-A');
  g('commit', '-qm', `platform: [gitops] tool = "${tool}" against the test git server`);
  g('remote', 'add', 'origin', url);
  const head = () => g('rev-parse', 'HEAD').trim();
  const push = () => {
    g('push', '-q', 'origin', 'main');
    return `main@sha1:${head()}`;
  };
  push();
  return {
    wd,
    url,
    git: g,
    rings: (...args: string[]) => {
      const r = ringsCli(wd, args);
      if (r.code !== 0) throw new Error(`rings ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
      return r.stdout;
    },
    head,
    push,
    cleanup: () => untrackDir(wd.dir),
  };
}

/** Why a Kustomization is not holding `revision` back on its health checks; undefined when it is (Ready False, HealthCheckFailed, revision attempted, not applied). */
export function notHeld(k: KustomizationState | undefined, revision: string): string | undefined {
  if (!k) return 'no such Kustomization';
  if (k.lastAttemptedRevision !== revision) return `has not attempted ${revision} (attempted ${k.lastAttemptedRevision})`;
  if (k.ready?.status !== 'False' || k.ready.reason !== 'HealthCheckFailed') return `Ready ${k.ready?.status} (${k.ready?.reason}: ${k.ready?.message})`;
  if (k.lastAppliedRevision === revision) return `reports ${revision} as applied`;
  return undefined;
}

/** Whether `user` may `verb` `resource` in `namespace`, as the real API server's RBAC decides (`kubectl auth can-i`). */
export function allowed(cp: ControlPlane, user: string, verb: string, resource: string, namespace?: string): boolean {
  const r = cp.kubectl(['auth', 'can-i', verb, resource, ...(namespace ? ['-n', namespace] : []), `--as=${user}`]);
  return r.stdout.trim() === 'yes';
}

const saUser = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

function describeStates(states: ReadonlyMap<string, KustomizationState>): string {
  return [...states.values()].map((k) => `${k.name}: Ready ${k.ready?.status} ${k.ready?.reason ?? ''} applied ${k.lastAppliedRevision} attempted ${k.lastAttemptedRevision}: ${(k.ready?.message ?? '').slice(0, 300)}`).join('\n');
}

export function defineFluxSuite(version: string): void {
  const minor = version.split('.').slice(0, 2).join('.');
  const matrix = supportMatrix()[minor];
  if (!matrix) throw new Error(`test/cluster/support-matrix.json has no entry for ${minor}`);
  // Where the controllers run, their own CRDs (flux.ts) instead of the matrix's Flux release.
  const { flux: _admissionOnly, ...operators } = matrix;

  describe(`Flux ${fluxCrdRelease()} (source-controller, kustomize-controller) delivers the rings on Kubernetes ${version}`, () => {
    let cp: ControlPlane;
    let git: GitServer;
    let flux: Flux;
    let repo: FluxRepo;
    const t0 = Date.now();

    beforeAll(async () => {
      [cp, git] = await Promise.all([startControlPlane(version, { neverReadyImages: [NEVER_READY_IMAGE] }), startGitServer()]);
      expect(installCrds(cp, operators as OperatorSet).flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
      flux = await startFlux(cp);
      repo = fluxRepo(git);
      provideOperatorPrerequisites(cp, repo.wd.dist);
    }, LONG);
    afterAll(async () => {
      process.stderr.write(`Flux suite on ${version}: ${Math.round((Date.now() - t0) / 1000)} s\n`);
      await flux?.stop();
      await git?.stop();
      await cp?.stop();
      repo?.cleanup();
    });

    const states = () => kustomizations(cp, FLUX_NS);
    const dist = () => repo.wd.dist;
    /** Polls until `check` returns true; on timeout, fails with what the Kustomizations and controllers said. */
    const until = async (what: string, check: () => boolean, timeoutMs = 300_000, every = 1000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (check()) return;
        await sleep(every);
      }
      throw new Error(`${what}: not reached within ${timeoutMs / 1000} s\n${describeStates(states())}\n${flux.tail(15)}`);
    };
    /** Pushes, asks Flux to fetch now (as a webhook receiver would), and returns the pushed revision once the source has it. */
    const pushAndFetch = async (): Promise<string> => {
      const rev = repo.push();
      requestReconcile(cp, 'gitrepository', SOURCE, FLUX_NS);
      await until(`GitRepository ${SOURCE} at ${rev}`, () => sourceRevision(cp, SOURCE, FLUX_NS) === rev, 120_000);
      return rev;
    };
    const readyAt = (names: readonly string[], rev: string) => () => {
      const s = states();
      return names.every((n) => s.get(n)?.ready?.status === 'True' && s.get(n)?.lastAppliedRevision === rev);
    };
    const allUnits = () => [...states().keys()].sort();
    const ringObjects = (exceptRing?: string) => new Set(distObjects(dist()).filter((o) => o.ring && o.ring !== exceptRing).map((o) => o.id));
    const verify = () => ringsCli(repo.wd, ['verify', '--kubeconfig', cp.kubeconfig]);

    test('bootstrap: from a cluster without flux-system, `kubectl apply -k dist/gitops`; every Kustomization becomes Ready in dependsOn order (cluster → shared → rings, from the Ready transition times), every Deployment rolls out, and rings verify finds nothing', async () => {
      expect(cp.kubectl(['get', 'namespace', FLUX_NS]).code).not.toBe(0);
      const applied = cp.kubectl(['apply', '-k', path.join(dist(), 'gitops')]);
      expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
      expect(applied.stdout).toContain(`namespace/${FLUX_NS} created`);
      // The CA of the git server: made by hand, as `secret_ref` says (never generated).
      createCaSecret(cp, CA_SECRET, git.caFile, FLUX_NS);
      requestReconcile(cp, 'gitrepository', SOURCE, FLUX_NS);
      const rev = `main@sha1:${repo.head()}`;
      const units = ['cluster', 'shared', ...RINGS.map((r) => `ring-${r}`), 'delivery'].map(ks);
      await until('every Kustomization Ready at the pushed revision', readyAt(units, rev), 600_000);
      expect(allUnits()).toEqual([...units].sort());
      const s = states();
      // Read back from the API server: what each waits for, and when each became Ready.
      expect(Object.fromEntries([...s.values()].map((k) => [k.name, k.dependsOn]))).toEqual(
        Object.fromEntries(units.map((u) => [u, u === ks('cluster') || u === ks('delivery') ? [] : u === ks('shared') ? [ks('cluster')] : [ks('shared')]])),
      );
      expect(readyOrderViolations(s, [[ks('cluster'), ks('shared')], ...RINGS.map((r) => [ks('shared'), ks(`ring-${r}`)] as const)])).toEqual([]);
      expect(incompleteRollouts(cp)).toEqual([]);
      expect(cp.getJson(['get', 'deployments', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']).items).toHaveLength(16);
      // The autoscaler's first scale-up changes stable's Deployment: done before anything compares generations.
      await hpasSettled(cp);
      // What operators provide (alias targets, Secrets, ExternalSecrets synced), then verify.
      applyStandIns(cp, dist(), HOME);
      await until('rings verify passes', () => verify().code === 0, 120_000, 2000);
      expect(verify().lines.map((l) => l.replace(/: \d+ checks passed$/, ''))).toEqual(RINGS.map((r) => `ok  ${r} (${nsOf(r)})`));
    }, LONG);

    test('promote through git: `rings promote … --commit` and a push; Flux applies the new revision, only that ring\'s Deployments get new ReplicaSets, and its Kustomization reports the revision', async () => {
      const before = replicaSets(cp);
      const others = ringObjects('edge');
      const othersBefore = liveVersions(cp, others);
      repo.rings('promote', 'orders', '--from', 'canary', '--to', 'edge', '--reason', 'Flux cluster test', '--yes', '--commit');
      expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['dist/ring-edge/ring-edge.yaml', 'rings/history.jsonl', 'rings/locks/edge.lock.json']);
      const rev = await pushAndFetch();
      await until('every Kustomization Ready at the promote', readyAt(allUnits(), rev));
      expect(incompleteRollouts(cp)).toEqual([]);
      expect(deploymentsWithNewReplicaSets(before, replicaSets(cp))).toEqual([`${nsOf('edge')}/api`, `${nsOf('edge')}/horizon`]);
      expect(states().get(ks('ring-edge'))!.lastAppliedRevision).toBe(rev);
      expect(liveVersions(cp, others)).toEqual(othersBefore);
      const lockVolume = cp.getJson(['get', 'deployment', 'api', '-n', nsOf('edge')]).spec.template.spec.volumes.find((v: any) => String(v.configMap?.name).startsWith('module-lock-'));
      expect(fs.readFileSync(path.join(dist(), 'ring-edge', 'ring-edge.yaml'), 'utf8')).toContain(`name: ${lockVolume.configMap.name}`);
    }, LONG);

    let ringDataBefore: string;
    let ringDataAfterMove: string;

    test('move a tenant through git: the previous ring-data ConfigMap survives the shared layer\'s apply while the frontend rolls (and what reads it stays mounted)', async () => {
      const current = () => cp.getJson(['get', 'configmaps', '-n', HOME, '-l', 'rings.cdk8s.io/ring-data=true']).items.map((c: any) => c.metadata.name);
      [ringDataBefore] = current();
      const readers = ringDataReaders(dist()).map((id) => id.replace(/^Deployment /, ''));
      expect(readers).toEqual([`${HOME}/frontend`]);
      const rsBefore = replicaSets(cp);
      repo.rings('assign', 'internal-qa', 'canary', '--reason', 'Flux cluster test: empty experimental before it retires', '--yes', '--commit');
      const rev = repo.push();
      requestReconcile(cp, 'gitrepository', SOURCE, FLUX_NS);
      // Sampled from the push until the frontend's rollout is complete: the old ConfigMap is there at every sample.
      const samples: Array<{ previous: boolean; next: boolean; oldPods: number }> = [];
      const frontendRolled = () => {
        const d = cp.getJson(['get', 'deployment', 'frontend', '-n', HOME]);
        const mounted = (d.spec.template.spec.volumes ?? []).some((v: any) => v.configMap?.name && v.configMap.name !== ringDataBefore && v.configMap.name.startsWith('ring-data-'));
        const st = d.status ?? {};
        const want = d.spec.replicas ?? 1;
        return mounted && st.observedGeneration >= d.metadata.generation && st.updatedReplicas === want && st.replicas === want && st.availableReplicas === want;
      };
      const oldHash = rsBefore.get(`${HOME}/frontend`)!;
      await until('the frontend rolled to the new ring data', () => {
        const names = cp.getJson(['get', 'configmaps', '-n', HOME]).items.map((c: any) => c.metadata.name as string);
        const pods = cp.getJson(['get', 'pods', '-n', HOME, '-l', 'app.kubernetes.io/name=frontend']).items;
        samples.push({
          previous: names.includes(ringDataBefore),
          next: names.some((n: string) => n.startsWith('ring-data-') && n !== ringDataBefore),
          oldPods: pods.filter((p: any) => oldHash.includes(p.metadata.labels['pod-template-hash'])).length,
        });
        return frontendRolled();
      }, 300_000, 500);
      await until('every Kustomization Ready at the tenant move', readyAt(allUnits(), rev));
      [ringDataAfterMove] = current();
      expect(ringDataAfterMove).not.toBe(ringDataBefore);
      expect(samples.every((s) => s.previous)).toBe(true);
      // The situation the rule is about did happen: the new ConfigMap existed while pods of the old template still ran.
      expect(samples.some((s) => s.next && s.oldPods > 0)).toBe(true);
      const kept = cp.getJson(['get', 'configmap', ringDataBefore, '-n', HOME]);
      expect(kept.metadata.annotations['rings.cdk8s.io/retained']).toMatch(/^previous version of ring-data/);
      expect(deploymentsWithNewReplicaSets(rsBefore, replicaSets(cp))).toEqual([`${HOME}/frontend`]);
    }, LONG);

    test('a broken ring is held: an api image whose pods never become Ready fails canary\'s health check, the other rings stay Ready and unchanged, rings verify names canary; rollback --commit and a push bring it back', async () => {
      const before = replicaSets(cp);
      const others = ringObjects('canary');
      const othersBefore = liveVersions(cp, others);
      const hashBefore = before.get(`${nsOf('canary')}/api`)!;
      repo.rings('promote', 'image', 'api', '--with-image', NEVER_READY_IMAGE, '--to', 'canary', '--emergency', '--reason', 'Flux cluster test: a broken release', '--yes', '--commit');
      const rev = await pushAndFetch();
      const otherUnits = allUnits().filter((n) => n !== ks('ring-canary'));
      // At a new revision a ring waits (Ready False, DependencyNotReady) until the shared layer has
      // applied it; anything else would be canary's failure reaching another unit.
      const otherFailures = new Set<string>();
      const watchOthers = () => {
        const s = states();
        for (const n of otherUnits) {
          const r = s.get(n)?.ready;
          if (r?.status === 'False' && r.reason !== 'DependencyNotReady') otherFailures.add(`${n}: ${r.reason}: ${r.message}`);
        }
        return s;
      };
      await until('canary held on its health check', () => notHeld(watchOthers().get(ks('ring-canary')), rev) === undefined, 300_000, 2000);
      await until('the other units Ready at the broken revision', () => {
        watchOthers();
        return readyAt(otherUnits, rev)();
      });
      expect([...otherFailures]).toEqual([]);
      expect(states().get(ks('ring-canary'))!.ready!.message).toMatch(/timeout|health/i);
      expect(liveVersions(cp, others)).toEqual(othersBefore);
      expect(deploymentsWithNewReplicaSets(before, replicaSets(cp)).filter((d) => !d.startsWith(`${nsOf('canary')}/`))).toEqual([]);
      const v = verify();
      expect(v.code).toBe(1);
      const failing = v.lines.filter((l) => !l.startsWith('ok  ') && /^\S/.test(l));
      expect(failing.length).toBeGreaterThan(0);
      expect(failing.every((l) => l.includes('canary'))).toBe(true);
      for (const r of RINGS.filter((x) => x !== 'canary')) expect(v.lines).toContainEqual(expect.stringMatching(new RegExp(`^ok  ${r} \\(`)));

      repo.rings('rollback', 'image', 'api', '--ring', 'canary', '--reason', 'Flux cluster test: back to the last good image', '--yes', '--commit');
      const back = await pushAndFetch();
      await until('canary Ready again after the rollback', readyAt([ks('ring-canary')], back), 420_000, 2000);
      expect(incompleteRollouts(cp)).toEqual([]);
      expect(replicaSets(cp).get(`${nsOf('canary')}/api`)).toEqual(expect.arrayContaining(hashBefore));
      await until('rings verify passes again', () => verify().code === 0, 120_000, 2000);
    }, LONG);

    test('least privilege: each ring\'s Kustomization applies as its own ServiceAccount, allowed only its namespace; a ring unit changed by hand to write into another ring\'s namespace is refused by RBAC on the API server', async () => {
      const s = states();
      expect(Object.fromEntries([...s.values()].map((k) => [k.name, k.serviceAccountName ?? null]))).toEqual(
        Object.fromEntries([...s.keys()].map((n) => [n, n === ks('cluster') || n === ks('delivery') ? null : n])),
      );
      for (const r of RINGS) {
        const user = saUser(FLUX_NS, ks(`ring-${r}`));
        const own = nsOf(r);
        expect({ r, deployments: allowed(cp, user, 'patch', 'deployments', own), configmaps: allowed(cp, user, 'create', 'configmaps', own) }).toEqual({ r, deployments: true, configmaps: true });
        for (const other of RINGS.filter((x) => nsOf(x) !== own)) {
          const there = nsOf(other);
          expect({ r, other, configmaps: allowed(cp, user, 'create', 'configmaps', there), deployments: allowed(cp, user, 'patch', 'deployments', there), delete: allowed(cp, user, 'delete', 'services', there), read: allowed(cp, user, 'get', 'secrets', there) }).toEqual({ r, other, configmaps: false, deployments: false, delete: false, read: false });
        }
        // Nothing cluster-scoped; in its own namespace, kinds it does not write only read and deleted (pruning), never written.
        expect({ r, namespaces: allowed(cp, user, 'create', 'namespaces'), clusterroles: allowed(cp, user, 'create', 'clusterroles'), writeSecrets: allowed(cp, user, 'create', 'secrets', own), pods: allowed(cp, user, 'create', 'pods', own), pruneSecrets: allowed(cp, user, 'delete', 'secrets', own) }).toEqual({ r, namespaces: false, clusterroles: false, writeSecrets: false, pods: false, pruneSecrets: true });
      }
      expect(allowed(cp, saUser(FLUX_NS, ks('shared')), 'create', 'configmaps', nsOf('edge'))).toBe(false);

      // By hand, in git: edge's unit writes a ConfigMap into canary's namespace.
      const file = path.join(dist(), 'ring-edge', 'ring-edge.yaml');
      fs.appendFileSync(file, `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: written-by-edge\n  namespace: ${nsOf('canary')}\ndata:\n  note: edge's unit writing into canary's namespace\n`);
      repo.git('commit', '-qam', 'by hand: ring-edge writes into autocom-canary');
      const rev = await pushAndFetch();
      await until('ring-edge refused', () => {
        const k = states().get(ks('ring-edge'));
        return k?.lastAttemptedRevision === rev && k.ready?.status === 'False' && /forbidden/.test(k.ready.message ?? '');
      }, 300_000, 2000);
      const edge = states().get(ks('ring-edge'))!;
      expect(edge.ready!.message).toMatch(/forbidden/);
      expect(edge.ready!.message).toContain(`system:serviceaccount:${FLUX_NS}:${ks('ring-edge')}`);
      expect(edge.ready!.message).toContain(nsOf('canary'));
      expect(edge.lastAppliedRevision).not.toBe(rev);
      expect(cp.kubectl(['get', 'configmap', 'written-by-edge', '-n', nsOf('canary')]).code).not.toBe(0);
      await until('the other units Ready at that revision', readyAt(allUnits().filter((n) => n !== ks('ring-edge')), rev));

      repo.git('revert', '--no-edit', 'HEAD');
      const reverted = await pushAndFetch();
      await until('ring-edge Ready after the revert', readyAt([ks('ring-edge')], reverted), 300_000, 2000);
    }, LONG);

    test('faults: the API server restarted while a promotion is reconciling, one fake node drained and deleted during a promotion\'s rollout: Flux converges, every rollout completes, edge\'s PodDisruptionBudgets are respected, no object is lost', async () => {
      // 1. The API server goes away while the promotion is being applied and health-checked.
      const rsBefore = replicaSets(cp);
      repo.rings('promote', 'payments', '--with-version', '99.0.0', '--sha256', sha('payments@99.0.0'), '--to', 'edge', '--emergency', '--reason', 'Flux cluster test: API server restart', '--yes', '--commit');
      const rev1 = await pushAndFetch();
      await until('ring-edge reconciling the promotion', () => states().get(ks('ring-edge'))?.lastAttemptedRevision === rev1, 120_000, 250);
      // Still reconciling (applying or health-checking), not done yet, when the API server goes.
      expect(states().get(ks('ring-edge'))!.lastAppliedRevision).not.toBe(rev1);
      await cp.restartApiServer();
      await until('every Kustomization Ready after the API server restart', readyAt(allUnits(), rev1), 420_000, 2000);
      expect(incompleteRollouts(cp)).toEqual([]);
      expect(deploymentsWithNewReplicaSets(rsBefore, replicaSets(cp))).toEqual([`${nsOf('edge')}/api`, `${nsOf('edge')}/horizon`]);

      // 2. A node drained (evictions go through the PodDisruptionBudgets) and deleted while edge rolls.
      const pdbs = cp.getJson(['get', 'pdb', '-n', nsOf('edge')]).items as any[];
      expect(pdbs.length).toBeGreaterThan(0);
      const floor = new Map(pdbs.map((p) => {
        const d = cp.getJson(['get', 'deployment', p.metadata.name, '-n', nsOf('edge')]);
        return [p.metadata.name, d.spec.replicas - Number(p.spec.maxUnavailable ?? 0)] as const;
      }));
      /** Ready, not terminating pods per PodDisruptionBudget (its selector), from one list of edge's pods. */
      const sample = (lowest: Map<string, number>) => {
        const pods = cp.getJson(['get', 'pods', '-n', nsOf('edge')]).items as any[];
        for (const p of pdbs) {
          const sel = Object.entries(p.spec.selector.matchLabels as Record<string, string>);
          const n = pods.filter((x) => sel.every(([k, v]) => x.metadata.labels?.[k] === v) && !x.metadata.deletionTimestamp && (x.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
          lowest.set(p.metadata.name, Math.min(lowest.get(p.metadata.name) ?? n, n));
        }
      };
      const lowest = new Map<string, number>();
      sample(lowest);
      const rsBefore2 = replicaSets(cp);
      repo.rings('promote', 'image', 'nginx', '--with-image', `registry.example/nginxinc/nginx-unprivileged:1.29.9-alpine@sha256:${sha('nginx 1.29.9')}`, '--to', 'edge', '--emergency', '--reason', 'Flux cluster test: a node goes away', '--yes', '--commit');
      const rev2 = await pushAndFetch();
      await until('edge nginx rolling', () => (replicaSets(cp).get(`${nsOf('edge')}/nginx`) ?? []).length > (rsBefore2.get(`${nsOf('edge')}/nginx`) ?? []).length, 120_000, 250);
      const edgePods = cp.getJson(['get', 'pods', '-n', nsOf('edge')]).items as any[];
      // Not a node with a pod whose budget allows no disruption at all: redis's (one replica, minAvailable 1)
      // makes a drain wait for an operator, by design (test/checkers/accepted.txt).
      const undrainable = new Set<string>();
      for (const pdb of cp.getJson(['get', 'pdb', '-A']).items as any[]) {
        if ((pdb.status?.disruptionsAllowed ?? 0) > 0) continue;
        const sel = Object.entries(pdb.spec.selector.matchLabels as Record<string, string>);
        for (const p of cp.getJson(['get', 'pods', '-n', pdb.metadata.namespace]).items as any[]) {
          if (p.spec.nodeName && sel.every(([k, v]) => p.metadata.labels?.[k] === v)) undrainable.add(p.spec.nodeName);
        }
      }
      const byNode = new Map<string, number>();
      for (const p of edgePods) if (p.spec.nodeName && !undrainable.has(p.spec.nodeName)) byNode.set(p.spec.nodeName, (byNode.get(p.spec.nodeName) ?? 0) + 1);
      expect(byNode.size).toBeGreaterThan(0);
      const node = [...byNode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
      const drain: ChildProcess = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, 'drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=240s'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let drainOut = '';
      drain.stdout!.on('data', (d) => (drainOut += d));
      drain.stderr!.on('data', (d) => (drainOut += d));
      const drained = new Promise<number>((resolve) => drain.on('exit', (code) => resolve(code ?? 1)));
      let drainCode: number | undefined;
      void drained.then((c) => (drainCode = c));
      while (drainCode === undefined) {
        sample(lowest);
        await sleep(300);
      }
      expect({ code: drainCode, out: drainCode === 0 ? '' : drainOut }).toEqual({ code: 0, out: '' });
      cp.kubectlOk(['delete', 'node', node, '--wait=true']);
      await until('every Kustomization Ready after the node went away', () => {
        sample(lowest);
        return readyAt(allUnits(), rev2)();
      }, 420_000, 1000);
      expect(incompleteRollouts(cp)).toEqual([]);
      expect(Object.fromEntries([...lowest].map(([n, v]) => [n, v >= floor.get(n)!]))).toEqual(Object.fromEntries(pdbs.map((p) => [p.metadata.name, true])));
      expect(drainOut).toContain(`node/${node} drained`);
      expect(cp.getJson(['get', 'pods', '-n', nsOf('edge')]).items.filter((p: any) => p.spec.nodeName === node)).toEqual([]);
      // No object of the dist/ Flux was given last is lost (the lock ConfigMap from two promotions ago is pruned, by design).
      const ids = new Set(distObjects(dist()).map((o) => o.id));
      expect(Object.entries(liveVersions(cp, ids)).filter(([, v]) => v === 'absent')).toEqual([]);
    }, LONG);

    test('retire a ring: `rings ring retire … --commit` and a push; Flux prunes exactly that ring\'s objects and namespace, and nothing of another ring changes', async () => {
      const retired = 'experimental';
      const ns = nsOf(retired);
      const mine = distObjects(dist()).filter((o) => o.ring === retired);
      expect(mine.length).toBeGreaterThan(0);
      const others = ringObjects(retired);
      const othersBefore = liveVersions(cp, others);
      const rsBefore = replicaSets(cp);
      repo.rings('ring', 'retire', retired, '--reason', 'Flux cluster test', '--yes', '--commit');
      const changed = repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort();
      expect(changed).toEqual(expect.arrayContaining([`dist/ring-${retired}/ring-${retired}.yaml`, 'dist/cluster/cluster.yaml', 'dist/gitops/flux.yaml', `rings/${retired}.toml`]));
      const rev = await pushAndFetch();
      await until(`Kustomization ${ks(`ring-${retired}`)} pruned`, () => !states().has(ks(`ring-${retired}`)), 300_000, 2000);
      await until('every remaining Kustomization Ready at the retirement', readyAt(allUnits(), rev));
      cp.kubectlOk(['wait', '--for=delete', `namespace/${ns}`, '--timeout=300s']);
      const left = cp.kubectl(['get', 'all,configmaps,ingresses,networkpolicies,resourcequotas,poddisruptionbudgets,serviceaccounts,roles,rolebindings', '-A', '-l', `ring=${retired}`, '-o', 'name']);
      expect(left.stdout.trim()).toBe('');
      expect(cp.kubectl(['get', 'serviceaccount', ks(`ring-${retired}`), '-n', FLUX_NS]).code).not.toBe(0);
      expect(liveVersions(cp, others)).toEqual(othersBefore);
      // The shared layer's ring data lists every ring: the frontend rolls, by design; nothing else does.
      expect(deploymentsWithNewReplicaSets(rsBefore, replicaSets(cp)).filter((d) => !d.startsWith(`${ns}/`))).toEqual([`${HOME}/frontend`]);
      // The change after next: the ring data from before the tenant move is pruned now, the one the frontend read until this change is kept.
      const names = cp.getJson(['get', 'configmaps', '-n', HOME]).items.map((c: any) => c.metadata.name);
      expect({ before: names.includes(ringDataBefore), previous: names.includes(ringDataAfterMove) }).toEqual({ before: false, previous: true });
      expect(incompleteRollouts(cp)).toEqual([]);
    }, LONG);

    describe('negative fixtures: a broken dependsOn, health check or RBAC rule fails the checks above (fixtures/flux-negative/)', () => {
      const NS = 'flux-negative';
      let negative: Map<string, KustomizationState>;
      let rev: string;

      beforeAll(async () => {
        const src = path.join(CLUSTER_DIR, 'fixtures', 'flux-negative');
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-flux-negative-'));
        try {
          for (const unit of ['cluster', 'shared', 'ring-a', 'ring-b']) fs.cpSync(path.join(src, unit), path.join(work, unit), { recursive: true });
          const image = path.join(work, 'ring-a', 'ring-a.yaml');
          fs.writeFileSync(image, fs.readFileSync(image, 'utf8').replace('NEVER_READY_IMAGE', NEVER_READY_IMAGE));
          const url = git.createRepository('negative');
          const g = (...args: string[]) => execFileSync('git', args, { cwd: work, env: git.gitEnv(), stdio: 'pipe' });
          g('init', '-q', '-b', 'main');
          g('-c', 'user.name=Rings CI', '-c', 'user.email=ci@rings.test', 'commit', '--allow-empty', '-qm', 'empty');
          g('add', '-A');
          g('-c', 'user.name=Rings CI', '-c', 'user.email=ci@rings.test', 'commit', '-qm', 'negative fixtures');
          g('push', '-q', url, 'main');
          rev = `main@sha1:${execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work, encoding: 'utf8' }).trim()}`;
          const objects = fs.readFileSync(path.join(src, 'flux.yaml'), 'utf8').replace('GIT_URL', url);
          cp.kubectlOk(['apply', '-f', '-'], objects);
          createCaSecret(cp, CA_SECRET, git.caFile, NS);
          requestReconcile(cp, 'gitrepository', 'negative', NS);
          const settled = () => {
            const s = kustomizations(cp, NS);
            return ['neg-cluster', 'neg-shared', 'neg-ring-a', 'neg-ring-b'].every((n) => s.get(n)?.lastAppliedRevision === rev && s.get(n)?.ready?.status === 'True');
          };
          const deadline = Date.now() + 300_000;
          while (!settled()) {
            if (Date.now() > deadline) throw new Error(`negative fixtures did not settle:\n${describeStates(kustomizations(cp, NS))}\n${flux.tail(15)}`);
            await sleep(2000);
          }
          negative = kustomizations(cp, NS);
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      }, LONG);

      test('dependsOn: the shared layer waiting for a ring puts that ring Ready first, and the order check reports it', () => {
        const violations = readyOrderViolations(negative, [['neg-cluster', 'neg-shared'], ['neg-shared', 'neg-ring-a'], ['neg-shared', 'neg-ring-b']]);
        expect(violations).toEqual([expect.stringMatching(/^neg-shared → neg-ring-b: neg-ring-b became Ready at .*, not after neg-shared/)]);
      });

      test('health check: without healthChecks, a ring whose pods never become Ready goes Ready, and the held check reports it', () => {
        const pods = cp.getJson(['get', 'pods', '-n', 'neg-ring-a']).items;
        expect(pods.length).toBe(1);
        expect((pods[0].status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).toBe(false);
        expect(notHeld(negative.get('neg-ring-a'), rev)).toMatch(/^has not attempted|^Ready True/);
      });

      test('RBAC: a ring identity bound cluster-wide writes into another ring\'s namespace, and both the RBAC check and the refusal check report it', () => {
        expect(allowed(cp, saUser(NS, 'neg-ring-b'), 'create', 'configmaps', 'neg-ring-a')).toBe(true);
        expect(cp.kubectl(['get', 'configmap', 'written-by-ring-b', '-n', 'neg-ring-a']).code).toBe(0);
        expect(negative.get('neg-ring-b')!.ready!.status).toBe('True');
      });
    });
  });
}
