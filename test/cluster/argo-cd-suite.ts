/**
 * Argo CD delivers the rings: Argo CD's own application controller and repo-server (test/cluster/argo-cd.ts,
 * built from the Go module proxy, with Redis beside them) reconcile the example registry's `dist/` from the
 * loopback git server the Flux suite uses (smart HTTP over TLS, test/cluster/git-server.ts) on a real
 * control plane. The test's copy of the project (rings/, its dist/, the project's .gitignore) is a git
 * repository whose `[gitops]` says `tool = "argo-cd"` against that server (the example's own tool; only
 * `repo_url` changes); Argo CD trusts the server's CA through argocd-tls-certs-cm. Every change goes
 * through `rings … --commit` and `git push`, as an operator's would; the push is followed by what Argo
 * CD's git webhook does (a refresh of the Applications), instead of waiting for its 3-minute poll.
 *
 * What the operators of a real cluster do and nothing here runs for is done by `actAsOperators`: it
 * marks ExternalSecrets, the ClusterSecretStore and Certificates Ready and gives Ingresses an address,
 * because Argo CD's own health checks for those kinds wait for exactly that (Progressing until then).
 * The Deployments' health is the real one: KWOK's pods and the real Deployment controller's status.
 *
 * One control plane, one Argo CD and one repository for the whole suite, the tests in order: each
 * starts from what the one before left.
 */
import * as fs from 'fs';
import * as path from 'path';
import { APPLICATION_HEALTH_LUA, ApplicationState, ArgoCd, argoCdCrdRelease, ARGOCD_NS, applications, healthTransitions, requestRefresh, startArgoCd } from './argo-cd';
import { ControlPlane, startControlPlane } from './control-plane';
import { FluxRepo, fluxRepo, NEVER_READY_IMAGE } from './flux-suite';
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
  supportMatrix,
} from './platform';
import { applyStandIns, ringsCli } from './verify-scenarios';

const LONG = 20 * 60_000;
const PLATFORM = 'autocom';
const HOME = 'autocom';
const app = (unit: string) => `${PLATFORM}-${unit}`;
/** The rings in the example's promotion order (the bleeding edge first), as their sync waves are. */
const RINGS_IN_WAVE_ORDER = ['experimental', 'canary', 'edge', 'stable'];
const UNITS_IN_WAVE_ORDER = ['cluster', 'shared', ...RINGS_IN_WAVE_ORDER.map((r) => `ring-${r}`)];
const ROOT_APP = app('delivery');
const nsOf = (ring: string) => (ring === 'stable' ? HOME : `${PLATFORM}-${ring}`);
/** The test's [gitops]: the example's tool, Argo CD, against the loopback git server. */
const argoGitops = (url: string) => `[gitops]\ntool = "argo-cd"\nrepo_url = "${url}"\n`;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Sync-wave order as the controller ran it, one line per pair that does not hold: for consecutive
 * units `a`, `b`, the app of apps created `b`'s Application only once `a` had been reported Healthy
 * (`b.metadata.creationTimestamp` ≥ the first "Updated health status: … -> Healthy" Event of `a`), and
 * `b`'s first sync started after `a`'s (`status.history[0].deployStartedAt`). Times are seconds.
 */
export function waveOrderViolations(apps: ReadonlyMap<string, ApplicationState>, health: ReadonlyMap<string, ReadonlyArray<{ to: string; at: string }>>, order: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < order.length; i++) {
    const [an, bn] = [order[i - 1], order[i]];
    const a = apps.get(an);
    const b = apps.get(bn);
    const aStart = a?.history[0]?.deployStartedAt;
    const bStart = b?.history[0]?.deployStartedAt;
    if (!a || !b || !aStart || !bStart) {
      out.push(`${an} → ${bn}: ${!a || !aStart ? an : bn} has not synced`);
      continue;
    }
    const aHealthy = health.get(an)?.find((t) => t.to === 'Healthy')?.at;
    if (!aHealthy) out.push(`${an} → ${bn}: ${an} was never reported Healthy`);
    else if (Date.parse(b.createdAt) < Date.parse(aHealthy)) out.push(`${an} → ${bn}: ${bn} created at ${b.createdAt}, before ${an} was first reported Healthy (${aHealthy})`);
    if (Date.parse(bStart) < Date.parse(aStart)) out.push(`${an} → ${bn}: ${bn}'s first sync started at ${bStart}, before ${an}'s (${aStart})`);
  }
  return out;
}

