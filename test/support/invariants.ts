/**
 * Invariants over synthesized output (issue 3 §3). Each is a small pure function
 * `(objects, ctx) => violations`, one line per violation, empty when the output is fine.
 *
 * They read the manifests only, never the constructs: a quota is recomputed from the Deployments in
 * the YAML with our own quantity parser, a host count from the Ingress rules, and so on. Our own code
 * agreeing with itself would prove nothing.
 */

/** A manifest as plain JSON. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string; [k: string]: any }; [k: string]: any };

export interface InvariantContext {
  /** The home ring's namespace: the shared layer and the hand-made secrets live there. */
  readonly homeNamespace: string;
  /** Every ring's namespace (active or not). */
  readonly ringNamespaces: readonly string[];
  /** Services in the home namespace run by something else (`[[shared.external]]`): alias targets the output does not contain. */
  readonly externalServices: readonly string[];
  /** Secrets created once by hand in the home namespace (`[secrets]` in platform.toml). */
  readonly handMadeSecrets: readonly string[];
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
  /**
   * Rings across clusters: the objects are those of a cluster other than home, where every alias
   * points at its shared service's remote_host (service name → remote_host). @default none (the home cluster)
   */
  readonly remoteHosts?: Readonly<Record<string, string>>;
}

export type Invariant = (objects: readonly K8sObject[], ctx: InvariantContext) => string[];

// ---------------------------------------------------------------- helpers

