/**
 * A real Kubernetes control plane for the cluster tests: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and KWOK (fake nodes and pod lifecycle, no kubelet), all on 127.0.0.1, built from the
 * Go module proxy by `test/cluster/build.sh` into a cache folder outside the clone.
 *
 * - Admission: NamespaceLifecycle, LimitRanger, ServiceAccount, ResourceQuota, PodSecurity; RBAC on.
 * - Fake nodes in two zones, large enough for every example registry, and unclassed PersistentVolumes
 *   standing in for the storage an operator provides.
 * - KWOK's "general" pod stages: a pod becomes Ready after a short delay, and a deleted pod stays
 *   (Terminating, still counted by a ResourceQuota) until its termination grace period ends, as a
 *   kubelet would keep it. That is what makes the quota arithmetic of a rolling update observable.
 *   One stage of ours: a running pod marked not Ready by the node lifecycle controller (an API server
 *   outage) is Ready again once its node is, as its kubelet would report it.
 *
 * Every process started is stopped by `stop()`, and dies with the test process however it ends
 * (signals and SIGKILL included; leftovers of a killed run are stopped by the next one): processes.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { cacheDir, freePort, openssl, startSupervised, Supervised, trackDir, untrackDir } from './processes';

export { cacheDir } from './processes';

export const CLUSTER_DIR = __dirname;

/** Versions from test/cluster/versions.env (the single place they are named). */
export function clusterVersions(): { kube: string[]; etcd: string; kwok: string; fluxSourceController: string; fluxKustomizeController: string; argoCd: string; kustomize: string } {
  const env = fs.readFileSync(path.join(CLUSTER_DIR, 'versions.env'), 'utf8');
  const get = (k: string) => {
    const m = new RegExp(`^${k}="([^"]*)"`, 'm').exec(env);
    if (!m) throw new Error(`versions.env: ${k} is missing`);
    return m[1];
  };
  return {
    kube: get('KUBE_VERSIONS').split(/\s+/).filter(Boolean),
    etcd: get('ETCD_VERSION'),
    kwok: get('KWOK_VERSION'),
    fluxSourceController: get('FLUX_SOURCE_CONTROLLER_VERSION'),
    fluxKustomizeController: get('FLUX_KUSTOMIZE_CONTROLLER_VERSION'),
    argoCd: get('ARGOCD_VERSION'),
    kustomize: get('KUSTOMIZE_VERSION'),
  };
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ControlPlane {
  /** Kubernetes version, e.g. "1.29.15". */
  readonly version: string;
  /** "1.29" */
  readonly minor: string;
  readonly kubeconfig: string;
  /** Scratch folder of this control plane (certificates, data, logs). */
  readonly dir: string;
  /** Runs kubectl against this control plane; never throws. */
  kubectl(args: readonly string[], input?: string): KubectlResult;
  /** Like kubectl, but throws with stderr when the exit code is not 0. */
  kubectlOk(args: readonly string[], input?: string): string;
  /** kubectl ... -o json, parsed. */
  getJson<T = any>(args: readonly string[]): T;
  /** The API server's port on 127.0.0.1. */
  readonly apiPort: number;
  /** Every process of this control plane, by component name (etcd, kube-apiserver, …). */
  processes(): ReadonlyMap<string, Supervised>;
  /**
   * Stops the API server (SIGTERM, as a rolling restart would) and starts it again with the same
   * flags, port and etcd; resolves once /readyz answers ok. Everything else keeps running.
   */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Fake nodes per zone. @default 2 */
  readonly nodesPerZone?: number;
  /** @default ["zone-a", "zone-b"] */
  readonly zones?: readonly string[];
  /** Unclassed 100Gi PersistentVolumes for claims without a StorageClass (redis's append-only file). @default 4 */
  readonly persistentVolumes?: number;
  /**
   * Images whose pods KWOK never makes Ready (they stay Pending, `ContainersNotReady`), as a kubelet
   * would leave a pod whose readiness probe never passes: a broken release. @default none
   */
  readonly neverReadyImages?: readonly string[];
}



/** CA, API server serving certificate, an admin client certificate (system:masters), service-account keys. */
function makeCertificates(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=rings-test-ca']);
  fs.writeFileSync(
    path.join(dir, 'apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n',
  );
  for (const [name, subj, ext] of [
    ['apiserver', '/CN=kube-apiserver', 'apiserver.ext'],
    ['admin', '/O=system:masters/CN=rings-test-admin', undefined],
  ] as const) {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '3', ...(ext ? ['-extfile', ext] : [])]);
  }
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function kubeconfigYaml(dir: string, port: number): string {
  const b64 = (f: string) => fs.readFileSync(path.join(dir, f)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: rings-test',
    '  cluster:',
    `    server: https://127.0.0.1:${port}`,
    `    certificate-authority-data: ${b64('ca.crt')}`,
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${b64('admin.crt')}`,
    `    client-key-data: ${b64('admin.key')}`,
    'contexts:',
    '- name: rings-test',
    '  context: { cluster: rings-test, user: admin }',
    'current-context: rings-test',
    '',
  ].join('\n');
}

/**
 * KWOK's own Stage definitions (shipped in its module): node initialise + lease heartbeat, general pod
 * lifecycle. With `neverReadyImages`, the pod-ready stage gets one more selector requirement: no
 * container runs one of those images (KWOK's `NotIn` holds when none of the queried values is in the set).
 */
export function kwokConfig(stageDir: string, neverReadyImages: readonly string[] = []): string {
  const files = [
    'node/fast/node-initialize.yaml',
    'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
    ...['pod-create', 'pod-init-container-running', 'pod-init-container-completed', 'pod-ready', 'pod-complete', 'pod-delete'].map((s) => `pod/general/${s}.yaml`),
  ];
  return (
    files
      .map((f) => {
        const text = fs.readFileSync(path.join(stageDir, f), 'utf8').trim();
        if (!neverReadyImages.length || !f.endsWith('/pod-ready.yaml')) return text;
        const stage = YAML.parse(text);
        stage.spec.selector.matchExpressions.push({ key: '.spec.containers.[].image', operator: 'NotIn', values: [...neverReadyImages] });
        return YAML.stringify(stage).trim();
      })
      .concat(YAML.stringify(readyAgainStage(neverReadyImages)).trim())
      .join('\n---\n') + '\n'
  );
}

/**
 * What a kubelet does and KWOK's stages do not: re-report a running pod Ready after the node
 * lifecycle controller marked it not ready. When the API server is away longer than the node
 * monitor grace period (a restart on a loaded machine), the controller marks every node NotReady
 * and every pod on it not Ready; the nodes come back with KWOK's next lease, and this stage brings
 * their running pods back (never a pod of a never-ready image).
 */
function readyAgainStage(neverReadyImages: readonly string[]): object {
  const condition = (type: string) => `- lastProbeTime: null\n  lastTransitionTime: {{ $now | Quote }}\n  status: "True"\n  type: ${type}`;
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'pod-ready-again' },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: {
        matchExpressions: [
          { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'In', values: ['False'] },
          { key: '.status.containerStatuses.[].state.running.startedAt', operator: 'Exists' },
          ...(neverReadyImages.length ? [{ key: '.spec.containers.[].image', operator: 'NotIn', values: [...neverReadyImages] }] : []),
        ],
      },
      delay: { durationMilliseconds: 1000, jitterDurationMilliseconds: 2000 },
      next: { statusTemplate: `{{ $now := Now }}\nconditions:\n${['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition).join('\n')}\n` },
    },
  };
}

function fakeNodes(zones: readonly string[], perZone: number): string {
  const docs: object[] = [];
  for (const zone of zones) {
    for (let i = 1; i <= perZone; i++) {
      const name = `kwok-${zone}-${i}`;
      docs.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'topology.kubernetes.io/zone': zone,
            type: 'kwok',
          },
        },
        status: {
          allocatable: { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' },
          capacity: { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' },
          nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake', kernelVersion: 'fake', osImage: 'fake', containerRuntimeVersion: 'fake', bootID: '', machineID: '', systemUUID: '' },
        },
      });
    }
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs });
}

