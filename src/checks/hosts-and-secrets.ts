/**
 * Checks over rendered output (plain objects, as in dist/): pure functions, no cluster needed.
 *
 * - `hostClaims` / `duplicateHostClaims`: every host is claimed by exactly one Ingress or HTTPRoute.
 *   Preview objects (annotated `rings.cdk8s.io/preview-of`) repeat a tenant's hosts on purpose and are
 *   not claims.
 * - `uncoveredHosts`: every claimed host has a certificate in its namespace: a cert-manager
 *   Certificate, a synced TLS secret (ExternalSecret / mirror annotated with its DNS names) or one the
 *   Namespace lists as operator-provided. A wildcard covers exactly one label.
 * - `unsyncedSecretReferences`: every Secret a pod references (envFrom, env, volumes, projected
 *   volumes, imagePullSecrets) exists in its namespace: synchronised by an object in the output, or
 *   listed on the Namespace as operator-provided.
 */
import { OPERATOR_SECRETS_ANNOTATION, OPERATOR_TLS_ANNOTATION, PREVIEW_ANNOTATION, TLS_DNS_NAMES_ANNOTATION } from '../../constructs';
import type { Obj } from '../model/objects';


const nsOf = (o: Obj): string => o.metadata?.namespace ?? '';
const idOf = (o: Obj): string => `${o.kind}/${nsOf(o) ? `${nsOf(o)}/` : ''}${o.metadata?.name}`;
const isPreview = (o: Obj): boolean => Boolean(o.metadata?.annotations?.[PREVIEW_ANNOTATION]);
const splitList = (s: string | undefined): string[] => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

/** Whether a certificate name (`a.b.c` or `*.b.c`) covers a host; `*` matches exactly one label. */
export function certificateCovers(dnsName: string, host: string): boolean {
  if (dnsName === host) return true;
  if (!dnsName.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  if (dot <= 0) return false;
  const first = host.slice(0, dot);
  return first !== '*' && host.slice(dot + 1) === dnsName.slice(2);
}

export interface HostClaimRef {
  readonly host: string;
  readonly namespace: string;
  /** `Ingress/<ns>/<name>` or `HTTPRoute/<ns>/<name>`. */
  readonly owner: string;
  readonly object: Obj;
}

/** Every host claim in the output: Ingress rule hosts and HTTPRoute hostnames, previews excluded. */
export function hostClaims(objects: readonly Obj[]): HostClaimRef[] {
  const out: HostClaimRef[] = [];
  for (const o of objects) {
    if (isPreview(o)) continue;
    const hosts: string[] =
      o.kind === 'Ingress' ? (o.spec?.rules ?? []).map((r: Obj) => r.host).filter(Boolean) : o.kind === 'HTTPRoute' ? (o.spec?.hostnames ?? []) : [];
    for (const host of new Set(hosts)) out.push({ host, namespace: nsOf(o), owner: idOf(o), object: o });
  }
  return out;
}

/** Hosts claimed by more than one object: host → owners. */
export function duplicateHostClaims(objects: readonly Obj[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const c of hostClaims(objects)) by.set(c.host, [...(by.get(c.host) ?? []), c.owner]);
  return new Map([...by].filter(([, owners]) => owners.length > 1));
}

/** namespace → secret name → DNS names the TLS secret covers. */
function tlsSources(objects: readonly Obj[]): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  const add = (ns: string, secret: string, names: string[]) => {
    if (!out.has(ns)) out.set(ns, new Map());
    out.get(ns)!.set(secret, names);
  };
  for (const o of objects) {
    const ann = o.metadata?.annotations ?? {};
    if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1') add(nsOf(o), o.spec?.secretName, o.spec?.dnsNames ?? []);
    else if (o.kind === 'ExternalSecret' && ann[TLS_DNS_NAMES_ANNOTATION]) add(nsOf(o), o.spec?.target?.name ?? o.metadata.name, splitList(ann[TLS_DNS_NAMES_ANNOTATION]));
    else if (o.kind === 'Secret' && ann[TLS_DNS_NAMES_ANNOTATION]) add(nsOf(o), o.metadata.name, splitList(ann[TLS_DNS_NAMES_ANNOTATION]));
    else if (o.kind === 'Namespace' && ann[OPERATOR_TLS_ANNOTATION]) {
      for (const entry of splitList(ann[OPERATOR_TLS_ANNOTATION])) {
        const eq = entry.indexOf('=');
        if (eq > 0) add(o.metadata.name, entry.slice(0, eq), entry.slice(eq + 1).split(' ').filter(Boolean));
      }
    }
  }
  return out;
}

