/**
 * What the cluster tests do with a control plane: install operator CRDs, synthesize a registry with the
 * real `rings` CLI, apply `dist/` (file by file or through kustomize), and observe ReplicaSets, events
 * and pods. Every helper reports what it saw; the assertions live in the suites.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { kustomizedFiles, readDir } from '../../src/render/dist';
import { CLUSTER_DIR, ControlPlane } from './control-plane';

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');
const RINGS_BIN = path.join(ROOT, 'bin', 'rings.js');

/** The field manager every apply uses, so re-applies never conflict with themselves. */
export const FIELD_MANAGER = 'cdk8s-rings';

export type OperatorSet = Record<'external-secrets' | 'cert-manager' | 'gateway-api' | 'argo-cd' | 'flux', string>;

export function supportMatrix(): Record<string, OperatorSet> {
  const raw = JSON.parse(fs.readFileSync(path.join(CLUSTER_DIR, 'support-matrix.json'), 'utf8'));
  delete raw.comment;
  delete raw.running;
  return raw;
}

/** Controllers that run in the cluster tests, by operator (`"running"` in support-matrix.json): { flux: "v1.9.6" }. */
export function runningControllers(): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(CLUSTER_DIR, 'support-matrix.json'), 'utf8')).running;
}

/** CRD files of one operator release, e.g. ("external-secrets", "v0.19.2"). */
export function crdFiles(operator: string, release: string): string[] {
  const dir = path.join(CLUSTER_DIR, 'crds', `${operator}-${release}`);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

export interface ApplyOutcome {
  readonly code: number;
  /** Lines starting with `error:` or `Error from server`, and any other stderr line that is not a warning. */
  readonly errors: string[];
  /** `Warning:` lines (from the server or kubectl). */
  readonly warnings: string[];
  readonly stdout: string;
}

function outcome(r: { code: number; stdout: string; stderr: string }): ApplyOutcome {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    code: r.code,
    // "Warning: …" from the server or kubectl, and klog warnings ("W1201 06:09:21 … prune.go:71] …").
    warnings: lines.filter((l) => /^warning:|^W\d{4} /i.test(l)),
    errors: lines.filter((l) => !/^warning:|^W\d{4} /i.test(l)),
    stdout: r.stdout,
  };
}

/** `kubectl apply --server-side --validate=strict` of one file or of stdin. */
export function applyServerSide(cp: ControlPlane, source: { file: string } | { yaml: string }, extra: readonly string[] = []): ApplyOutcome {
  const args = ['apply', '--server-side', '--validate=strict', `--field-manager=${FIELD_MANAGER}`, ...extra];
  return 'file' in source ? outcome(cp.kubectl([...args, '-f', source.file])) : outcome(cp.kubectl([...args, '-f', '-'], source.yaml));
}

/** Installs the CRDs of an operator set and waits until every one is Established. */
export function installCrds(cp: ControlPlane, set: OperatorSet): ApplyOutcome[] {
  const files = Object.entries(set).flatMap(([op, rel]) => crdFiles(op, rel));
  const outcomes = files.map((file) => applyServerSide(cp, { file }));
  if (outcomes.every((o) => o.code === 0)) {
    // A CRD created a moment ago may have no status yet: `kubectl wait` then fails at once
    // (".status.conditions accessor error: <nil>") instead of waiting; ask again.
    for (let attempt = 1; ; attempt++) {
      const r = cp.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
      if (r.code === 0) break;
      if (attempt >= 10 || !/accessor error/.test(r.stderr)) throw new Error(`kubectl wait --for=condition=Established crd --all exited ${r.code}:\n${r.stderr}${r.stdout}`);
      spawnSync('sleep', ['0.5']);
    }
  }
  return outcomes;
}

/** The manifest files of a dist/ folder in the order its kustomization.yaml reaches them (unit folders followed). */
export function kustomizationOrder(distDir: string): string[] {
  return kustomizedFiles(readDir(distDir)).map((f) => path.join(distDir, ...f.split('/')));
}

