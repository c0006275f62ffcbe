/**
 * Dangling references: every object the output points at by name is in the output, or is a
 * documented external prerequisite. Reads the manifests only (as a cluster would resolve the names),
 * never the constructs, so a construct that forgets to emit what another one names is caught.
 *
 * What is followed, and what answers it:
 * - a namespaced object's `metadata.namespace` → a Namespace;
 * - ExternalSecret `spec.secretStoreRef` (and `data[].sourceRef.storeRef`) → a ClusterSecretStore, or
 *   a SecretStore in its namespace; a ClusterSecretStore's `conditions` must admit the namespace;
 *   with the kubernetes provider, each key read (`dataFrom[].extract.key`, `data[].remoteRef.key`)
 *   → a Secret in the store's `remoteNamespace`;
 * - a store's `auth.serviceAccount` → a ServiceAccount; its `caProvider` → a ConfigMap or Secret;
 * - a pod's `serviceAccountName` → a ServiceAccount; its ConfigMaps and Secrets (envFrom, env,
 *   volumes, projected volumes, imagePullSecrets; optional ones left out) → in its namespace;
 * - RoleBinding / ClusterRoleBinding `roleRef` → a Role in its namespace or a ClusterRole;
 *   `subjects` of kind ServiceAccount → a ServiceAccount;
 * - Ingress backends (rules and defaultBackend) → a Service in its namespace with that port;
 *   `tls[].secretName` → a Secret; `ingressClassName` → an IngressClass;
 * - HTTPRoute `backendRefs` → a Service with that port; `parentRefs` → a Gateway;
 * - HorizontalPodAutoscaler `scaleTargetRef` → the workload; cert-manager Certificate `issuerRef` →
 *   a ClusterIssuer or an Issuer in its namespace.
 *
 * A Secret exists in a namespace when the output has it, an ExternalSecret's target or a
 * Certificate's `secretName` is it, or the namespace's Namespace lists it in
 * `rings.cdk8s.io/operator-provided-secrets` (the documented by-hand secrets, docs/secrets-routing.md).
 * Kubernetes makes `ServiceAccount <ns>/default` and `ConfigMap <ns>/kube-root-ca.crt` in every
 * namespace. Anything else outside the output must be named in `external`.
 */
import type { Registry } from '../../src/registry/load';
import type { RingPlan } from '../../src/resolve/resolve-plan';
import { K8sObject, podReferences, podTemplates } from './invariants';

export interface ReferenceOptions {
  /**
   * Documented external prerequisites, each as `Kind name` (cluster-scoped) or `Kind namespace/name`;
   * `*` matches any name or namespace (`IngressClass nginx`, `ClusterIssuer letsencrypt-dns01`). @default []
   */
  readonly external?: readonly string[];
}