export function idOf(o: K8sObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata?.name}` : `${o.kind}/${o.metadata?.name}`;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PodTemplate {
  readonly owner: K8sObject;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: Record<string, any>;
}

/** Every pod template in the output: workload templates and bare Pods. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects) {
    let t: any;
    if (o.kind === 'Pod') t = { metadata: o.metadata, spec: o.spec };
    else if (o.kind === 'CronJob') t = o.spec?.jobTemplate?.spec?.template;
    else if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'].includes(o.kind)) t = o.spec?.template;
    if (!isObj(t) || !isObj(t.spec)) continue;
    out.push({ owner: o, namespace: o.metadata?.namespace ?? 'default', labels: t.metadata?.labels ?? {}, annotations: t.metadata?.annotations ?? {}, spec: t.spec });
  }
  return out;
}

function containersOf(spec: Record<string, any>): Record<string, any>[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** Every string in a JSON value, with its path. */
function* strings(v: unknown, at = ''): Generator<[string, string]> {
  if (typeof v === 'string') yield [at, v];
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* strings(v[i], `${at}[${i}]`);
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) yield* strings(x, at ? `${at}.${k}` : k);
}

// ---------------------------------------------------------------- secrets

/** No Secret carries values: secrets are made by hand or synchronized, never emitted. */
export const noSecretWithData: Invariant = (objects) =>
  objects
    .filter((o) => o.kind === 'Secret')
    .flatMap((o) => (['data', 'stringData'] as const).filter((f) => o[f] !== undefined).map((f) => `${idOf(o)}: carries ${f}; secrets must never be emitted with values`));

/** Patterns of well-known credential formats. */
const CREDENTIAL_PATTERNS: readonly [string, RegExp][] = [
  ['a PEM private key', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/],
  ['a Laravel APP_KEY', /base64:[A-Za-z0-9+/]{20,}={0,2}/],
  ['a JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/],
  ['an AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{30,}/],
  ['a GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}/],
  ['a Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['a Stripe key', /\b[sr]k_live_[A-Za-z0-9]{16,}/],
  ['credentials in a URL', /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i],
];

/** Keys of environment/config entries that name a secret. */
const SECRET_KEY = /(^|[_.-])(KEY|SECRET|PASSWORD|PASSWD|PASS|TOKEN|CREDENTIALS?|PRIVATE|APIKEY)([_.-]|$)/i;

function shannonBitsPerChar(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** A long random-looking token: mixed case and digits, high entropy. Hex digests (lower-case) are not. */
export function looksLikeRandomToken(s: string): boolean {
  for (const m of s.match(/[A-Za-z0-9+/_=-]{32,}/g) ?? []) {
    if (/[A-Z]/.test(m) && /[a-z]/.test(m) && /\d/.test(m) && shannonBitsPerChar(m) >= 4.2) return true;
  }
  return false;
}

/** No plaintext that looks like a key or token anywhere; no secret-named setting with a literal value. */
export const noPlaintextCredentials: Invariant = (objects) => {
  const out: string[] = [];
  for (const o of objects) {
    for (const [at, s] of strings(o)) {
      const hit = CREDENTIAL_PATTERNS.find(([, re]) => re.test(s));
      if (hit) out.push(`${idOf(o)}: ${at}: looks like ${hit[0]} (value not shown)`);
      else if (looksLikeRandomToken(s)) out.push(`${idOf(o)}: ${at}: looks like a random token (value not shown)`);
    }
    if (o.kind === 'ConfigMap') {
      for (const [k, v] of Object.entries<string>(o.data ?? {})) {
        if (SECRET_KEY.test(k) && v !== '') out.push(`${idOf(o)}: data.${k}: a secret-named setting with a literal value; keep it in a Secret`);
      }
    }
  }
  for (const t of podTemplates(objects)) {
    for (const c of containersOf(t.spec)) {
      for (const e of c.env ?? []) {
        if (SECRET_KEY.test(e.name) && typeof e.value === 'string' && e.value !== '') {
          out.push(`${idOf(t.owner)}: container ${c.name}: env ${e.name}: a secret-named variable with a literal value; use valueFrom.secretKeyRef`);
        }
      }
    }
  }
  return out;
};

// ---------------------------------------------------------------- images

/** Why an image reference is not pinned, or undefined when it is (a tag other than latest, or a digest). */
export function imageNotPinned(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'no image';
  const at = image.indexOf('@');
  if (at >= 0) return /^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1)) ? undefined : 'a malformed digest';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  if (colon < 0) return 'no tag (floating latest)';
  const tag = lastPart.slice(colon + 1);
  if (tag === 'latest') return 'the floating tag latest';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return 'a malformed tag';
  return undefined;
}

export const imagesArePinned: Invariant = (objects) =>
  podTemplates(objects).flatMap((t) =>
    containersOf(t.spec)
      .map((c) => [c, imageNotPinned(c.image)] as const)
      .filter(([, why]) => why)
      .map(([c, why]) => `${idOf(t.owner)}: container ${c.name}: image ${JSON.stringify(c.image ?? '')} has ${why}`),
  );

// ---------------------------------------------------------------- pod specs

/**
 * What the API server checks in a pod spec but the JSON schema cannot: container, volume and port
 * names unique, every volumeMount naming a volume of the pod, no two mounts on the same folder.
 */
export const podSpecsConsistent: Invariant = (objects) => {
  const out: string[] = [];
  const dupes = (xs: string[]) => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
  for (const t of podTemplates(objects)) {
    const id = idOf(t.owner);
    const containers = containersOf(t.spec);
    const volumes: string[] = (t.spec.volumes ?? []).map((v: any) => v.name);
    for (const d of dupes(containers.map((c) => c.name))) out.push(`${id}: container name ${d} is used twice`);
    for (const d of dupes(volumes)) out.push(`${id}: volume name ${d} is used twice`);
    for (const c of containers) {
      const mounts: any[] = c.volumeMounts ?? [];
      for (const m of mounts) if (!volumes.includes(m.name)) out.push(`${id}: container ${c.name} mounts ${m.name}, which is no volume of the pod`);
      const folders = mounts.map((m) => String(m.mountPath).replace(/\/+$/, '') || '/');
      for (const d of dupes(folders)) out.push(`${id}: container ${c.name} mounts two volumes on ${d}`);
      for (const d of dupes((c.ports ?? []).filter((p: any) => p.name).map((p: any) => p.name))) out.push(`${id}: container ${c.name} names two ports ${d}`);
    }
  }
  return out;
};

// ---------------------------------------------------------------- names, labels, sizes

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const isDns1123Label = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);
const isDns1035Label = (s: string) => s.length <= 63 && DNS1035_LABEL.test(s);
export const isDns1123Subdomain = (s: string) => s.length <= 253 && s.split('.').every((l) => isDns1123Label(l));

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
function labelKeyProblem(k: string): string | undefined {
  const slash = k.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [k.slice(0, slash), k.slice(slash + 1)] : [undefined, k];
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return 'a prefix that is not a DNS subdomain';
  if (name.length > 63 || !LABEL_NAME.test(name)) return 'a name part that is not a valid label name (≤ 63, alphanumerics, -, _, .)';
  return undefined;
}

/** Objects whose names must be DNS-1035 labels (Service) or DNS-1123 labels (Namespace); others are DNS-1123 subdomains. */
export const namesAreValid: Invariant = (objects) => {
  const out: string[] = [];
  for (const o of objects) {
    const name = o.metadata?.name;
    const ns = o.metadata?.namespace;
    if (typeof name !== 'string' || name === '') out.push(`${idOf(o)}: no metadata.name`);
    else if (o.kind === 'Service' && !isDns1035Label(name)) out.push(`${idOf(o)}: name is not a DNS-1035 label`);
    else if (o.kind === 'Namespace' && !isDns1123Label(name)) out.push(`${idOf(o)}: name is not a DNS-1123 label`);
    else if (!isDns1123Subdomain(name)) out.push(`${idOf(o)}: name is not a DNS-1123 subdomain`);
    if (ns !== undefined && !(typeof ns === 'string' && isDns1123Label(ns))) out.push(`${idOf(o)}: namespace is not a DNS-1123 label`);
  }
  return out;
};

/** Every label map in an object: metadata, pod template, selectors. */
function labelMaps(o: K8sObject): [string, Record<string, unknown>][] {
  const maps: [string, unknown][] = [
    ['metadata.labels', o.metadata?.labels],
    ['spec.template.metadata.labels', o.spec?.template?.metadata?.labels],
    ['spec.selector.matchLabels', o.spec?.selector?.matchLabels],
    ['spec.podSelector.matchLabels', o.spec?.podSelector?.matchLabels],
  ];
  if (o.kind === 'Service') maps.push(['spec.selector', o.spec?.selector]);
  return maps.filter((m): m is [string, Record<string, unknown>] => isObj(m[1]));
}

export const MAX_LABEL_VALUE = 63;
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Label keys and values valid (values ≤ 63); annotations ≤ 256 KiB in total per object or template. */
export const labelsAndAnnotationsFit: Invariant = (objects) => {
  const out: string[] = [];
  for (const o of objects) {
    for (const [at, m] of labelMaps(o)) {
      for (const [k, v] of Object.entries(m)) {
        const kp = labelKeyProblem(k);
        if (kp) out.push(`${idOf(o)}: ${at}: key ${JSON.stringify(k)} has ${kp}`);
        if (typeof v !== 'string') out.push(`${idOf(o)}: ${at}.${k}: value is not a string`);
        else if (v.length > MAX_LABEL_VALUE) out.push(`${idOf(o)}: ${at}.${k}: value is ${v.length} characters, more than ${MAX_LABEL_VALUE}`);
        else if (v !== '' && !LABEL_NAME.test(v)) out.push(`${idOf(o)}: ${at}.${k}: value ${JSON.stringify(v)} is not a valid label value`);
      }
    }
    for (const [at, a] of [['metadata.annotations', o.metadata?.annotations], ['spec.template.metadata.annotations', o.spec?.template?.metadata?.annotations]] as const) {
      if (!isObj(a)) continue;
      let bytes = 0;
      for (const [k, v] of Object.entries(a)) {
        const kp = labelKeyProblem(k);
        if (kp) out.push(`${idOf(o)}: ${at}: key ${JSON.stringify(k)} has ${kp}`);
        bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
      }
      if (bytes > MAX_ANNOTATIONS_BYTES) out.push(`${idOf(o)}: ${at}: ${bytes} bytes, more than ${MAX_ANNOTATIONS_BYTES}`);
    }
  }
  return out;
};

export const MAX_OBJECT_BYTES = 512 * 1024;
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** Every object ≤ 512 KiB serialized; every ConfigMap's data under 1 MiB (the API server's limit). */
export const objectsFitSizeLimits: Invariant = (objects) => {
  const out: string[] = [];
  for (const o of objects) {
    const bytes = Buffer.byteLength(JSON.stringify(o));
    if (bytes > MAX_OBJECT_BYTES) out.push(`${idOf(o)}: ${bytes} bytes serialized, more than ${MAX_OBJECT_BYTES}`);
    if (o.kind === 'ConfigMap') {
      let data = 0;
      for (const m of [o.data, o.binaryData]) for (const [k, v] of Object.entries<string>(m ?? {})) data += Buffer.byteLength(k) + Buffer.byteLength(v);
      if (data >= MAX_CONFIGMAP_BYTES) out.push(`${idOf(o)}: data is ${data} bytes, not under ${MAX_CONFIGMAP_BYTES}`);
    }
  }
  return out;
};

// ---------------------------------------------------------------- hosts

/** Every host (Ingress rules, HTTPRoute hostnames) claimed by exactly one object in the whole output; wildcards only as a leading `*.`. */
/**
 * A tenant preview routes one header on a host another object claims; it is not a claim of its own
 * (ingress-nginx needs the canary Ingress to repeat the host). It counts as a preview only when it
 * really is header-bound: a canary-by-header Ingress, or an HTTPRoute whose every match has a header.
 */
export function isHeaderBoundPreview(o: K8sObject): boolean {
  const a = o.metadata?.annotations ?? {};
  if (!a['rings.cdk8s.io/preview-of']) return false;
  if (o.kind === 'Ingress') return a['nginx.ingress.kubernetes.io/canary'] === 'true' && !!a['nginx.ingress.kubernetes.io/canary-by-header'];
  if (o.kind === 'HTTPRoute') {
    const rules: any[] = o.spec?.rules ?? [];
    return rules.length > 0 && rules.every((r) => Array.isArray(r.matches) && r.matches.length > 0 && r.matches.every((m: any) => Array.isArray(m.headers) && m.headers.length > 0));
  }
  return false;
}

export const hostsClaimedOnce: Invariant = (objects) => {
  const out: string[] = [];
  const claims = new Map<string, string[]>();
  const claim = (host: string, o: K8sObject) => {
    if (!claims.has(host)) claims.set(host, []);
    claims.get(host)!.push(idOf(o));
  };
  for (const o of objects) {
    if (isHeaderBoundPreview(o)) continue;
    if (o.kind === 'Ingress') {
      (o.spec?.rules ?? []).forEach((r: any, i: number) => {
        if (typeof r.host !== 'string' || r.host === '') out.push(`${idOf(o)}: spec.rules[${i}] has no host, so it claims every host`);
        else claim(r.host, o);
      });
    } else if (o.kind === 'HTTPRoute') {
      const hs = o.spec?.hostnames;
      if (!Array.isArray(hs) || hs.length === 0) out.push(`${idOf(o)}: no spec.hostnames, so it claims every host of its gateway`);
      else for (const h of hs) claim(h, o);
    }
  }
  for (const [host, by] of [...claims].sort(([a], [b]) => a.localeCompare(b))) {
    if (by.length > 1) out.push(`host ${host}: claimed ${by.length} times (${by.join(', ')})`);
    const bare = host.startsWith('*.') ? host.slice(2) : host;
    if (bare.includes('*')) out.push(`host ${host}: a wildcard is allowed only as a leading "*."`);
    else if (!isDns1123Subdomain(bare) || !bare.includes('.')) out.push(`host ${host}: not a valid DNS name`);
  }
  return out;
};

// ---------------------------------------------------------------- pod security labels

const PSA_MODES = ['enforce', 'warn', 'audit'] as const;

/** Every ring namespace (and every Namespace the output makes) enforces, warns and audits at `restricted`. */
export const ringNamespacesRestricted: Invariant = (objects, ctx) => {
  const out: string[] = [];
  const nsObjects = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name as string, o]));
  for (const ns of [...new Set([...ctx.ringNamespaces, ...nsObjects.keys()])].sort()) {
    const o = nsObjects.get(ns);
    if (!o) {
      out.push(`Namespace/${ns}: a ring namespace the output does not create`);
      continue;
    }
    const labels = o.metadata?.labels ?? {};
    for (const mode of PSA_MODES) {
      const level = labels[`pod-security.kubernetes.io/${mode}`];
      if (level !== 'restricted') out.push(`Namespace/${ns}: pod-security.kubernetes.io/${mode} is ${JSON.stringify(level ?? null)}, expected "restricted"`);
      const version = labels[`pod-security.kubernetes.io/${mode}-version`];
      if (version !== undefined && !/^(latest|v1\.\d+)$/.test(version)) out.push(`Namespace/${ns}: pod-security.kubernetes.io/${mode}-version ${JSON.stringify(version)} is not "latest" or v1.N`);
    }
  }
  return out;
};

// ---------------------------------------------------------------- services

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every selector Service selects at least one pod template in its namespace, and its named target ports exist there. */
export const servicesSelectPods: Invariant = (objects) => {
  const out: string[] = [];
  const templates = podTemplates(objects);
  for (const s of objects.filter((o) => o.kind === 'Service' && o.spec?.type !== 'ExternalName')) {
    const sel = s.spec?.selector;
    if (!isObj(sel) || Object.keys(sel).length === 0) {
      out.push(`${idOf(s)}: no selector (this output never hand-manages Endpoints)`);
      continue;
    }
    const ns = s.metadata.namespace ?? 'default';
    const selected = templates.filter((t) => t.namespace === ns && matches(sel, t.labels));
    if (selected.length === 0) {
      out.push(`${idOf(s)}: selector ${JSON.stringify(sel)} matches no pod template in ${ns}`);
      continue;
    }
    const portNames = new Set(selected.flatMap((t) => (t.spec.containers ?? []).flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name))));
    for (const p of s.spec.ports ?? []) {
      if (typeof p.targetPort === 'string' && !portNames.has(p.targetPort)) out.push(`${idOf(s)}: targetPort ${JSON.stringify(p.targetPort)} is no container port of the selected pods`);
    }
  }
  return out;
};

/**
 * Every ExternalName alias points at `<svc>.<home>.svc.<cluster domain>` where `<svc>` is a Service
 * the output makes in the home namespace, or a declared external service (run by something else).
 * In a cluster other than home (`ctx.remoteHosts`), it points at the declared remote_host of the
 * shared service of its name instead: `*.svc.cluster.local` there would be that cluster's own.
 */
export const aliasesPointHome: Invariant = (objects, ctx) => {
  const out: string[] = [];
  if (ctx.remoteHosts) {
    for (const s of objects.filter((o) => o.kind === 'Service' && o.spec?.type === 'ExternalName')) {
      const target = String(s.spec.externalName ?? '');
      const want = ctx.remoteHosts[s.metadata.name as string];
      if (want === undefined) out.push(`${idOf(s)}: an alias of ${s.metadata.name}, which is no shared service with a remote_host`);
      else if (target !== want) out.push(`${idOf(s)}: externalName ${JSON.stringify(target)} is not ${s.metadata.name}'s remote_host ${JSON.stringify(want)}`);
    }
    return out;
  }
  const domain = ctx.clusterDomain ?? 'cluster.local';
  const homeServices = new Set(objects.filter((o) => o.kind === 'Service' && o.metadata.namespace === ctx.homeNamespace && o.spec?.type !== 'ExternalName').map((o) => o.metadata.name as string));
  const external = new Set(ctx.externalServices);
  for (const s of objects.filter((o) => o.kind === 'Service' && o.spec?.type === 'ExternalName')) {
    const target = String(s.spec.externalName ?? '');
    const suffix = `.${ctx.homeNamespace}.svc.${domain}`;
    if (!target.endsWith(suffix) || target.slice(0, -suffix.length).includes('.')) {
      out.push(`${idOf(s)}: externalName ${JSON.stringify(target)} is not <service>${suffix}`);
      continue;
    }
    const svc = target.slice(0, -suffix.length);
    if (!homeServices.has(svc) && !external.has(svc)) out.push(`${idOf(s)}: points at ${svc} in ${ctx.homeNamespace}, which is neither a Service of the output nor a declared external service`);
  }
  return out;
};

