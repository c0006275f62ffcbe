/**
 * What the operators of a real cluster provide and the local control plane does not: the Services
 * the aliases point at in the home namespace (CloudNativePG's `-rw`/`-ro`, MinIO), the Secrets the
 * rings reference (created by hand, by External Secrets or by cert-manager), and a Ready status on
 * every ExternalSecret (no External Secrets controller runs here). All derived from dist/, so the
 * stand-ins follow the registry.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { kubectl, readSnapshot } from '../../src/cli/kube';
import { aliasTarget, secretRefs } from '../../src/operate/verify/verify-ring';
import { CLUSTER_DIR, ControlPlane } from './control-plane';
import { kustomizationOrder, Workdir } from './platform';

export function distDocs(distDir: string): any[] {
  return kustomizationOrder(distDir).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()).filter((o) => o?.kind));
}

/** Services in the home namespace that aliases point at and dist/ does not create. */
export function aliasTargetsMissingFromDist(docs: readonly any[], homeNamespace: string): string[] {
  const created = new Set(docs.filter((o) => o.kind === 'Service' && o.metadata.namespace === homeNamespace).map((o) => o.metadata.name));
  const targets = docs
    .filter((o) => o.kind === 'Service' && o.spec?.type === 'ExternalName')
    .map((o) => aliasTarget(o.spec.externalName))
    .filter((t) => t && t.namespace === homeNamespace && !created.has(t.service))
    .map((t) => t!.service);
  return [...new Set(targets)].sort();
}

export function standInService(namespace: string, name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { 'stand-in': 'operator' } },
    spec: { type: 'ClusterIP', ports: [{ name: 'tcp', port: 5432, protocol: 'TCP' }], selector: { 'stand-in': name } },
  };
}

/** Every Secret a dist/ object references, as `namespace/name`. */
export function referencedSecrets(docs: readonly any[]): string[] {
  return [...new Set(docs.flatMap((o) => secretRefs(o).map((s) => `${o.metadata.namespace}/${s}`)))].sort();
}

/** Applies the stand-ins: alias targets, referenced Secrets (placeholder data, never real), ExternalSecrets Ready (volumes: the control plane's own). */
export function applyStandIns(cp: ControlPlane, distDir: string, homeNamespace: string, options: { markExternalSecretsReady?: boolean } = {}): void {
  const docs = distDocs(distDir);
  const items: object[] = aliasTargetsMissingFromDist(docs, homeNamespace).map((s) => standInService(homeNamespace, s));
  for (const ref of referencedSecrets(docs)) {
    const [namespace, name] = ref.split('/');
    items.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: { 'stand-in': 'operator' } }, type: 'Opaque', stringData: { placeholder: 'stand-in' } });
  }
  cp.kubectlOk(['apply', '--server-side', '--field-manager=stand-ins', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  if (options.markExternalSecretsReady ?? true) markExternalSecretsReady(cp, docs);
}

export function markExternalSecretsReady(cp: ControlPlane, docs: readonly any[]): void {
  const status = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'stand-in: secret synced', lastTransitionTime: '2026-12-01T00:00:00Z' }] } };
  for (const es of docs.filter((o) => o.kind === 'ExternalSecret')) {
    cp.kubectlOk(['patch', 'externalsecret', es.metadata.name, '-n', es.metadata.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  }
}

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');
const RINGS_BIN = path.join(ROOT, 'bin', 'rings.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout lines, without the empty last one. */
  readonly lines: string[];
}

/** Runs the built `rings` CLI on a workdir's registry; never throws (the exit code is asserted). */
export function ringsCli(wd: Workdir, args: readonly string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [RINGS_BIN, ...args, '--registry', wd.registry], {
    cwd: wd.dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', RINGS_NOW: '', RINGS_ACTOR: 'Cluster Test <cluster-test@acme.io>', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split('\n').filter(Boolean) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` is true (returns), or throws naming `what` after timeoutMs. */
export async function until(what: string, check: () => boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(1000);
  }
  throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
}

/** The Deployment's status once its controller has seen its latest spec. */
export function deploymentStatus(cp: ControlPlane, namespace: string, name: string): any {
  const d = cp.getJson(['get', 'deployment', name, '-n', namespace]);
  return { spec: d.spec, status: d.status ?? {}, observed: (d.status?.observedGeneration ?? 0) >= d.metadata.generation };
}

/** Writes a verify fixture (test/fixtures/verify/) from the live cluster, when RINGS_RECORD_VERIFY_FIXTURES=1. */
export function recordFixture(cp: ControlPlane, file: string, namespaces: readonly string[], onlyNamespaces = false): void {
  if (process.env.RINGS_RECORD_VERIFY_FIXTURES !== '1') return;
  const kube = kubectl({ kubeconfig: cp.kubeconfig, env: process.env });
  const snap = readSnapshot(kube, namespaces);
  fs.writeFileSync(path.join(ROOT, 'test', 'fixtures', 'verify', file), `${JSON.stringify(onlyNamespaces ? { namespaces: snap.namespaces } : snap)}\n`);
}