/** The annotation of a ring Namespace that lists the secrets created outside the output (by hand, or by Reflector). */
export const OPERATOR_PROVIDED_SECRETS = 'rings.cdk8s.io/operator-provided-secrets';

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ClusterSecretStore', 'ClusterIssuer', 'IngressClass', 'GatewayClass',
  'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'PersistentVolume', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'RuntimeClass',
]);
const BUILTIN = ['ServiceAccount */default', 'ConfigMap */kube-root-ca.crt'];
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (kind: string, ns: string | undefined, name: string) => (ns === undefined ? `${kind} ${name}` : `${kind} ${ns}/${name}`);
const idOf = (o: K8sObject) => (o.metadata?.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata?.name}`);

/** One line per reference the output leaves dangling: `<Kind>/<ns>/<name>: <field> → <Kind> <ns>/<name>, which …`; [] when every name resolves. */
export function danglingReferences(objects: readonly K8sObject[], options: ReferenceOptions = {}): string[] {
  const have = new Set<string>();
  const services = new Map<string, K8sObject>();
  const stores = new Map<string, K8sObject>();
  for (const o of objects) {
    const name = String(o.metadata?.name);
    const ns = CLUSTER_SCOPED.has(o.kind) ? undefined : (o.metadata?.namespace ?? 'default');
    have.add(at(o.kind, ns, name));
    if (o.kind === 'Service') services.set(at('Service', ns, name), o);
    if (o.kind === 'ClusterSecretStore' || o.kind === 'SecretStore') stores.set(at(o.kind, ns, name), o);
    if (o.kind === 'ExternalSecret') have.add(at('Secret', ns, String(o.spec?.target?.name ?? name)));
    if (o.kind === 'Certificate' && typeof o.spec?.secretName === 'string') have.add(at('Secret', ns, o.spec.secretName));
    if (o.kind === 'Namespace') {
      const provided = o.metadata?.annotations?.[OPERATOR_PROVIDED_SECRETS];
      if (typeof provided === 'string') for (const s of provided.split(',').map((x) => x.trim()).filter(Boolean)) have.add(at('Secret', name, s));
    }
  }
  const external = [...BUILTIN, ...(options.external ?? [])].map((e) => {
    const m = /^(\S+) (?:([^/\s]+)\/)?(\S+)$/.exec(e);
    if (!m) throw new Error(`external prerequisite ${JSON.stringify(e)}: expected "Kind name" or "Kind namespace/name"`);
    return { kind: m[1], ns: m[2], name: m[3] };
  });
  const isExternal = (kind: string, ns: string | undefined, name: string) =>
    external.some((e) => e.kind === kind && (e.name === '*' || e.name === name) && (ns === undefined ? e.ns === undefined : e.ns === '*' || e.ns === ns));
  const exists = (kind: string, ns: string | undefined, name: string) => have.has(at(kind, ns, name)) || isExternal(kind, ns, name);

  const out = new Set<string>();
  const need = (from: K8sObject, field: string, kind: string, ns: string | undefined, name: unknown) => {
    if (typeof name !== 'string' || name === '') {
      out.add(`${idOf(from)}: ${field} names no ${kind}`);
      return;
    }
    if (!exists(kind, ns, name)) out.add(`${idOf(from)}: ${field} → ${at(kind, ns, name)}, which the output does not create and no prerequisite lists`);
  };
  const servicePort = (from: K8sObject, field: string, ns: string, name: unknown, port: unknown) => {
    need(from, field, 'Service', ns, name);
    const svc = services.get(at('Service', ns, String(name)));
    if (!svc || port === undefined) return;
    const ports: any[] = svc.spec?.ports ?? [];
    const p = isObj(port) ? (port.number ?? port.name) : port;
    if (!ports.some((sp) => sp.port === p || (typeof p === 'string' && sp.name === p))) out.add(`${idOf(from)}: ${field} → port ${JSON.stringify(p)} of Service ${ns}/${name}, which has no such port`);
  };

  for (const o of objects) {
    const ns = o.metadata?.namespace as string | undefined;
    if (!CLUSTER_SCOPED.has(o.kind) && ns !== undefined) need(o, 'metadata.namespace', 'Namespace', undefined, ns);
    const here = ns ?? 'default';

    if (o.kind === 'ExternalSecret') {
      const refs: [string, any][] = [['spec.secretStoreRef', o.spec?.secretStoreRef]];
      (o.spec?.data ?? []).forEach((d: any, i: number) => d?.sourceRef?.storeRef && refs.push([`spec.data[${i}].sourceRef.storeRef`, d.sourceRef.storeRef]));
      const keys = [...(o.spec?.dataFrom ?? []).map((d: any) => d?.extract?.key), ...(o.spec?.data ?? []).map((d: any) => d?.remoteRef?.key)].filter((k) => typeof k === 'string');
      for (const [field, ref] of refs) {
        const kind = ref?.kind ?? 'SecretStore';
        const storeNs = kind === 'ClusterSecretStore' ? undefined : here;
        need(o, field, kind, storeNs, ref?.name);
        const store = stores.get(at(kind, storeNs, String(ref?.name)));
        if (!store) continue;
        const conditions: any[] = store.spec?.conditions ?? [];
        if (kind === 'ClusterSecretStore' && conditions.length && !conditions.some((c) => (c.namespaces ?? []).includes(here) || c.namespaceSelector || c.namespaceRegexes)) {
          out.add(`${idOf(o)}: ${field} → ClusterSecretStore ${ref.name}, whose conditions do not admit namespace ${here}`);
        }
        const k8s = store.spec?.provider?.kubernetes;
        if (k8s) for (const key of keys) need(o, `${field} key ${JSON.stringify(key)}`, 'Secret', k8s.remoteNamespace ?? 'default', key);
      }
    }
    if (o.kind === 'ClusterSecretStore' || o.kind === 'SecretStore') {
      const k8s = o.spec?.provider?.kubernetes;
      const sa = k8s?.auth?.serviceAccount;
      if (sa) need(o, 'spec.provider.kubernetes.auth.serviceAccount', 'ServiceAccount', sa.namespace ?? here, sa.name);
      const ca = k8s?.server?.caProvider;
      if (ca) need(o, 'spec.provider.kubernetes.server.caProvider', ca.type === 'Secret' ? 'Secret' : 'ConfigMap', ca.namespace ?? here, ca.name);
    }
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const r = o.spec?.roleRef ?? o.roleRef;
      need(o, 'roleRef', r?.kind ?? 'Role', r?.kind === 'ClusterRole' ? undefined : here, r?.name);
      for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') need(o, 'subjects', 'ServiceAccount', s.namespace ?? here, s.name);
    }
    if (o.kind === 'Ingress') {
      const backends: [string, any][] = [];
      if (o.spec?.defaultBackend) backends.push(['spec.defaultBackend', o.spec.defaultBackend]);
      (o.spec?.rules ?? []).forEach((r: any) => (r.http?.paths ?? []).forEach((p: any) => backends.push([`spec.rules[host=${r.host ?? '*'}] backend`, p.backend])));
      for (const [field, b] of backends) {
        if (b?.service) servicePort(o, field, here, b.service.name, b.service.port);
        else if (!b?.resource) out.add(`${idOf(o)}: ${field} names no Service`);
      }
      for (const t of o.spec?.tls ?? []) if (t.secretName !== undefined) need(o, 'spec.tls secretName', 'Secret', here, t.secretName);
      if (o.spec?.ingressClassName !== undefined) need(o, 'spec.ingressClassName', 'IngressClass', undefined, o.spec.ingressClassName);
    }
    if (o.kind === 'HTTPRoute') {
      for (const r of o.spec?.rules ?? []) {
        for (const b of r.backendRefs ?? []) {
          if ((b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '') servicePort(o, 'spec.rules backendRefs', b.namespace ?? here, b.name, b.port);
        }
      }
      for (const p of o.spec?.parentRefs ?? []) if ((p.kind ?? 'Gateway') === 'Gateway') need(o, 'spec.parentRefs', 'Gateway', p.namespace ?? here, p.name);
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const t = o.spec?.scaleTargetRef;
      if (WORKLOADS.has(t?.kind)) need(o, 'spec.scaleTargetRef', t.kind, here, t.name);
    }
    if (o.kind === 'Certificate' && o.spec?.issuerRef) {
      const kind = o.spec.issuerRef.kind ?? 'Issuer';
      need(o, 'spec.issuerRef', kind, kind === 'ClusterIssuer' ? undefined : here, o.spec.issuerRef.name);
    }
  }
  for (const t of podTemplates(objects)) {
    if (t.spec.serviceAccountName !== undefined) need(t.owner, 'serviceAccountName', 'ServiceAccount', t.namespace, t.spec.serviceAccountName);
  }
  for (const r of podReferences(objects)) {
    if (!exists(r.kind, r.namespace, r.name)) {
      const [id, ...how] = r.by.split(' ');
      out.add(`${id}: ${how.join(' ')} → ${at(r.kind, r.namespace, r.name)}, which the output does not create and no prerequisite lists`);
    }
  }
  return [...out].sort();
}

/**
 * The external prerequisites a registry documents by its own keys (docs/registry.md,
 * docs/secrets-routing.md, docs/gitops.md): the IngressClass (`[ingress] class`, with `routing =
 * "ingress"`), the Gateway (`[gateway]`, with `routing = "gateway-api"`), the ClusterIssuer (`[tls]
 * issuer`, with `tls.mode = "cert-manager"`), Argo CD's namespace (`[gitops] namespace`, where Argo CD
 * is installed). The by-hand secrets are read from the output's Namespace annotations instead.
 */
export function registryPrerequisites(registry: Registry, plan: RingPlan): string[] {
  const p = registry.platform;
  const out: string[] = [];
  if (p.routing === 'gateway-api' && p.gateway) out.push(`Gateway ${p.gateway.namespace}/${p.gateway.name}`);
  else out.push(`IngressClass ${p.ingress.class}`);
  if (p.tls.mode === 'cert-manager') out.push(`ClusterIssuer ${p.tls.issuer}`);
  if (plan.gitops?.tool === 'argo-cd') out.push(`Namespace ${plan.gitops.argoCd.namespace}`);
  return out;
}