// ---------------------------------------------------------------- quotas

/** Kubernetes quantity → number (cores for cpu, bytes for memory). Throws on anything else. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number' && Number.isFinite(q)) return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(String(q));
  if (!m) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(q)}`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const mult: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  return m[3] ? n * mult[m[3]] : n;
}

/** Resolves maxSurge (int or percent of replicas, rounded up; default 25%). */
function surgeOf(d: K8sObject, replicas: number): number {
  if (d.spec?.strategy?.type === 'Recreate') return 0;
  const s = d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%';
  if (typeof s === 'number') return s;
  const pct = /^(\d+)%$/.exec(String(s));
  if (!pct) throw new Error(`${idOf(d)}: maxSurge ${JSON.stringify(s)} is neither a number nor a percentage`);
  return Math.ceil((replicas * Number(pct[1])) / 100);
}

type Resource = 'requests.cpu' | 'requests.memory' | 'limits.cpu' | 'limits.memory' | 'requests.ephemeral-storage' | 'limits.ephemeral-storage';
const RESOURCES: readonly Resource[] = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'requests.ephemeral-storage', 'limits.ephemeral-storage'];
/** Quota keys that mean the same thing. */
const QUOTA_KEY: Record<string, Resource | 'pods'> = {
  pods: 'pods', cpu: 'requests.cpu', memory: 'requests.memory',
  'requests.cpu': 'requests.cpu', 'requests.memory': 'requests.memory', 'limits.cpu': 'limits.cpu', 'limits.memory': 'limits.memory',
  'ephemeral-storage': 'requests.ephemeral-storage', 'requests.ephemeral-storage': 'requests.ephemeral-storage', 'limits.ephemeral-storage': 'limits.ephemeral-storage',
};