export interface UncoveredHost {
  readonly host: string;
  readonly namespace: string;
  readonly owner: string;
  readonly reason: string;
}

/**
 * Hosts no certificate covers. An Ingress host must sit in a `tls` entry whose secret covers it; an
 * HTTPRoute host (TLS ends at the Gateway, which reads the ring's secrets) needs any TLS secret of
 * its namespace that covers it.
 */
export function uncoveredHosts(objects: readonly Obj[]): UncoveredHost[] {
  const sources = tlsSources(objects);
  const out: UncoveredHost[] = [];
  for (const c of hostClaims(objects)) {
    const inNs = sources.get(c.namespace) ?? new Map<string, string[]>();
    const covers = (secret: string) => (inNs.get(secret) ?? []).some((d) => certificateCovers(d, c.host));
    if (c.object.kind === 'Ingress') {
      const entry = (c.object.spec?.tls ?? []).find((t: Obj) => (t.hosts ?? []).includes(c.host));
      if (!entry) out.push({ ...pick(c), reason: 'no tls entry lists the host' });
      else if (!inNs.has(entry.secretName)) out.push({ ...pick(c), reason: `TLS secret ${entry.secretName} is neither issued nor synced into ${c.namespace}` });
      else if (!covers(entry.secretName)) out.push({ ...pick(c), reason: `TLS secret ${entry.secretName} covers ${inNs.get(entry.secretName)!.join(', ')}, not the host` });
    } else if (![...inNs.keys()].some(covers)) {
      out.push({ ...pick(c), reason: `no TLS secret in ${c.namespace} covers the host` });
    }
  }
  return out;
}

function pick(c: HostClaimRef) {
  return { host: c.host, namespace: c.namespace, owner: c.owner };
}

/** Pod spec of a workload object, or undefined for kinds without pods. */
function podSpecOf(o: Obj): Obj | undefined {
  if (o.kind === 'Pod') return o.spec;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)) return o.spec?.template?.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return undefined;
}

/** Secret names a pod spec references, with how. */
export function secretReferences(pod: Obj): { name: string; via: string }[] {
  const out: { name: string; via: string }[] = [];
  for (const s of pod.imagePullSecrets ?? []) out.push({ name: s.name, via: 'imagePullSecrets' });
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.envFrom ?? []) if (e.secretRef) out.push({ name: e.secretRef.name, via: `${c.name} envFrom` });
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) out.push({ name: e.valueFrom.secretKeyRef.name, via: `${c.name} env ${e.name}` });
  }
  for (const v of pod.volumes ?? []) {
    if (v.secret) out.push({ name: v.secret.secretName, via: `volume ${v.name}` });
    for (const p of v.projected?.sources ?? []) if (p.secret) out.push({ name: p.secret.name, via: `volume ${v.name}` });
  }
  return out;
}

export interface UnsyncedReference {
  readonly namespace: string;
  readonly workload: string;
  readonly secret: string;
  readonly via: string;
}

/** namespace → secret names present there: synchronised by an output object or listed as operator-provided. */
export function secretsAvailable(objects: readonly Obj[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (ns: string, name: string) => {
    if (!out.has(ns)) out.set(ns, new Set());
    out.get(ns)!.add(name);
  };
  for (const o of objects) {
    if (o.kind === 'ExternalSecret') add(nsOf(o), o.spec?.target?.name ?? o.metadata.name);
    else if (o.kind === 'Secret') add(nsOf(o), o.metadata.name);
    else if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1') add(nsOf(o), o.spec?.secretName);
    else if (o.kind === 'Namespace') for (const n of splitList(o.metadata?.annotations?.[OPERATOR_SECRETS_ANNOTATION])) add(o.metadata.name, n);
  }
  return out;
}

/** Secret references of pods that nothing puts into the pod's namespace. */
export function unsyncedSecretReferences(objects: readonly Obj[]): UnsyncedReference[] {
  const available = secretsAvailable(objects);
  const out: UnsyncedReference[] = [];
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    for (const r of secretReferences(pod)) {
      if (!available.get(nsOf(o))?.has(r.name)) out.push({ namespace: nsOf(o), workload: idOf(o), secret: r.name, via: r.via });
    }
  }
  return out;
}