function persistentVolumes(count: number): string {
  const items = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `kwok-pv-${i + 1}`, labels: { type: 'kwok' } },
    spec: {
      capacity: { storage: '100Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: '',
      hostPath: { path: `/var/lib/kwok-pv-${i + 1}` },
    },
  }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(250);
  }
  throw new Error(`control plane: ${what} not reached within ${timeoutMs / 1000} s\n${logs()}`);
}

/** Binaries of one Kubernetes version; throws with the build command when they are missing. */
export function binaries(version: string): Record<'etcd' | 'kwok' | 'apiserver' | 'controllerManager' | 'scheduler' | 'stages', string> {
  const v = clusterVersions();
  const c = cacheDir();
  const b = {
    etcd: path.join(c, `etcd-${v.etcd}`, 'etcd'),
    kwok: path.join(c, `kwok-${v.kwok}`, 'kwok'),
    stages: path.join(c, `kwok-${v.kwok}`, 'stage'),
    apiserver: path.join(c, `kube-${version}`, 'kube-apiserver'),
    controllerManager: path.join(c, `kube-${version}`, 'kube-controller-manager'),
    scheduler: path.join(c, `kube-${version}`, 'kube-scheduler'),
  };
  const missing = Object.values(b).filter((f) => !fs.existsSync(f));
  if (missing.length) throw new Error(`control plane ${version}: missing ${missing.join(', ')}; run: bash test/cluster/build.sh`);
  return b;
}