/** One pod's effective requests/limits: Σ containers vs. the largest init container (whichever is larger); a request defaults to its limit. */
function podResources(spec: Record<string, any>): Record<Resource, number | undefined> {
  const one = (c: any, r: Resource): number | undefined => {
    const [kind, res] = [r.slice(0, r.indexOf('.')), r.slice(r.indexOf('.') + 1)] as ['requests' | 'limits', string];
    const v = c.resources?.[kind]?.[res] ?? (kind === 'requests' ? c.resources?.limits?.[res] : undefined);
    return v === undefined ? undefined : parseQuantity(v);
  };
  const out = {} as Record<Resource, number | undefined>;
  for (const r of RESOURCES) {
    const main = (spec.containers ?? []).map((c: any) => one(c, r));
    const init = (spec.initContainers ?? []).map((c: any) => one(c, r));
    if ([...main, ...init].some((v) => v === undefined)) out[r] = undefined;
    else out[r] = Math.max(main.reduce((a: number, b: number) => a + b, 0), ...init);
  }
  return out;
}

/**
 * Pods a workload may hold at once during a rolling update, counted as a ResourceQuota counts them
 * (HPA max instead of replicas when autoscaled): a Deployment keeps at most replicas + maxSurge pods
 * that are not terminating, while up to `replicas` replaced pods are still in their grace period.
 */