function describeApps(apps: ReadonlyMap<string, ApplicationState>): string {
  return [...apps.values()]
    .map((a) => {
      const bad = a.resources.filter((r) => r.status !== 'Synced' || (r.health && r.health !== 'Healthy')).slice(0, 5).map((r) => `${r.id} ${r.status}/${r.health ?? '-'} ${r.message ?? ''}`);
      return `${a.name}: ${a.sync}/${a.health} ${a.healthMessage ?? ''} rev ${a.syncRevision?.slice(0, 10)} op ${a.operation?.phase ?? '-'} ${(a.operation?.message ?? '').slice(0, 200)} history ${a.history.length}${a.conditions.length ? ` conditions ${a.conditions.map((c) => `${c.type}: ${c.message.slice(0, 200)}`).join('; ')}` : ''}${bad.length ? `\n    ${bad.join('\n    ')}` : ''}`;
    })
    .join('\n');
}

/**
 * What External Secrets, cert-manager and an ingress controller would report, for what exists so far:
 * ExternalSecrets, ClusterSecretStores and Certificates Ready, an address on every Ingress. Argo CD's
 * built-in health checks of those kinds wait for exactly that. Only objects without it are patched.
 */
export function actAsOperators(cp: ControlPlane): void {
  const ready = (reason: string) => ({ status: { conditions: [{ type: 'Ready', status: 'True', reason, message: 'stand-in operator', lastTransitionTime: '2026-12-01T00:00:00Z' }] } });
  const isReady = (o: any) => (o.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  const patch = (kind: string, o: any, body: object) =>
    cp.kubectl(['patch', kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '--subresource=status', '--type=merge', '-p', JSON.stringify(body)]);
  const list = (kind: string) => {
    const r = cp.kubectl(['get', kind, '-A', '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout).items as any[]) : [];
  };
  for (const o of list('externalsecrets.external-secrets.io')) if (!isReady(o)) patch('externalsecrets.external-secrets.io', o, ready('SecretSynced'));
  for (const o of list('clustersecretstores.external-secrets.io')) if (!isReady(o)) patch('clustersecretstores.external-secrets.io', o, { status: { ...ready('Valid').status, capabilities: 'ReadWrite' } });
  for (const o of list('certificates.cert-manager.io')) if (!isReady(o)) patch('certificates.cert-manager.io', o, ready('Ready'));
  for (const o of list('ingresses.networking.k8s.io')) if (!o.status?.loadBalancer?.ingress?.length) patch('ingresses.networking.k8s.io', o, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } });
}

export function defineArgoCdSuite(version: string): void {
  const minor = version.split('.').slice(0, 2).join('.');
  const matrix = supportMatrix()[minor];
  if (!matrix) throw new Error(`test/cluster/support-matrix.json has no entry for ${minor}`);
  // Where Argo CD runs, its own CRDs (argo-cd.ts) instead of the matrix's admission-only release.
  const { 'argo-cd': _admissionOnly, ...operators } = matrix;

  describe(`Argo CD ${argoCdCrdRelease()} (application controller, repo-server) delivers the rings on Kubernetes ${version}`, () => {
    let cp: ControlPlane;
    let git: GitServer;
    let argo: ArgoCd;
    let repo: FluxRepo;
    const t0 = Date.now();

    beforeAll(async () => {
      [cp, git] = await Promise.all([startControlPlane(version, { neverReadyImages: [NEVER_READY_IMAGE] }), startGitServer()]);
      expect(installCrds(cp, operators as OperatorSet).flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
      // The app of apps' waves wait for each child Application's health only with this check (docs/gitops.md).
      argo = await startArgoCd(cp, { argocdCm: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA } });
      repo = fluxRepo(git, PLATFORM, argoGitops, 'argo-cd');
      argo.trustRepository(repo.url, git.caFile);
      provideOperatorPrerequisites(cp, repo.wd.dist);
    }, LONG);
    afterAll(async () => {
      process.stderr.write(`Argo CD suite on ${version}: ${Math.round((Date.now() - t0) / 1000)} s\n`);
      await argo?.stop();
      await git?.stop();
      await cp?.stop();
      repo?.cleanup();
    });

    const apps = () => applications(cp, ARGOCD_NS);
    const dist = () => repo.wd.dist;
    const allApps = () => [...apps().keys()].sort();
    let standIns = false;
    /** One round of what operators and a running cluster provide (stand-ins once the namespaces exist). */
    const operatorsRound = () => {
      actAsOperators(cp);
      if (!standIns && cp.kubectl(['get', 'namespace', HOME]).code === 0 && RINGS_IN_WAVE_ORDER.every((r) => cp.kubectl(['get', 'namespace', nsOf(r)]).code === 0)) {
        // The Services and Secrets now; ExternalSecrets are marked Ready by actAsOperators as their units create them.
        applyStandIns(cp, dist(), HOME, { markExternalSecretsReady: false });
        standIns = true;
      }
    };
    /** Polls until `check` returns true, acting as the operators meanwhile; on timeout, fails with what the Applications and Argo CD said. */
    const until = async (what: string, check: () => boolean, timeoutMs = 300_000, every = 2000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        operatorsRound();
        if (check()) return;
        await sleep(every);
      }
      throw new Error(`${what}: not reached within ${timeoutMs / 1000} s\n${describeApps(apps())}\n${argo.tail(15)}`);
    };
    /** Pushes, then does what Argo CD's git webhook does: a refresh of every Application. Returns the pushed commit. */
    const pushAndRefresh = (): string => {
      repo.push();
      requestRefresh(cp, allApps(), ARGOCD_NS, 'hard');
      return repo.head();
    };
    const syncedHealthyAt = (names: readonly string[], rev: string) => () => {
      const s = apps();
      return names.every((n) => s.get(n)?.sync === 'Synced' && s.get(n)?.health === 'Healthy' && s.get(n)?.syncRevision === rev && s.get(n)?.operation?.phase !== 'Running');
    };
    const historyLengths = () => Object.fromEntries([...apps().values()].map((a) => [a.name, a.history.length]));
    const ringObjects = (exceptRing?: string) => new Set(distObjects(dist()).filter((o) => o.ring && o.ring !== exceptRing).map((o) => o.id));
    const verify = () => ringsCli(repo.wd, ['verify', '--kubeconfig', cp.kubeconfig]);

    test('bootstrap: `kubectl apply -f dist/gitops/root.yaml` (the app of apps); every Application becomes Synced and Healthy, in sync-wave order (cluster → shared → rings by promotion order, from the controller\'s sync history), every Deployment rolls out, and rings verify finds nothing', async () => {
      const applied = cp.kubectl(['apply', '-n', ARGOCD_NS, '-f', path.join(dist(), 'gitops', 'root.yaml')]);
      expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
      const rev = repo.head();
      const expected = [ROOT_APP, ...UNITS_IN_WAVE_ORDER.map(app)];
      await until('every Application Synced and Healthy at the pushed commit', () => allApps().length === expected.length && syncedHealthyAt(expected, rev)(), 900_000);
      expect(allApps()).toEqual([...expected].sort());
      const s = apps();
      // Read back from the API server: each Application's wave, its source path, and the order the controller synced them in.
      expect(Object.fromEntries(UNITS_IN_WAVE_ORDER.map((u) => [app(u), { wave: s.get(app(u))!.wave, path: s.get(app(u))!.path, project: s.get(app(u))!.project }]))).toEqual(
        Object.fromEntries(UNITS_IN_WAVE_ORDER.map((u, i) => [app(u), { wave: i, path: `dist/${u}`, project: PLATFORM }])),
      );
      expect(waveOrderViolations(s, healthTransitions(cp, ARGOCD_NS), UNITS_IN_WAVE_ORDER.map(app))).toEqual([]);
      // Not all in one second: the last wave started strictly after the first one's sync finished.
      expect(Date.parse(s.get(app('ring-stable'))!.history[0].deployStartedAt!)).toBeGreaterThan(Date.parse(s.get(app('cluster'))!.history[0].deployedAt!));
      for (const u of UNITS_IN_WAVE_ORDER) {
        const a = s.get(app(u))!;
        expect({ u, revision: a.history[0].revision, unhealthy: a.resources.filter((r) => r.status !== 'Synced' || (r.health !== undefined && r.health !== 'Healthy')) }).toEqual({ u, revision: rev, unhealthy: [] });
      }
      expect(incompleteRollouts(cp)).toEqual([]);
      const deployments = cp.getJson(['get', 'deployments', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']).items as any[];
      expect(deployments).toHaveLength(16);
      // Argo CD's resource tracking (annotation, Argo CD 3): every Deployment belongs to its unit's Application.
      for (const d of deployments) expect(d.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toMatch(new RegExp(`^${PLATFORM}-(shared|ring-[a-z]+):apps/Deployment:${d.metadata.namespace}/${d.metadata.name}$`));
      await hpasSettled(cp);
      await until('rings verify passes', () => verify().code === 0, 180_000);
      expect(verify().lines.map((l) => l.replace(/: \d+ checks passed$/, ''))).toEqual(['stable', 'edge', 'canary', 'experimental'].map((r) => `ok  ${r} (${nsOf(r)})`));
      // The HPA's scale-up did not make Argo CD see drift.
      await until('still Synced and Healthy after the autoscaler settled', syncedHealthyAt(expected, rev), 180_000);
    }, LONG);

    test('promote through git: `rings promote … --commit` and a push; only edge\'s Application syncs the new revision, and only its Deployments get new ReplicaSets', async () => {
      const before = replicaSets(cp);
      const others = ringObjects('edge');
      const othersBefore = liveVersions(cp, others);
      const historyBefore = historyLengths();
      repo.rings('promote', 'orders', '--from', 'canary', '--to', 'edge', '--reason', 'Argo CD cluster test', '--yes', '--commit');
      expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['dist/ring-edge/ring-edge.yaml', 'rings/history.jsonl', 'rings/locks/edge.lock.json']);
      const rev = pushAndRefresh();
      await until('edge synced at the promote, every Application Synced and Healthy', () => apps().get(app('ring-edge'))?.history.at(-1)?.revision === rev && syncedHealthyAt(allApps(), rev)(), 420_000);
      expect(incompleteRollouts(cp)).toEqual([]);
      expect(deploymentsWithNewReplicaSets(before, replicaSets(cp))).toEqual([`${nsOf('edge')}/api`, `${nsOf('edge')}/horizon`]);
      // Every Application compared the new commit; only edge's ran a sync for it.
      const after = historyLengths();
      expect(Object.keys(after).filter((n) => after[n] !== historyBefore[n])).toEqual([app('ring-edge')]);
      expect(apps().get(app('ring-edge'))!.operation).toMatchObject({ phase: 'Succeeded', revision: rev });
      expect(liveVersions(cp, others)).toEqual(othersBefore);
      const lockVolume = cp.getJson(['get', 'deployment', 'api', '-n', nsOf('edge')]).spec.template.spec.volumes.find((v: any) => String(v.configMap?.name).startsWith('module-lock-'));
      expect(fs.readFileSync(path.join(dist(), 'ring-edge', 'ring-edge.yaml'), 'utf8')).toContain(`name: ${lockVolume.configMap.name}`);
    }, LONG);

    test('a broken ring: an api image whose pods never become Ready leaves canary\'s Application Progressing (its api Deployment not Healthy) while the other Applications stay Synced and Healthy and unchanged; rings verify names canary; rollback --commit and a push bring it back to Healthy', async () => {
      const before = replicaSets(cp);
      const others = ringObjects('canary');
      const othersBefore = liveVersions(cp, others);
      const historyBefore = historyLengths();
      repo.rings('promote', 'image', 'api', '--with-image', NEVER_READY_IMAGE, '--to', 'canary', '--emergency', '--reason', 'Argo CD cluster test: a broken release', '--yes', '--commit');
      const rev = pushAndRefresh();
      const canary = () => apps().get(app('ring-canary'));
      await until('canary synced the broken release and is not Healthy', () => {
        const c = canary();
        return c?.history.at(-1)?.revision === rev && c.sync === 'Synced' && c.health === 'Progressing' && c.resources.some((r) => r.id === `Deployment ${nsOf('canary')}/api` && r.health === 'Progressing');
      }, 300_000);
      // The app of apps reports its children's health (the argoproj.io/Application health check): canary's Progressing.
      const otherApps = allApps().filter((n) => n !== app('ring-canary') && n !== ROOT_APP);
      // The other units compare the new commit, stay Healthy, and are not synced again; watched for a while, not once.
      const unhealthy = new Set<string>();
      for (let i = 0; i < 15; i++) {
        const s = apps();
        for (const n of otherApps) if (s.get(n)?.health !== 'Healthy') unhealthy.add(`${n}: ${s.get(n)?.health} ${s.get(n)?.healthMessage ?? ''}`);
        await sleep(2000);
      }
      expect([...unhealthy]).toEqual([]);
      await until('the other Applications Synced and Healthy at the broken revision', syncedHealthyAt(otherApps, rev));
      const after = historyLengths();
      expect(Object.keys(after).filter((n) => after[n] !== historyBefore[n])).toEqual([app('ring-canary')]);
      expect(canary()!.health).toBe('Progressing');
      expect(apps().get(ROOT_APP)).toMatchObject({ sync: 'Synced', health: 'Progressing' });
      expect(liveVersions(cp, others)).toEqual(othersBefore);
      expect(deploymentsWithNewReplicaSets(before, replicaSets(cp)).filter((d) => !d.startsWith(`${nsOf('canary')}/`))).toEqual([]);
      const v = verify();
      expect(v.code).toBe(1);
      const failing = v.lines.filter((l) => !l.startsWith('ok  ') && /^\S/.test(l));
      expect(failing.length).toBeGreaterThan(0);
      expect(failing.every((l) => l.includes('canary'))).toBe(true);

      repo.rings('rollback', 'image', 'api', '--ring', 'canary', '--reason', 'Argo CD cluster test: back to the last good image', '--yes', '--commit');
      const back = pushAndRefresh();
      await until('every Application Synced and Healthy after the rollback', syncedHealthyAt(allApps(), back), 420_000);
      expect(incompleteRollouts(cp)).toEqual([]);
      await until('rings verify passes again', () => verify().code === 0, 180_000);
    }, LONG);
  });
}