export async function startControlPlane(version: string, options: StartOptions = {}): Promise<ControlPlane> {
  const bin = binaries(version);
  const dir = trackDir(fs.mkdtempSync(path.join(os.tmpdir(), `rings-cp-${version}-`)));
  const procs = new Map<string, Supervised>();
  const argsOf = new Map<string, readonly [string, string[]]>();
  let stopped = false;

  const start = (name: string, cmd: string, args: string[]) => {
    argsOf.set(name, [cmd, args]);
    procs.set(name, startSupervised(`${name} ${version}`, cmd, args, { log: path.join(dir, `${name}.log`) }));
  };
  const tail = () =>
    [...procs]
      .map(([name, p]) => {
        const text = fs.existsSync(p.log) ? fs.readFileSync(p.log, 'utf8').split('\n').slice(-15).join('\n') : '';
        return `--- ${name} (${p.exited() ? `exited ${p.proc.exitCode ?? p.proc.signalCode}` : 'running'}) ${p.log}\n${text}`;
      })
      .join('\n');

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...procs.values()].reverse().map((p) => p.stop('SIGKILL')));
    untrackDir(dir);
  };

  try {
    makeCertificates(dir);
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all([0, 1, 2, 3, 4, 5].map(() => freePort()));
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, kubeconfigYaml(dir, apiPort));
    const f = (n: string) => path.join(dir, n);

    start('etcd', bin.etcd, [
      '--name=rings-test',
      `--data-dir=${f('etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=rings-test=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    start('kube-apiserver', bin.apiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${f('apiserver.crt')}`,
      `--tls-private-key-file=${f('apiserver.key')}`,
      `--client-ca-file=${f('ca.crt')}`,
      `--service-account-key-file=${f('sa.pub')}`,
      `--service-account-signing-key-file=${f('sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota,PodSecurity',
      '--endpoint-reconciler-type=none',
      '--allow-privileged=false',
      '--v=0',
    ]);
    const k = (args: readonly string[], input?: string): KubectlResult => {
      const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
    };
    await waitFor('kube-apiserver /readyz', 90_000, () => k(['get', '--raw', '/readyz']).stdout.trim() === 'ok', tail);

    start('kube-controller-manager', bin.controllerManager, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${f('sa.key')}`,
      `--root-ca-file=${f('ca.crt')}`,
      '--use-service-account-credentials=true',
      '--controllers=*',
      '--v=0',
    ]);
    start('kube-scheduler', bin.scheduler, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      '--leader-elect=false',
      '--v=0',
    ]);
    fs.writeFileSync(f('kwok.yaml'), kwokConfig(bin.stages, options.neverReadyImages));
    start('kwok', bin.kwok, [
      `--kubeconfig=${kubeconfig}`,
      `--config=${f('kwok.yaml')}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--server-address=127.0.0.1:${kwokPort}`,
      '--node-lease-duration-seconds=40',
      '--cidr=10.0.0.0/16',
      '--node-ip=127.0.0.1',
    ]);

    const nodes = fakeNodes(options.zones ?? ['zone-a', 'zone-b'], options.nodesPerZone ?? 2);
    const created = k(['create', '-f', '-'], nodes);
    if (created.code !== 0) throw new Error(`control plane: creating fake nodes failed: ${created.stderr}`);
    // Storage an operator would provide: unclassed PersistentVolumes the PV controller binds claims to
    // (there is no provisioner; KWOK pods never touch the volume).
    const volumes = k(['create', '-f', '-'], persistentVolumes(options.persistentVolumes ?? 4));
    if (volumes.code !== 0) throw new Error(`control plane: creating persistent volumes failed: ${volumes.stderr}`);
    await waitFor('every fake node Ready', 90_000, () => k(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=1s']).code === 0, tail);
    // The controller-manager is up when it has made the default ServiceAccount (pods cannot be admitted before).
    await waitFor('the default ServiceAccount', 90_000, () => k(['get', 'serviceaccount', 'default', '-n', 'default']).code === 0, tail);

    const [major, minor] = version.split('.');
    const cp: ControlPlane = {
      version,
      minor: `${major}.${minor}`,
      kubeconfig,
      dir,
      apiPort,
      processes: () => procs,
      async restartApiServer() {
        await procs.get('kube-apiserver')!.stop('SIGTERM', 30_000);
        const [cmd, args] = argsOf.get('kube-apiserver')!;
        start('kube-apiserver', cmd, args);
        await waitFor('kube-apiserver /readyz after a restart', 90_000, () => k(['get', '--raw', '/readyz']).stdout.trim() === 'ok', tail);
      },
      kubectl: k,
      kubectlOk(args, input) {
        const r = k(args, input);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
        return r.stdout;
      },
      getJson(args) {
        return JSON.parse(cp.kubectlOk([...args, '-o', 'json']));
      },
      stop,
    };
    return cp;
  } catch (e) {
    await stop();
    throw e;
  }
}