function peakPodsOf(o: K8sObject, objects: readonly K8sObject[]): number {
  if (o.kind === 'Pod') return 1;
  const hpaMax = objects
    .filter((h) => h.kind === 'HorizontalPodAutoscaler' && h.metadata.namespace === o.metadata.namespace && h.spec?.scaleTargetRef?.kind === o.kind && h.spec?.scaleTargetRef?.name === o.metadata.name)
    .map((h) => Number(h.spec.maxReplicas));
  const replicas = Math.max(o.spec?.replicas ?? (hpaMax.length ? 0 : 1), ...hpaMax);
  // With 0 replicas the controller starts no surge pods (it only surges towards the desired count).
  if (replicas === 0) return 0;
  // Recreate: the controller starts new pods only once every old pod is gone (surgeOf is 0 then).
  if (o.kind === 'Deployment' && o.spec?.strategy?.type === 'Recreate') return replicas;
  return o.kind === 'Deployment' ? 2 * replicas + surgeOf(o, replicas) : replicas;
}

const QUOTA_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod']);
const fmt = (r: Resource | 'pods', n: number) => (r === 'pods' ? String(n) : r.endsWith('cpu') ? `${Math.round(n * 1000)}m` : `${Math.round(n / 2 ** 20)}Mi`);
const NO_NEED: Record<Resource | 'pods', number> = { pods: 0, 'requests.cpu': 0, 'requests.memory': 0, 'limits.cpu': 0, 'limits.memory': 0, 'requests.ephemeral-storage': 0, 'limits.ephemeral-storage': 0 };

