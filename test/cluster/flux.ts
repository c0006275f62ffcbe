/**
 * Flux's own source-controller and kustomize-controller (built from the Go module proxy by build.sh,
 * versions in versions.env), run on the host against a control plane, as `flux install` would run
 * them in it (facts: ../shared/CLUSTER.md, "Flux controllers, run out of cluster"):
 *
 * - the kubeconfig comes through KUBECONFIG only (they have no --kubeconfig flag); the control
 *   plane's admin client certificate (system:masters), which may impersonate: a Kustomization's
 *   `serviceAccountName` is enforced by the real API server's RBAC;
 * - leader election off; metrics, health and source-controller's artifact storage on free loopback
 *   ports (`--storage-addr`/`--storage-adv-addr`: kustomize-controller downloads artifacts from there);
 * - `--requeue-dependency=5s` (default 30 s) so a cluster → shared → rings bootstrap takes about a minute;
 * - RUNTIME_NAMESPACE is the Flux namespace (`flux-system`), which `dist/gitops` creates;
 * - the controllers' own seven CRDs (crds/flux-v1.9.6/): source-controller exits at start without
 *   HelmRepository, Bucket, HelmChart, ExternalArtifact.
 *
 * One Flux per control plane it runs in; it can deliver to other control planes through a
 * Kustomization's `kubeConfig.secretRef` (`createKubeconfigSecret`): the controllers run on the host,
 * so a kubeconfig naming https://127.0.0.1:<port> with embedded client certificates works as is.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER_DIR, cacheDir, clusterVersions, ControlPlane } from './control-plane';
import { runningControllers } from './platform';
import { freePort, processGroup, startSupervised, Supervised, trackDir } from './processes';

/** The release of the controllers that run, whose CRDs are installed (crds/flux-<release>/); versions.env and the support matrix agree on it. */
export function fluxCrdRelease(): string {
  const v = clusterVersions();
  if (v.fluxSourceController !== v.fluxKustomizeController) throw new Error(`versions.env: source-controller ${v.fluxSourceController} and kustomize-controller ${v.fluxKustomizeController} differ; their CRDs come from one Flux release`);
  const running = runningControllers().flux;
  if (running !== `v${v.fluxSourceController}`) throw new Error(`test/cluster/support-matrix.json says Flux ${running} runs, versions.env builds v${v.fluxSourceController}`);
  return running;
}

export function fluxBinaries(): { sourceController: string; kustomizeController: string } {
  const v = clusterVersions();
  const b = {
    sourceController: path.join(cacheDir(), `flux-source-controller-${v.fluxSourceController}`, 'source-controller'),
    kustomizeController: path.join(cacheDir(), `flux-kustomize-controller-${v.fluxKustomizeController}`, 'kustomize-controller'),
  };
  const missing = Object.values(b).filter((f) => !fs.existsSync(f));
  if (missing.length) throw new Error(`Flux: missing ${missing.join(', ')}; run: bash test/cluster/build.sh flux`);
  return b;
}

/** Installs the controllers' own CRDs (server-side) and waits until they are Established. */
export function installFluxCrds(cp: ControlPlane): void {
  const dir = path.join(CLUSTER_DIR, 'crds', `flux-${fluxCrdRelease()}`);
  const names: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    cp.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=flux-install', '-f', path.join(dir, f)]);
    // The file names are <group>_<plural>.yaml; the CRD is <plural>.<group>.
    const [group, plural] = f.replace(/\.yaml$/, '').split('_');
    names.push(`crd/${plural}.${group}`);
  }
  cp.kubectlOk(['wait', '--for=condition=Established', ...names, '--timeout=60s']);
}

