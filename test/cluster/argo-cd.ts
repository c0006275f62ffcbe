/**
 * Argo CD's own components (one binary, built from the Go module proxy by build.sh, version in
 * versions.env), run on the host against a control plane, as Argo CD's `Procfile` (`make start-local`)
 * runs them out of cluster:
 *
 * - redis-server (Debian's) on a free loopback port, no persistence;
 * - argocd-repo-server (`ARGOCD_BINARY_NAME`), plain gRPC on loopback (`--disable-tls`; the
 *   controller dials it with `--repo-server-plaintext`); it execs `git` and the `kustomize` that
 *   build.sh built (the version Argo CD pins), found through PATH, and itself as `argocd` for
 *   GIT_ASKPASS (a `bin/` folder of symlinks first in PATH);
 * - argocd-application-controller with `ARGOCD_FAKE_IN_CLUSTER=true`: the in-cluster destination
 *   (`https://kubernetes.default.svc`) is the cluster KUBECONFIG names, here the control plane's
 *   admin client certificate (system:masters; an installed controller's ClusterRole is `*` on `*`
 *   too). Least privilege is the AppProject's, which the controller itself enforces;
 * - argocd-applicationset-controller (optional) with `--enable-progressive-syncs`, for RollingSync.
 *
 * Loopback ports for everything except the application controller's metrics server, which Argo CD
 * v3.2 binds to 0.0.0.0 with no flag to change it (controller/appcontroller.go); its /healthz is the
 * readiness check here. No argocd-server, dex or UI: nothing here needs them. What argocd-server
 * would make at its first start is made by `startArgoCd` instead: the `default` AppProject (the app of
 * apps, `dist/gitops/root.yaml`, belongs to it) and `server.secretkey` in argocd-secret (random per
 * run, never printed).
 *
 * The namespace and the release's own ConfigMaps and Secret (argocd-cm with its default resource
 * exclusions, argocd-rbac-cm, argocd-cmd-params-cm, argocd-secret, …: `manifests/base/config/` of the
 * module, copied into the cache by build.sh) are applied first, as install.yaml would. A kubelet
 * mounts argocd-tls-certs-cm into the repo-server at ARGOCD_TLS_DATA_PATH; here
 * `trustRepository` writes the ConfigMap and projects its keys into that folder, as the kubelet does
 * (Argo CD's own dev-mounter does the same for `make start-local`).
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER_DIR, cacheDir, clusterVersions, ControlPlane } from './control-plane';
import { runningControllers } from './platform';
import { freePort, processGroup, startSupervised, Supervised, trackDir } from './processes';

export const ARGOCD_NS = 'argocd';

/** The release that runs, whose CRDs are installed (crds/argo-cd-<release>/); versions.env and the support matrix agree on it. */
export function argoCdCrdRelease(): string {
  const v = clusterVersions().argoCd;
  const running = runningControllers()['argo-cd'];
  if (running !== `v${v}`) throw new Error(`test/cluster/support-matrix.json says Argo CD ${running} runs, versions.env builds v${v}`);
  return running;
}

export function argoCdBinaries(): { argocd: string; config: string; kustomize: string } {
  const v = clusterVersions();
  const dir = path.join(cacheDir(), `argo-cd-${v.argoCd}`);
  const b = { argocd: path.join(dir, 'argocd'), config: path.join(dir, 'config'), kustomize: path.join(cacheDir(), `kustomize-${v.kustomize}`, 'kustomize') };
  const missing = Object.values(b).filter((f) => !fs.existsSync(f));
  if (missing.length) throw new Error(`Argo CD: missing ${missing.join(', ')}; run: bash test/cluster/build.sh argo-cd`);
  return b;
}