/** Every ResourceQuota admits all of its namespace's workloads rolling at once, replaced pods still terminating. */
export const quotasCoverSurge: Invariant = (objects) => {
  const out: string[] = [];
  const templates = podTemplates(objects);
  for (const q of objects.filter((o) => o.kind === 'ResourceQuota')) {
    const ns = q.metadata.namespace;
    const hard: Record<string, unknown> = q.spec?.hard ?? {};
    const need: Record<Resource | 'pods', number> = { ...NO_NEED };
    for (const t of templates.filter((x) => x.namespace === ns)) {
      if (!QUOTA_WORKLOADS.has(t.owner.kind)) {
        out.push(`${idOf(q)}: cannot account for ${idOf(t.owner)} (a ${t.owner.kind}); extend this invariant`);
        continue;
      }
      const n = peakPodsOf(t.owner, objects);
      const per = podResources(t.spec);
      need.pods += n;
      for (const r of RESOURCES) {
        const v = per[r];
        const constrained = Object.keys(hard).some((k) => QUOTA_KEY[k] === r);
        if (v === undefined) {
          if (constrained && n > 0) out.push(`${idOf(q)}: pods of ${idOf(t.owner)} set no ${r} for every container, so the quota rejects them`);
        } else need[r] += n * v;
      }
    }
    for (const [k, v] of Object.entries(hard)) {
      const r = QUOTA_KEY[k];
      if (!r) continue;
      const have = parseQuantity(v);
      if (need[r] > have * (1 + 1e-12)) out.push(`${idOf(q)}: ${k} is ${String(v)}, the workloads need ${fmt(r, need[r])} at full surge`);
    }
  }
  return out;
};