export interface Flux {
  readonly namespace: string;
  readonly controlPlane: ControlPlane;
  /** Scratch folder: artifact storage, temporary files, the controllers' logs. */
  readonly dir: string;
  readonly sourceController: Supervised;
  readonly kustomizeController: Supervised;
  /** The last lines of both controllers' logs (for failure messages). */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

export interface FluxOptions {
  /** RUNTIME_NAMESPACE: the Flux namespace. @default "flux-system" */
  readonly namespace?: string;
  /** kustomize-controller's --requeue-dependency. @default "5s" */
  readonly requeueDependency?: string;
  /** Install the controllers' CRDs first. @default true */
  readonly installCrds?: boolean;
}


function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Starts source-controller and kustomize-controller against `cp`; resolves once both report ready. */
export async function startFlux(cp: ControlPlane, options: FluxOptions = {}): Promise<Flux> {
  const bin = fluxBinaries();
  const namespace = options.namespace ?? 'flux-system';
  if (options.installCrds ?? true) installFluxCrds(cp);
  const dir = trackDir(fs.mkdtempSync(path.join(os.tmpdir(), `rings-flux-${cp.version}-`)));
  const storage = path.join(dir, 'storage');
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(storage);
  fs.mkdirSync(tmp);
  const [storagePort, scMetrics, scHealth, kcMetrics, kcHealth] = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  const env = { ...process.env, KUBECONFIG: cp.kubeconfig, RUNTIME_NAMESPACE: namespace, TMPDIR: tmp, HOME: dir };
  const common = ['--enable-leader-election=false', '--log-level=info', '--log-encoding=json', '--watch-all-namespaces=true'];
  const sourceController = startSupervised(`source-controller ${cp.version}`, bin.sourceController, [
    ...common,
    `--metrics-addr=127.0.0.1:${scMetrics}`,
    `--health-addr=127.0.0.1:${scHealth}`,
    `--storage-path=${storage}`,
    `--storage-addr=127.0.0.1:${storagePort}`,
    `--storage-adv-addr=127.0.0.1:${storagePort}`,
  ], { log: path.join(dir, 'source-controller.log'), env, cwd: dir });
  const kustomizeController = startSupervised(`kustomize-controller ${cp.version}`, bin.kustomizeController, [
    ...common,
    `--metrics-addr=127.0.0.1:${kcMetrics}`,
    `--health-addr=127.0.0.1:${kcHealth}`,
    `--requeue-dependency=${options.requeueDependency ?? '5s'}`,
  ], { log: path.join(dir, 'kustomize-controller.log'), env, cwd: dir });
  const procs = [sourceController, kustomizeController];
  const { tail, stop } = processGroup(procs, dir);
  const deadline = Date.now() + 90_000;
  for (const port of [scHealth, kcHealth]) {
    while (!(await ready(port))) {
      if (procs.some((p) => p.exited()) || Date.now() > deadline) {
        const why = tail(40);
        await stop();
        throw new Error(`Flux did not become ready on ${cp.version}:\n${why}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { namespace, controlPlane: cp, dir, sourceController, kustomizeController, tail, stop };
}

/**
 * A Secret (key `value`) holding `remote`'s admin kubeconfig, in `home`'s Flux namespace: what a
 * Kustomization's `kubeConfig.secretRef` names to deliver to another cluster. Made here by the test,
 * as an operator would make it by hand; the project never generates it.
 */
export function createKubeconfigSecret(home: ControlPlane, remote: ControlPlane, name: string, namespace = 'flux-system'): void {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    data: { value: fs.readFileSync(remote.kubeconfig).toString('base64') },
  };
  home.kubectlOk(['apply', '--server-side', '--field-manager=rings-test', '-f', '-'], JSON.stringify(secret));
}

/** A Secret `name` in the Flux namespace with `ca.crt`: what a GitRepository's secretRef needs for a private CA. */
export function createCaSecret(cp: ControlPlane, name: string, caFile: string, namespace = 'flux-system'): void {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: { 'ca.crt': fs.readFileSync(caFile).toString('base64') } };
  cp.kubectlOk(['apply', '--server-side', '--field-manager=rings-test', '-f', '-'], JSON.stringify(secret));
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface KustomizationState {
  readonly name: string;
  readonly path: string;
  readonly generation: number;
  readonly observedGeneration?: number;
  readonly ready?: Condition;
  readonly reconciling?: Condition;
  readonly lastAppliedRevision?: string;
  readonly lastAttemptedRevision?: string;
  /** The earliest `firstReconciled` of its history: when it first applied anything (never later than its first Ready). */
  readonly firstReconciled?: string;
  readonly serviceAccountName?: string;
  readonly dependsOn: readonly string[];
  /** Inventory entries as `Kind namespace/name` (cluster-scoped: `Kind name`). */
  readonly inventory: readonly string[];
}

/** Flux's inventory id `<namespace>_<name>_<group>_<Kind>` → `Kind namespace/name`. */
export function inventoryId(id: string): string {
  const [ns, name, , kind] = id.split('_');
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

/**
 * Kustomization `b` became Ready only after `a` did, read from their Ready transition times: one line
 * per edge that does not hold. A Ready condition's transition time moves on when a later reconcile
 * passes through Unknown, so `a`'s time is the earlier of it and `a`'s first reconcile (its history):
 * a dependency that reconciled again after its dependents went Ready is not a violation, and a
 * dependent Ready in the same second as its dependency's first reconcile is one.
 */
export function readyOrderViolations(states: ReadonlyMap<string, KustomizationState>, edges: ReadonlyArray<readonly [string, string]>): string[] {
  const out: string[] = [];
  const at = (n: string) => {
    const r = states.get(n)?.ready;
    return r?.status === 'True' && r.lastTransitionTime ? Date.parse(r.lastTransitionTime) : undefined;
  };
  const first = (n: string) => {
    const ready = at(n);
    const reconciled = states.get(n)?.firstReconciled;
    return ready === undefined || reconciled === undefined ? ready : Math.min(ready, Date.parse(reconciled));
  };
  for (const [a, b] of edges) {
    const ta = first(a);
    const tb = at(b);
    if (ta === undefined || tb === undefined) out.push(`${a} → ${b}: ${ta === undefined ? a : b} is not Ready`);
    else if (!(ta < tb)) out.push(`${a} → ${b}: ${b} became Ready at ${new Date(tb).toISOString()}, not after ${a} (${new Date(ta).toISOString()})`);
  }
  return out;
}

/** Every Kustomization of a namespace, by name, as the API server reports it. */
export function kustomizations(cp: ControlPlane, namespace = 'flux-system'): Map<string, KustomizationState> {
  const items = cp.getJson(['get', 'kustomizations.kustomize.toolkit.fluxcd.io', '-n', namespace]).items as any[];
  const out = new Map<string, KustomizationState>();
  for (const k of items) {
    const cond = (t: string) => (k.status?.conditions ?? []).find((c: Condition) => c.type === t);
    out.set(k.metadata.name, {
      name: k.metadata.name,
      path: k.spec.path,
      generation: k.metadata.generation,
      observedGeneration: k.status?.observedGeneration,
      ready: cond('Ready'),
      reconciling: cond('Reconciling'),
      lastAppliedRevision: k.status?.lastAppliedRevision,
      lastAttemptedRevision: k.status?.lastAttemptedRevision,
      firstReconciled: (k.status?.history ?? []).map((h: { firstReconciled: string }) => h.firstReconciled).sort()[0],
      serviceAccountName: k.spec.serviceAccountName,
      dependsOn: (k.spec.dependsOn ?? []).map((d: { name: string }) => d.name),
      inventory: (k.status?.inventory?.entries ?? []).map((e: { id: string }) => inventoryId(e.id)).sort(),
    });
  }
  return out;
}

/** The revision of a GitRepository's current artifact (`main@sha1:<commit>`), or undefined. */
export function sourceRevision(cp: ControlPlane, name: string, namespace = 'flux-system'): string | undefined {
  const r = cp.kubectl(['get', 'gitrepositories.source.toolkit.fluxcd.io', name, '-n', namespace, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout).status?.artifact?.revision : undefined;
}

/** What `flux reconcile` does: sets `reconcile.fluxcd.io/requestedAt`, so the controller acts now, not at its interval. */
export function requestReconcile(cp: ControlPlane, resource: 'gitrepository' | 'kustomization', name: string, namespace = 'flux-system'): void {
  const full = resource === 'gitrepository' ? 'gitrepositories.source.toolkit.fluxcd.io' : 'kustomizations.kustomize.toolkit.fluxcd.io';
  cp.kubectlOk(['annotate', '--overwrite', full, name, '-n', namespace, `reconcile.fluxcd.io/requestedAt=${new Date().toISOString()}`]);
}