/** Applies dist/ file by file, in the kustomization's order; one outcome per file (named by its path in dist/). */
export function applyFileByFile(cp: ControlPlane, distDir: string): Array<ApplyOutcome & { file: string }> {
  return kustomizationOrder(distDir).map((file) => ({ file: path.relative(distDir, file).split(path.sep).join('/'), ...applyServerSide(cp, { file }) }));
}

/** `kubectl kustomize dist | kubectl apply --server-side --validate=strict -f -` */
export function applyKustomized(cp: ControlPlane, distDir: string, extra: readonly string[] = []): ApplyOutcome {
  const built = spawnSync('kubectl', ['kustomize', distDir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (built.status !== 0) return { code: built.status ?? 1, errors: [`kubectl kustomize: ${built.stderr}`], warnings: [], stdout: '' };
  return applyServerSide(cp, { yaml: built.stdout }, extra);
}

/** `kubectl kustomize dist | kubectl apply -f -` (client-side apply, as `--prune -l` requires). */
export function applyClientSide(cp: ControlPlane, distDir: string, extra: readonly string[] = []): ApplyOutcome {
  const built = spawnSync('kubectl', ['kustomize', distDir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (built.status !== 0) return { code: built.status ?? 1, errors: [`kubectl kustomize: ${built.stderr}`], warnings: [], stdout: '' };
  return outcome(cp.kubectl(['apply', '--validate=strict', ...extra, '-f', '-'], built.stdout));
}

/**
 * What changes when an object's desired state changes: `metadata.generation` where the API keeps one
 * (status updates by controllers do not move it), else a digest of the object without its status and
 * server-maintained metadata; "absent" when missing. Objects are named `Kind namespace/name`, as
 * `distObjects` names them.
 */
export function liveVersions(cp: ControlPlane, ids: ReadonlySet<string>): Record<string, string> {
  // One list per kind, not one `kubectl get` per object: a ring's few hundred objects took minutes
  // of kubectl start-ups per call on a loaded 2-core machine.
  const byKind = new Map<string, string[]>();
  for (const id of ids) {
    const kind = id.split(' ')[0];
    byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
  }
  const live = new Map<string, any>();
  for (const kind of [...byKind.keys()].sort()) {
    const r = cp.kubectl(['get', kind, '-A', '-o', 'json']);
    if (r.code !== 0) continue; // a kind the server does not serve: every object of it is absent
    for (const o of JSON.parse(r.stdout).items) live.set(`${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`, o);
  }
  const out: Record<string, string> = {};
  for (const id of [...ids].sort()) {
    const o = live.get(id);
    if (!o) {
      out[id] = 'absent';
      continue;
    }
    if (o.metadata.generation) {
      out[id] = `generation ${o.metadata.generation}`;
      continue;
    }
    const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o.metadata;
    const { status: _status, ...rest } = o;
    out[id] = `digest ${createHash('sha256').update(JSON.stringify({ ...rest, metadata })).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** Waits until every managed HorizontalPodAutoscaler has scaled its Deployment to at least its minimum. */
export async function hpasSettled(cp: ControlPlane, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hpas = cp.getJson(['get', 'hpa', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']).items;
    const ok = hpas.every((h: any) => {
      const d = cp.getJson(['get', 'deployment', h.spec.scaleTargetRef.name, '-n', h.metadata.namespace]);
      return d.spec.replicas >= (h.spec.minReplicas ?? 1) && (d.status.readyReplicas ?? 0) === d.spec.replicas;
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`autoscaled Deployments not at their minimum after ${timeoutMs / 1000} s`);
}

/**
 * Objects `kubectl diff --server-side` says applying dist/ would change, as `Kind namespace/name`.
 * Objects in a namespace that does not exist yet cannot be diffed server-side; they are listed as new.
 */
export function changedObjects(cp: ControlPlane, distDir: string): string[] {
  const built = spawnSync('kubectl', ['kustomize', distDir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (built.status !== 0) throw new Error(`kubectl kustomize ${distDir}: ${built.stderr}`);
  const existing = new Set<string>(cp.getJson(['get', 'namespaces']).items.map((n: any) => n.metadata.name));
  const docs = YAML.parseAllDocuments(built.stdout).map((d) => d.toJS()).filter(Boolean);
  const changed = new Set<string>();
  const diffable = docs.filter((o: any) => {
    const ns = o.metadata?.namespace;
    if (!ns || existing.has(ns)) return true;
    changed.add(`${o.kind} ${ns}/${o.metadata.name}`);
    return false;
  });
  const r = cp.kubectl(['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: diffable }));
  // kubectl diff: 0 no difference, 1 differences, >1 error.
  if (r.code > 1) throw new Error(`kubectl diff failed (${r.code}): ${r.stderr}`);
  // Header lines: "diff -u -N /tmp/LIVE-123/apps.v1.Deployment.autocom-edge.api /tmp/MERGED-456/..."
  for (const m of r.stdout.matchAll(/^diff -u -N \S*\/LIVE-[^/]+\/(\S+) /gm)) {
    const parts = m[1].split('.');
    // <group parts...>.<version>.<Kind>.<namespace>.<name>; cluster-scoped objects have no namespace part.
    const kindIdx = parts.findIndex((p) => /^[A-Z]/.test(p));
    const rest = parts.slice(kindIdx + 1);
    const kind = parts[kindIdx];
    changed.add(rest.length >= 2 ? `${kind} ${rest[0]}/${rest.slice(1).join('.')}` : `${kind} ${rest.join('.')}`);
  }
  return [...changed].sort();
}

export interface Workdir {
  readonly dir: string;
  readonly registry: string;
  readonly dist: string;
  /** Runs the built `rings` CLI on this registry; throws with its output when it fails. */
  rings(args: readonly string[]): string;
  synth(): void;
  cleanup(): void;
}

/** A scratch copy of a registry, with its own dist/. */
export function workdir(sourceRegistry: string): Workdir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-cluster-'));
  const registry = path.join(dir, 'rings');
  const dist = path.join(dir, 'dist');
  fs.cpSync(sourceRegistry, registry, { recursive: true });
  const rings = (args: readonly string[]) => {
    const r = spawnSync(process.execPath, [RINGS_BIN, ...args, '--registry', registry], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', RINGS_NOW: '' },
    });
    if (r.status !== 0) throw new Error(`rings ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  return {
    dir,
    registry,
    dist,
    rings,
    synth: () => void rings(['synth', '--out', dist]),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface DeploymentRef {
  readonly namespace: string;
  readonly name: string;
}

/** Every Deployment the platform manages. */
export function managedDeployments(cp: ControlPlane): DeploymentRef[] {
  const list = cp.getJson(['get', 'deployments', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']);
  return list.items.map((d: any) => ({ namespace: d.metadata.namespace, name: d.metadata.name })).sort((a: DeploymentRef, b: DeploymentRef) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** `kubectl rollout status` of every managed Deployment; the ones that did not complete, with kubectl's message. */
export function incompleteRollouts(cp: ControlPlane, timeoutSeconds = 240): string[] {
  const out: string[] = [];
  for (const d of managedDeployments(cp)) {
    const r = cp.kubectl(['rollout', 'status', `deployment/${d.name}`, '-n', d.namespace, `--timeout=${timeoutSeconds}s`]);
    if (r.code !== 0) out.push(`${d.namespace}/${d.name}: ${(r.stderr || r.stdout).trim()}`);
  }
  return out;
}

/** ReplicaSets of managed Deployments: `namespace/deployment` → sorted pod-template-hashes. */
export function replicaSets(cp: ControlPlane): Map<string, string[]> {
  const list = cp.getJson(['get', 'replicasets', '-A']);
  const out = new Map<string, string[]>();
  for (const rs of list.items) {
    const owner = (rs.metadata.ownerReferences ?? []).find((o: any) => o.kind === 'Deployment');
    if (!owner) continue;
    const key = `${rs.metadata.namespace}/${owner.name}`;
    out.set(key, [...(out.get(key) ?? []), rs.metadata.labels['pod-template-hash']].sort());
  }
  return out;
}

/** The pod-template-hash of the ReplicaSet a Deployment currently runs (highest revision). */
export function currentTemplateHash(cp: ControlPlane, namespace: string, deployment: string): string {
  const list = cp.getJson(['get', 'replicasets', '-n', namespace]);
  const mine = list.items.filter((rs: any) => (rs.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'Deployment' && o.name === deployment));
  if (!mine.length) throw new Error(`no ReplicaSet of deployment ${namespace}/${deployment}`);
  const rev = (rs: any) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  mine.sort((a: any, b: any) => rev(b) - rev(a));
  return mine[0].metadata.labels['pod-template-hash'];
}

/** Deployments (`namespace/name`) whose set of ReplicaSets differs between two snapshots. */
export function deploymentsWithNewReplicaSets(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => (before.get(k) ?? []).join() !== (after.get(k) ?? []).join()).sort();
}

export interface EventSummary {
  readonly uid: string;
  readonly namespace: string;
  readonly reason: string;
  readonly type: string;
  readonly object: string;
  readonly message: string;
}

export function events(cp: ControlPlane): EventSummary[] {
  const list = cp.getJson(['get', 'events', '-A']);
  return list.items.map((e: any) => ({
    uid: e.metadata.uid,
    namespace: e.metadata.namespace,
    reason: e.reason,
    type: e.type,
    object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
    message: e.message,
  }));
}

/** Events that appeared since `seen` (a set of uids) was taken. */
export function newEvents(cp: ControlPlane, seen: ReadonlySet<string>): EventSummary[] {
  return events(cp).filter((e) => !seen.has(e.uid));
}

export function eventUids(cp: ControlPlane): Set<string> {
  return new Set(events(cp).map((e) => e.uid));
}

/** Events that show a refused pod: FailedCreate (any cause) and anything mentioning an exceeded quota. */
export function podRefusals(evs: readonly EventSummary[]): EventSummary[] {
  return evs.filter((e) => e.reason === 'FailedCreate' || /exceeded quota/.test(e.message));
}

/** Pods of a namespace that are terminating (deletionTimestamp set) right now. */
export function terminatingPods(cp: ControlPlane, namespace: string): string[] {
  const list = cp.getJson(['get', 'pods', '-n', namespace]);
  return list.items.filter((p: any) => p.metadata.deletionTimestamp).map((p: any) => p.metadata.name).sort();
}

/** Waits until no pod of the namespace is terminating (the previous rollout's grace periods are over). */
export async function waitNoTerminating(cp: ControlPlane, namespace: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (terminatingPods(cp, namespace).length === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`pods of ${namespace} still terminating after ${timeoutMs / 1000} s`);
}

/** Whether every managed Deployment has completed its rollout (as `kubectl rollout status` decides). */
export function allRolledOut(cp: ControlPlane): boolean {
  const list = cp.getJson(['get', 'deployments', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']);
  return list.items.every((d: any) => {
    const st = d.status ?? {};
    const want = d.spec.replicas ?? 1;
    return (st.observedGeneration ?? 0) >= d.metadata.generation && (st.updatedReplicas ?? 0) === want && (st.replicas ?? 0) === want && (st.availableReplicas ?? 0) === want;
  });
}

/**
 * Applies through `apply`, then samples `namespace` every 500 ms until every rollout completed and no
 * pod of the namespace is terminating any more. Returns the most pods seen terminating at once: the
 * situation the quota rule is about (replaced pods still counted while new ones start).
 */
export async function rollWatchingTerminating(cp: ControlPlane, namespace: string, apply: () => void, timeoutMs = 300_000): Promise<number> {
  apply();
  let maxTerminating = 0;
  const deadline = Date.now() + timeoutMs;
  let rolled = false;
  while (Date.now() < deadline) {
    const terminating = terminatingPods(cp, namespace).length;
    maxTerminating = Math.max(maxTerminating, terminating);
    rolled = rolled || allRolledOut(cp);
    if (rolled && terminating === 0) return maxTerminating;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`rollouts in ${namespace} not complete, or pods still terminating, after ${timeoutMs / 1000} s`);
}

/** A pod that violates Pod Security `restricted` (no securityContext at all) but satisfies any quota. */
export function nonCompliantPod(namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'psa-probe', namespace },
    spec: {
      containers: [{
        name: 'probe',
        image: 'registry.k8s.io/pause:3.9',
        resources: {
          requests: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '16Mi' },
          limits: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '16Mi' },
        },
      }],
    },
  });
}

/** Namespaces of the platform's rings (labelled by the output), sorted. */
export function ringNamespaces(distDir: string): string[] {
  const out: string[] = [];
  for (const file of kustomizationOrder(distDir)) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const o = doc.toJS();
      if (o?.kind === 'Namespace' && o.metadata?.labels?.ring) out.push(o.metadata.name);
    }
  }
  return out.sort();
}

/** `--prune-allowlist` values (`group/version/Kind`, `core/v1/Kind`) of every kind a dist/ folder writes. */
export function pruneAllowlist(distDir: string): string[] {
  const kinds = distObjects(distDir).map((o) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`);
  return [...new Set(kinds)].sort();
}

/** Every object of a dist/ folder, as `Kind namespace/name` with its `ring` label. */
export function distObjects(distDir: string): Array<{ id: string; apiVersion: string; kind: string; namespace?: string; ring?: string }> {
  const out: Array<{ id: string; apiVersion: string; kind: string; namespace?: string; ring?: string }> = [];
  for (const file of kustomizationOrder(distDir)) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const o = doc.toJS();
      if (!o?.kind) continue;
      const ns = o.metadata?.namespace;
      out.push({ id: ns ? `${o.kind} ${ns}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`, apiVersion: o.apiVersion, kind: o.kind, namespace: ns, ring: o.metadata?.labels?.ring });
    }
  }
  return out;
}

/** Deployments (`Deployment namespace/name`) whose pods mount a ring-data ConfigMap. */
export function ringDataReaders(distDir: string): string[] {
  const out: string[] = [];
  for (const file of kustomizationOrder(distDir)) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const o = doc.toJS();
      if (o?.kind !== 'Deployment') continue;
      const volumes = o.spec?.template?.spec?.volumes ?? [];
      if (volumes.some((v: any) => String(v.configMap?.name ?? '').startsWith('ring-data-'))) out.push(`Deployment ${o.metadata.namespace}/${o.metadata.name}`);
    }
  }
  return out.sort();
}

/**
 * What the output assumes the cluster already has, read from dist/: PriorityClasses its pods name and
 * the node labels its nodeSelectors ask for. An operator provides these (a priority scheme, a
 * dedicated node pool); the cluster tests stand in for them, as for storage.
 */
export function operatorPrerequisites(distDir: string): { priorityClasses: string[]; nodeLabels: Record<string, string> } {
  const priorityClasses = new Set<string>();
  const nodeLabels: Record<string, string> = {};
  for (const file of kustomizationOrder(distDir)) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const spec = doc.toJS()?.spec?.template?.spec;
      if (!spec) continue;
      if (spec.priorityClassName) priorityClasses.add(spec.priorityClassName);
      Object.assign(nodeLabels, spec.nodeSelector ?? {});
    }
  }
  return { priorityClasses: [...priorityClasses].sort(), nodeLabels };
}

/** Creates the PriorityClasses and labels every fake node as `operatorPrerequisites` says. */
export function provideOperatorPrerequisites(cp: ControlPlane, distDir: string): void {
  const { priorityClasses, nodeLabels } = operatorPrerequisites(distDir);
  for (const name of priorityClasses) {
    if (cp.kubectl(['get', 'priorityclass', name]).code === 0) continue;
    cp.kubectlOk(['create', 'priorityclass', name, '--value=1000', `--description=stand-in for the operator's ${name}`]);
  }
  const labels = Object.entries(nodeLabels).map(([k, v]) => `${k}=${v}`);
  if (labels.length) cp.kubectlOk(['label', 'nodes', '--all', '--overwrite', ...labels]);
}

/** The delivery objects of dist/gitops/ (every file, the root Application too), and the namespace they live in. */
export function gitopsFiles(distDir: string): { files: string[]; namespace: string } | undefined {
  const dir = path.join(distDir, 'gitops');
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort().map((f) => path.join(dir, f));
  const namespaces = new Set(files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()?.metadata?.namespace).filter(Boolean)));
  if (namespaces.size !== 1) throw new Error(`dist/gitops/: expected one namespace for the delivery objects, found ${[...namespaces].join(', ') || 'none'}`);
  return { files, namespace: [...namespaces][0] };
}

/**
 * The units of dist/ in the order the delivery objects stored in the API server deliver them, as
 * folder names: Argo CD Applications by sync wave (the app of apps syncing dist/gitops/ left out),
 * an ApplicationSet by its RollingSync steps, Flux Kustomizations by `dependsOn` (a unit after
 * everything it depends on; independent ones by name). Read back from the cluster, not from dist/.
 */
export function deliveryOrderFromCluster(cp: ControlPlane, namespace: string): string[] {
  const list = (resource: string): any[] => JSON.parse(cp.kubectlOk(['get', resource, '-n', namespace, '-o', 'json'])).items;
  const unitOf = (p: string) => path.posix.basename(p.replace(/^\.\//, '')) || p;
  const apps = list('applications.argoproj.io').filter((a) => unitOf(a.spec.source.path) !== 'gitops');
  if (apps.length) {
    const wave = (a: any) => Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    return apps.sort((a, b) => wave(a) - wave(b) || a.metadata.name.localeCompare(b.metadata.name)).map((a) => unitOf(a.spec.source.path));
  }
  const sets = list('applicationsets.argoproj.io');
  if (sets.length) {
    const set = sets[0];
    const elements: any[] = set.spec.generators[0].list.elements;
    const labelKey: string = set.spec.strategy.rollingSync.steps[0].matchExpressions[0].key;
    const unitLabel = set.spec.template.metadata.labels[labelKey];
    if (unitLabel !== '{{.unit}}') throw new Error(`ApplicationSet ${set.metadata.name}: steps select ${labelKey}, which the template sets to ${unitLabel}`);
    return set.spec.strategy.rollingSync.steps.flatMap((s: any) => s.matchExpressions[0].values as string[]).map((u: string) => unitOf(elements.find((e) => e.unit === u).path));
  }
  const ks = list('kustomizations.kustomize.toolkit.fluxcd.io').filter((k) => unitOf(k.spec.path) !== 'gitops');
  const byName = new Map(ks.map((k) => [k.metadata.name, k]));
  const done: string[] = [];
  const visit = (k: any, seen: Set<string>) => {
    if (done.includes(k.metadata.name)) return;
    if (seen.has(k.metadata.name)) throw new Error(`Flux Kustomization ${k.metadata.name}: dependsOn cycle`);
    seen.add(k.metadata.name);
    for (const d of k.spec.dependsOn ?? []) {
      const dep = byName.get(d.name);
      if (!dep) throw new Error(`Flux Kustomization ${k.metadata.name} depends on ${d.name}, which does not exist`);
      visit(dep, seen);
    }
    done.push(k.metadata.name);
  };
  for (const k of [...ks].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) visit(k, new Set());
  return done.map((n) => unitOf(byName.get(n)!.spec.path));
}

/** `kubectl kustomize <dist>/<unit> | kubectl apply --server-side --validate=strict`: what the GitOps tool does for one unit. */
export function applyUnit(cp: ControlPlane, distDir: string, unit: string): ApplyOutcome {
  return applyKustomized(cp, path.join(distDir, unit));
}