// ---------------------------------------------------------------- referenced config

/** ConfigMaps every namespace has without anyone making them. */
const BUILTIN_CONFIG_MAPS = new Set(['kube-root-ca.crt']);

interface Reference {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly namespace: string;
  readonly name: string;
  readonly by: string;
}

/** What the pods of the output read: envFrom, env valueFrom, volumes (also projected), imagePullSecrets. Optional references are left out. */
export function podReferences(objects: readonly K8sObject[]): Reference[] {
  const out: Reference[] = [];
  for (const t of podTemplates(objects)) {
    const by = (how: string) => `${idOf(t.owner)} ${how}`;
    const add = (kind: Reference['kind'], name: unknown, how: string, optional?: boolean) => {
      if (typeof name === 'string' && optional !== true) out.push({ kind, namespace: t.namespace, name, by: by(how) });
    };
    for (const c of containersOf(t.spec)) {
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) add('Secret', e.secretRef.name, 'envFrom', e.secretRef.optional);
        if (e.configMapRef) add('ConfigMap', e.configMapRef.name, 'envFrom', e.configMapRef.optional);
      }
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        const m = e.valueFrom?.configMapKeyRef;
        if (s) add('Secret', s.name, `env ${e.name}`, s.optional);
        if (m) add('ConfigMap', m.name, `env ${e.name}`, m.optional);
      }
    }
    for (const v of t.spec.volumes ?? []) {
      if (v.secret) add('Secret', v.secret.secretName, `volume ${v.name}`, v.secret.optional);
      if (v.configMap) add('ConfigMap', v.configMap.name, `volume ${v.name}`, v.configMap.optional);
      for (const src of v.projected?.sources ?? []) {
        if (src.secret) add('Secret', src.secret.name, `volume ${v.name}`, src.secret.optional);
        if (src.configMap) add('ConfigMap', src.configMap.name, `volume ${v.name}`, src.configMap.optional);
      }
    }
    for (const p of t.spec.imagePullSecrets ?? []) add('Secret', p.name, 'imagePullSecrets');
  }
  return out;
}

