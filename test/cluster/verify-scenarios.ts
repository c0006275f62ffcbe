/**
 * What the operators of a real cluster provide and the local control plane does not: the Services
 * the aliases point at in the home namespace (CloudNativePG's `-rw`/`-ro`, MinIO), the Secrets the
 * rings reference (created by hand, by External Secrets or by cert-manager), and a Ready status on
 * every ExternalSecret (no External Secrets controller runs here). All derived from dist/, so the
 * stand-ins follow the registry.
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { aliasTarget, secretRefs } from '../../src/verify/compare';
import { ControlPlane } from './control-plane';
import { kustomizationOrder } from './platform';

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

/** Applies the stand-ins: alias targets, referenced Secrets (placeholder data, never real), ExternalSecrets Ready. */
export function applyStandIns(cp: ControlPlane, distDir: string, homeNamespace: string): void {
  const docs = distDocs(distDir);
  const items: object[] = aliasTargetsMissingFromDist(docs, homeNamespace).map((s) => standInService(homeNamespace, s));
  for (const ref of referencedSecrets(docs)) {
    const [namespace, name] = ref.split('/');
    items.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: { 'stand-in': 'operator' } }, type: 'Opaque', stringData: { placeholder: 'stand-in' } });
  }
  cp.kubectlOk(['apply', '--server-side', '--field-manager=stand-ins', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  markExternalSecretsReady(cp, docs);
}

export function markExternalSecretsReady(cp: ControlPlane, docs: readonly any[]): void {
  const status = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'stand-in: secret synced', lastTransitionTime: '2026-12-01T00:00:00Z' }] } };
  for (const es of docs.filter((o) => o.kind === 'ExternalSecret')) {
    cp.kubectlOk(['patch', 'externalsecret', es.metadata.name, '-n', es.metadata.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  }
}