/** Installs the release's own CRDs (server-side) and waits until they are Established. */
export function installArgoCdCrds(cp: ControlPlane): void {
  const dir = path.join(CLUSTER_DIR, 'crds', `argo-cd-${argoCdCrdRelease()}`);
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    cp.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=argocd-install', '-f', path.join(dir, f)]);
  }
  // Polled: `kubectl wait` fails outright on a CRD whose status has no conditions yet (right after the apply).
  const names = ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io'];
  const established = () =>
    names.every((n) => {
      const r = cp.kubectl(['get', 'crd', n, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
      return r.code === 0 && r.stdout.trim() === 'True';
    });
  const deadline = Date.now() + 60_000;
  while (!established()) {
    if (Date.now() > deadline) throw new Error(`Argo CD CRDs not Established within 60 s: ${names.join(', ')}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
}

/**
 * The `argoproj.io/Application` health check of Argo CD's "App of Apps" documentation
 * (operator-manual/health.md): without it Argo CD (≥ 1.8) does not assess a child Application's
 * health, and the app of apps' sync waves do not wait for one another (docs/gitops.md).
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

export interface ArgoCd {
  readonly namespace: string;
  readonly controlPlane: ControlPlane;
  /** Scratch folder: TLS data, temporary files, the logs. */
  readonly dir: string;
  readonly processes: readonly Supervised[];
  /**
   * Makes Argo CD trust a git server: a repository Secret (`insecure: "false"`) for `url`, and the CA
   * in argocd-tls-certs-cm under the URL's host, projected into the repo-server's TLS data folder.
   */
  trustRepository(url: string, caFile: string): void;
  /** The last lines of every component's log (for failure messages). */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

export interface ArgoCdOptions {
  /** @default "argocd" */
  readonly namespace?: string;
  /** Extra argocd-cm data (merged over the release's own). */
  readonly argocdCm?: Record<string, string>;
  /** Also run the applicationset-controller, progressive syncs enabled. @default false */
  readonly applicationSetController?: boolean;
  /** Install the release's CRDs first. @default true */
  readonly installCrds?: boolean;
}


function httpOk(port: number, urlPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function redisPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    s.setTimeout(2000, () => s.destroy());
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        s.end();
        resolve(got.startsWith('+PONG'));
      }
    });
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(got.startsWith('+PONG')));
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(2000, () => s.destroy());
    s.on('connect', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

const applyJson = (cp: ControlPlane, obj: object) => cp.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=argocd-install', '-f', '-'], JSON.stringify(obj));

/** Starts Redis, the repo-server and the application controller (and the applicationset controller) against `cp`; resolves once each answers. */
export async function startArgoCd(cp: ControlPlane, options: ArgoCdOptions = {}): Promise<ArgoCd> {
  const bin = argoCdBinaries();
  const namespace = options.namespace ?? ARGOCD_NS;
  if (options.installCrds ?? true) installArgoCdCrds(cp);

  // What install.yaml creates: the namespace, the release's ConfigMaps and Secret.
  applyJson(cp, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  for (const f of fs.readdirSync(bin.config).filter((x) => x.endsWith('.yaml') && x !== 'kustomization.yaml').sort()) {
    cp.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=argocd-install', '-n', namespace, '-f', path.join(bin.config, f)]);
  }
  if (options.argocdCm && Object.keys(options.argocdCm).length) {
    // A merge patch: an apply by the same field manager without the release's labels and data would drop them
    // (and the controller's informers only see ConfigMaps labelled app.kubernetes.io/part-of=argocd).
    cp.kubectlOk(['patch', 'configmap', 'argocd-cm', '-n', namespace, '--type=merge', '-p', JSON.stringify({ data: options.argocdCm })]);
  }
  // What argocd-server makes at its first start, which does not run here.
  cp.kubectlOk(['patch', 'secret', 'argocd-secret', '-n', namespace, '--type=merge', '-p', JSON.stringify({ data: { 'server.secretkey': randomBytes(32).toString('base64') } })]);
  applyJson(cp, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  });

  const dir = trackDir(fs.mkdtempSync(path.join(os.tmpdir(), `rings-argocd-${cp.version}-`)));
  const sub = (name: string) => {
    const d = path.join(dir, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const tls = sub('tls');
  const ssh = sub('ssh');
  const tmp = sub('tmp');
  const binDir = sub('bin');
  const gpg = sub('gpg');
  fs.symlinkSync(bin.argocd, path.join(binDir, 'argocd'));
  fs.symlinkSync(bin.kustomize, path.join(binDir, 'kustomize'));
  fs.writeFileSync(path.join(ssh, 'ssh_known_hosts'), '');

  const [redisPort, repoPort, repoMetrics, ctrlMetrics, asMetrics, asProbe, asWebhook] = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(() => freePort()));
  const env = {
    ...process.env,
    KUBECONFIG: cp.kubeconfig,
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    ARGOCD_TLS_DATA_PATH: tls,
    ARGOCD_SSH_DATA_PATH: ssh,
    ARGOCD_GPG_ENABLED: 'false',
    ARGOCD_GNUPGHOME: gpg,
    PATH: `${binDir}:${process.env.PATH}`,
    TMPDIR: tmp,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
  } as NodeJS.ProcessEnv;
  // This machine exports GIT_SSL_CAINFO; it must not decide what Argo CD trusts: argocd-tls-certs-cm does.
  delete env.GIT_SSL_CAINFO;
  const log = (n: string) => path.join(dir, `${n}.log`);

  const procs: Supervised[] = [];
  const redis = startSupervised(`redis-server ${cp.version}`, 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], { log: log('redis'), env, cwd: dir });
  procs.push(redis);
  const { tail, stop } = processGroup(procs, dir);
  const waitFor = async (what: string, check: () => Promise<boolean>, p: Supervised) => {
    const deadline = Date.now() + 90_000;
    while (!(await check())) {
      if (p.exited() || Date.now() > deadline) {
        const why = tail(40);
        await stop();
        throw new Error(`Argo CD on ${cp.version}: ${what} did not become ready:\n${why}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  await waitFor('redis-server', () => redisPong(redisPort), redis);

  const common = ['--loglevel', 'info', '--logformat', 'json'];
  const repoServer = startSupervised(`argocd-repo-server ${cp.version}`, bin.argocd, [
    ...common,
    '--address', '127.0.0.1',
    '--port', String(repoPort),
    '--metrics-address', '127.0.0.1',
    '--metrics-port', String(repoMetrics),
    '--redis', `127.0.0.1:${redisPort}`,
    '--disable-tls',
  ], { log: log('repo-server'), env: { ...env, ARGOCD_BINARY_NAME: 'argocd-repo-server' }, cwd: dir });
  procs.push(repoServer);
  await waitFor('argocd-repo-server', async () => (await tcpOpen(repoPort)) && (await httpOk(repoMetrics, '/healthz')), repoServer);

  const controller = startSupervised(`argocd-application-controller ${cp.version}`, bin.argocd, [
    ...common,
    '--namespace', namespace,
    '--redis', `127.0.0.1:${redisPort}`,
    '--repo-server', `127.0.0.1:${repoPort}`,
    '--repo-server-plaintext',
    '--metrics-port', String(ctrlMetrics),
    // Argo CD 3 keeps each resource's health out of the Application (in Redis) by default; the tests read it from the Application.
    '--persist-resource-health',
    '--status-processors', '4',
    '--operation-processors', '4',
  ], { log: log('application-controller'), env: { ...env, ARGOCD_BINARY_NAME: 'argocd-application-controller', HOSTNAME: 'argocd-application-controller-0' }, cwd: dir });
  procs.push(controller);
  await waitFor('argocd-application-controller', () => httpOk(ctrlMetrics, '/healthz'), controller);

  if (options.applicationSetController) {
    const appset = startSupervised(`argocd-applicationset-controller ${cp.version}`, bin.argocd, [
      ...common,
      '--namespace', namespace,
      '--argocd-repo-server', `127.0.0.1:${repoPort}`,
      '--repo-server-plaintext',
      '--metrics-addr', `127.0.0.1:${asMetrics}`,
      '--probe-addr', `127.0.0.1:${asProbe}`,
      '--webhook-addr', `127.0.0.1:${asWebhook}`,
      '--enable-progressive-syncs',
    ], { log: log('applicationset-controller'), env: { ...env, ARGOCD_BINARY_NAME: 'argocd-applicationset-controller' }, cwd: dir });
    procs.push(appset);
    await waitFor('argocd-applicationset-controller', () => httpOk(asProbe, '/readyz'), appset);
  }

  const trustRepository = (url: string, caFile: string) => {
    const host = new URL(url).hostname;
    const ca = fs.readFileSync(caFile, 'utf8');
    applyJson(cp, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `repo-${host.replace(/[^a-z0-9]+/g, '-')}`, namespace, labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
      type: 'Opaque',
      stringData: { type: 'git', url, insecure: 'false' },
    });
    cp.kubectlOk(['patch', 'configmap', 'argocd-tls-certs-cm', '-n', namespace, '--type=merge', '-p', JSON.stringify({ data: { [host]: ca } })]);
    // The kubelet's part: every key of the ConfigMap, as the API server has it, a file in the mount.
    const cm = cp.getJson(['get', 'configmap', 'argocd-tls-certs-cm', '-n', namespace]);
    for (const [k, v] of Object.entries(cm.data ?? {})) fs.writeFileSync(path.join(tls, k), String(v));
  };

  return { namespace, controlPlane: cp, dir, processes: procs, trustRepository, tail, stop };
}

export interface ApplicationState {
  readonly name: string;
  readonly wave?: number;
  readonly path?: string;
  readonly destinationNamespace?: string;
  readonly project: string;
  readonly sync?: string;
  readonly syncRevision?: string;
  readonly health?: string;
  readonly healthMessage?: string;
  readonly reconciledAt?: string;
  readonly createdAt: string;
  /** When the health last changed (status.health.lastTransitionTime). */
  readonly healthSince?: string;
  /** The controller's deployment history (status.history), oldest first: one entry per completed sync. */
  readonly history: ReadonlyArray<{ revision?: string; deployStartedAt?: string; deployedAt?: string }>;
  /** The last operation (sync): phase, revision, when it started and finished, its message. */
  readonly operation?: { phase?: string; revision?: string; startedAt?: string; finishedAt?: string; message?: string };
  readonly conditions: ReadonlyArray<{ type: string; message: string }>;
  /** Every resource the Application manages, as `Kind namespace/name` (cluster-scoped: `Kind name`), with its sync and health status. */
  readonly resources: ReadonlyArray<{ id: string; status?: string; health?: string; message?: string }>;
}

/** Every Application of Argo CD's namespace, by name, as the API server reports it. */
export function applications(cp: ControlPlane, namespace = ARGOCD_NS): Map<string, ApplicationState> {
  const items = cp.getJson(['get', 'applications.argoproj.io', '-n', namespace]).items as any[];
  const out = new Map<string, ApplicationState>();
  for (const a of items) {
    const op = a.status?.operationState;
    out.set(a.metadata.name, {
      name: a.metadata.name,
      wave: a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] === undefined ? undefined : Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']),
      path: a.spec.source?.path,
      destinationNamespace: a.spec.destination?.namespace,
      project: a.spec.project,
      sync: a.status?.sync?.status,
      syncRevision: a.status?.sync?.revision,
      health: a.status?.health?.status,
      healthMessage: a.status?.health?.message,
      reconciledAt: a.status?.reconciledAt,
      createdAt: a.metadata.creationTimestamp,
      healthSince: a.status?.health?.lastTransitionTime,
      history: (a.status?.history ?? []).map((h: any) => ({ revision: h.revision, deployStartedAt: h.deployStartedAt, deployedAt: h.deployedAt })),
      operation: op ? { phase: op.phase, revision: op.syncResult?.revision ?? op.operation?.sync?.revision, startedAt: op.startedAt, finishedAt: op.finishedAt, message: op.message } : undefined,
      conditions: (a.status?.conditions ?? []).map((c: any) => ({ type: c.type, message: c.message })),
      resources: (a.status?.resources ?? []).map((r: any) => ({ id: r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`, status: r.status, health: r.health?.status, message: r.health?.message })),
    });
  }
  return out;
}

/**
 * What Argo CD's git webhook does on a push (and `argocd app get --refresh`): the
 * `argocd.argoproj.io/refresh` annotation, so the controller compares with git now, not at its
 * 3-minute poll. `hard` also drops the repo-server's manifest cache.
 */
export function requestRefresh(cp: ControlPlane, names: readonly string[], namespace = ARGOCD_NS, kind: 'normal' | 'hard' = 'normal'): void {
  if (!names.length) return;
  cp.kubectlOk(['annotate', '--overwrite', 'applications.argoproj.io', ...names, '-n', namespace, `argocd.argoproj.io/refresh=${kind}`]);
}

/**
 * Every health change the application controller recorded, per Application, oldest first: it writes an
 * Event "Updated health status: <from> -> <to>" (reason ResourceUpdated) each time it persists a new
 * health. Unlike `status.health.lastTransitionTime`, which a later status write may stamp again, these
 * keep the first time an Application was reported Healthy.
 */
export function healthTransitions(cp: ControlPlane, namespace = ARGOCD_NS): Map<string, Array<{ from: string; to: string; at: string }>> {
  const items = cp.getJson(['get', 'events', '-n', namespace, '--field-selector', 'involvedObject.kind=Application']).items as any[];
  const out = new Map<string, Array<{ from: string; to: string; at: string }>>();
  for (const e of items) {
    const m = /Updated health status: (\S*) -> (\S+)/.exec(e.message ?? '');
    if (!m) continue;
    const at = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const list = out.get(e.involvedObject.name) ?? [];
    list.push({ from: m[1], to: m[2], at });
    out.set(e.involvedObject.name, list);
  }
  for (const list of out.values()) list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return out;
}