/**
 * Every Secret or ConfigMap a pod references exists in its namespace, because the output
 * (a) makes it (a Secret without values, e.g. a Reflector mirror; a ConfigMap),
 * (b) synchronizes it there (an ExternalSecret whose target — spec.target.name, else its name — is it),
 * or it is a documented exception:
 * (c) a hand-made secret of platform.toml `[secrets]`, in the home namespace only;
 * (d) a TLS secret an Ingress of that namespace names (issued by cert-manager or by hand, declared in `[tls]`);
 * (e) `kube-root-ca.crt`, which Kubernetes puts in every namespace.
 * One line per missing object: `Secret <ns>/<name>: referenced by … but neither produced nor synchronized into <ns>`.
 */
export const referencedConfigExists: Invariant = (objects, ctx) => {
  const have = new Set<string>();
  const key = (kind: string, ns: string, name: string) => `${kind} ${ns}/${name}`;
  for (const o of objects) {
    const ns = o.metadata?.namespace ?? 'default';
    if (o.kind === 'Secret' || o.kind === 'ConfigMap') have.add(key(o.kind, ns, String(o.metadata.name)));
    if (o.kind === 'ExternalSecret') have.add(key('Secret', ns, o.spec?.target?.name ?? o.metadata.name));
    if (o.kind === 'Ingress') for (const t of o.spec?.tls ?? []) if (t.secretName) have.add(key('Secret', ns, t.secretName));
  }
  for (const s of ctx.handMadeSecrets) have.add(key('Secret', ctx.homeNamespace, s));
  const missing = new Map<string, string[]>();
  for (const r of podReferences(objects)) {
    const k = key(r.kind, r.namespace, r.name);
    if (have.has(k) || (r.kind === 'ConfigMap' && BUILTIN_CONFIG_MAPS.has(r.name))) continue;
    if (!missing.has(k)) missing.set(k, []);
    if (!missing.get(k)!.includes(r.by)) missing.get(k)!.push(r.by);
  }
  return [...missing]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, by]) => `${k}: referenced by ${by.join(', ')} but neither produced nor synchronized into ${k.split(' ')[1].split('/')[0]}`);
};

// ---------------------------------------------------------------- all

export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  noSecretWithData,
  noPlaintextCredentials,
  imagesArePinned,
  podSpecsConsistent,
  namesAreValid,
  labelsAndAnnotationsFit,
  objectsFitSizeLimits,
  hostsClaimedOnce,
  ringNamespacesRestricted,
  servicesSelectPods,
  aliasesPointHome,
  quotasCoverSurge,
  referencedConfigExists,
};

/** Every invariant's violations, each prefixed with the invariant's name. */
export function checkInvariants(objects: readonly K8sObject[], ctx: InvariantContext, skip: readonly string[] = []): string[] {
  return Object.entries(INVARIANTS)
    .filter(([name]) => !skip.includes(name))
    .flatMap(([name, inv]) => inv(objects, ctx).map((v) => `${name}: ${v}`));
}
