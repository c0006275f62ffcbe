/**
 * kustomize objects → a ring registry, as plain data. Pure: the built overlays in, the registry's
 * values, the notes (what was not mapped or was mapped with a stated choice) and the problems
 * (what stops the import) out. Nothing is guessed silently: every choice the tree does not settle
 * is a note, one line each.
 */
import { SECRET_NAMED } from '../../model/secret-values';
import { parseQuantity } from './compare-tree';
import type { BuiltOverlay, BuiltTree, Obj } from './kustomize-tree';

/** One container component of a ring (api, horizon, nginx) as the tree runs it. */
export interface ImportedComponent {
  readonly image: string;
  readonly replicas: number;
  readonly port?: number;
  readonly runAsUser?: number;
  readonly writablePaths: readonly string[];
  readonly cpu?: { readonly request?: number; readonly limit?: number };
  readonly memory?: { readonly request?: number; readonly limit?: number };
}

export interface ImportedRing {
  readonly name: string;
  readonly dir: string;
  readonly namespace: string;
  readonly segment: string;
  readonly promotionOrder: number;
  readonly isDefault: boolean;
  readonly components: { readonly api: ImportedComponent; readonly horizon: ImportedComponent; readonly nginx: ImportedComponent };
  /** The images this ring runs (its ring file's `[images]`). */
  readonly images: { readonly api: string; readonly horizon: string; readonly nginx: string };
  /** The lock found in the tree (a ConfigMap with `<ring>.lock.json`), if any. */
  readonly lockText?: string;
}

export interface ImportedSharedService {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly replicas: number;
  readonly host?: string;
  readonly runAsUser?: number;
  readonly writablePaths: readonly string[];
  readonly healthPath?: string;
  readonly args?: readonly string[];
  readonly cpu?: { readonly request?: number; readonly limit?: number };
  readonly memory?: { readonly request?: number; readonly limit?: number };
}

export interface ImportedRegistry {
  readonly name: string;
  readonly domain: string;
  readonly homeRing: string;
  readonly ingressClass?: string;
  readonly domainTlsSecret?: string;
  readonly ringTlsSecret?: string;
  readonly lockMountDir?: string;
  readonly database?: { readonly host: string; readonly port?: number };
  readonly redis?: { readonly host: string; readonly port?: number; readonly persistence?: 'aof' | 'none' };
  readonly appSettings: Readonly<Record<string, string>>;
  readonly envFromSecrets: readonly string[];
  readonly imagePullSecrets: readonly string[];
  readonly secretMounts: readonly { readonly name: string; readonly mountPath: string }[];
  readonly shared: readonly ImportedSharedService[];
  readonly external: readonly { readonly name: string; readonly port: number }[];
  /** Most conservative first. */
  readonly rings: readonly ImportedRing[];
  /** tenant → ring, sorted by tenant. */
  readonly tenants: Readonly<Record<string, string>>;
}

export interface MapOptions {
  /** Ring names, most conservative first (`--order`). @default the home ring, then the others by name (a note says so) */
  readonly order?: readonly string[];
}

export type MapResult = { readonly ok: true; readonly registry: ImportedRegistry; readonly notes: readonly string[] } | { readonly ok: false; readonly problems: readonly string[] };

/** The components every ring of the registry runs (issue 20 §4 will let a registry name its own). */
const COMPONENTS = ['api', 'horizon', 'nginx'] as const;
type Component = (typeof COMPONENTS)[number];
const RING_KEYS = new Set(['RING_NAME', 'MODULE_LOCK_PATH', 'DB_HOST', 'DB_PORT', 'REDIS_HOST', 'REDIS_PORT']);
/** Kinds the registry generates itself in every ring: their tree versions are replaced, not imported. */
const GENERATED_KINDS = new Set(['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']);

const key = (o: Obj) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;
const podSpec = (d: Obj): Obj => d.spec?.template?.spec ?? {};
const firstContainer = (d: Obj): Obj => (podSpec(d).containers ?? [])[0] ?? {};

/** `250m` → 250, `2` → 2000, `1.5` → 1500, `1000m` → 1000; undefined when not a whole, positive number of millicores. */
export function cpuMillicores(q: unknown): number | undefined {
  if (typeof q === 'string' && /i$/.test(q.trim())) return undefined; // 2Gi of CPU is a memory value in the wrong field
  const x = parseQuantity(q);
  if (!x || (x.num * 1000n) % x.den !== 0n) return undefined;
  const v = Number((x.num * 1000n) / x.den);
  return v > 0 ? v : undefined;
}

/** `1536Mi` → 1536, `1Gi` → 1024, `536870912` → 512; undefined for anything not a whole, positive number of MiB. */
export function memoryMib(q: unknown): number | undefined {
  const x = parseQuantity(q);
  const mib = 1n << 20n;
  if (!x || x.num % (x.den * mib) !== 0n) return undefined;
  const v = Number(x.num / (x.den * mib));
  return v > 0 ? v : undefined;
}

/** The longest label suffix shared by every host (wildcards stripped), of at least two labels. */
export function commonDomain(hosts: readonly string[]): string | undefined {
  const labels = hosts.map((h) => h.replace(/^\*\./, '').split('.'));
  if (labels.length === 0) return undefined;
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const l = labels[0][labels[0].length - i];
    if (l === undefined || !labels.every((ls) => ls.length - i >= 0 && ls[ls.length - i] === l)) break;
    out.unshift(l);
  }
  // A host that is the domain itself would leave no tenant label: keep one label for the tenant.
  while (out.length > 2 && labels.some((ls) => ls.length <= out.length)) out.shift();
  return out.length >= 2 ? out.join('.') : undefined;
}

export interface Notes {
  readonly notes: string[];
  readonly problems: string[];
}

function component(dep: Obj, where: string, n: Notes): ImportedComponent {
  const c = firstContainer(dep);
  const spec = podSpec(dep);
  if ((spec.containers ?? []).length > 1) n.notes.push(`${where}: ${key(dep)}: spec.template.spec.containers: only the first container (${c.name}) is imported; the others are not mapped`);
  const emptyDirs = new Set((spec.volumes ?? []).filter((v: Obj) => v.emptyDir).map((v: Obj) => v.name));
  const writablePaths = (c.volumeMounts ?? []).filter((m: Obj) => emptyDirs.has(m.name)).map((m: Obj) => String(m.mountPath));
  const port = (c.ports ?? [])[0]?.containerPort;
  const res = (side: 'requests' | 'limits', what: 'cpu' | 'memory'): number | undefined => {
    const q = c.resources?.[side]?.[what];
    if (q === undefined) return undefined;
    const v = what === 'cpu' ? cpuMillicores(q) : memoryMib(q);
    if (v === undefined) {
      n.notes.push(
        `${where}: ${key(dep)}: spec.template.spec.containers[name=${c.name}].resources.${side}.${what}: ${JSON.stringify(q)} is not a whole number of ${what === 'cpu' ? 'millicores' : 'MiB'}; not mapped (the registry's default applies: set ${what === 'cpu' ? 'cpu' : 'memory'}_${side === 'requests' ? 'request' : 'limit'}_${what === 'cpu' ? 'millicores' : 'mib'})`,
      );
    }
    return v;
  };
  return {
    image: String(c.image ?? ''),
    replicas: typeof dep.spec?.replicas === 'number' ? dep.spec.replicas : 1, // the API's default
    port: typeof port === 'number' ? port : undefined,
    runAsUser: c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser,
    writablePaths,
    cpu: { request: res('requests', 'cpu'), limit: res('limits', 'cpu') },
    memory: { request: res('requests', 'memory'), limit: res('limits', 'memory') },
  };
}

/** How a Deployment is reached: the Services selecting its pods, and whether an Ingress routes to one of them. */
function reachOf(objects: readonly Obj[], dep: Obj): { services: string[]; routed: boolean } {
  const labels: Obj = dep.spec?.template?.metadata?.labels ?? {};
  const services = objects
    .filter((o) => o.kind === 'Service' && o.spec?.type !== 'ExternalName' && isPlain(o.spec?.selector) && Object.keys(o.spec.selector).length > 0)
    .filter((o) => Object.entries(o.spec.selector as Obj).every(([k, v]) => labels[k] === v))
    .map((o) => String(o.metadata?.name));
  const backends = new Set<string>();
  for (const i of objects.filter((o) => o.kind === 'Ingress')) {
    if (i.spec?.defaultBackend?.service?.name) backends.add(i.spec.defaultBackend.service.name);
    for (const r of i.spec?.rules ?? []) for (const p of r.http?.paths ?? []) if (p.backend?.service?.name) backends.add(p.backend.service.name);
  }
  return { services, routed: services.some((x) => backends.has(x)) };
}

const isPlain = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What each of the registry's components is recognised by in a tree that names them otherwise. */
const ROLE: Readonly<Record<Component, string>> = {
  nginx: 'the Deployment the Ingress routes to',
  api: 'a Deployment behind a Service the Ingress does not route to',
  horizon: 'a Deployment no Service selects: the worker, of several the one running the api\'s image',
};

/**
 * Which Deployment of a ring overlay is which component: by name (api, horizon, nginx), else by how
 * it is reached (ROLE), so a tree may name its workloads anything. Problems name the overlay and the
 * component, one line each.
 */
export function assignComponents(
  overlay: BuiltOverlay,
  n: Notes,
  /** Names other rings of the tree gave the components (a ring whose Ingress routes nowhere, having no tenants, follows them). @default none */
  hint: Partial<Record<Component, string>> = {},
): { deployments: Record<Component, Obj>; renamed: [string, Component][] } | undefined {
  const deps = overlay.objects.filter((x) => x.kind === 'Deployment');
  const byName = new Map(deps.map((d) => [String(d.metadata?.name), d]));
  const out: Partial<Record<Component, Obj>> = {};
  for (const c of COMPONENTS) if (byName.has(c)) out[c] = byName.get(c);
  for (const c of COMPONENTS) {
    const h = hint[c] !== undefined ? byName.get(hint[c]!) : undefined;
    if (!out[c] && h && !Object.values(out).includes(h)) out[c] = h;
  }
  const free = deps.filter((d) => !Object.values(out).includes(d));
  const reach = new Map(free.map((d) => [d, reachOf(overlay.objects, d)]));
  const fits: Record<Component, (d: Obj) => boolean> = {
    nginx: (d) => reach.get(d)!.routed,
    api: (d) => reach.get(d)!.services.length > 0 && !reach.get(d)!.routed,
    horizon: (d) => reach.get(d)!.services.length === 0,
  };
  const problems: string[] = [];
  for (const c of COMPONENTS) {
    if (out[c]) continue;
    let candidates = free.filter((d) => fits[c](d) && !Object.values(out).includes(d));
    // Several without a Service (a worker and a toolbox): the worker runs the api's build.
    if (c === 'horizon' && candidates.length > 1 && out.api) {
      const repo = (d: Obj) => String(firstContainer(d).image ?? '').replace(/[:@].*$/, '');
      const same = candidates.filter((d) => repo(d) === repo(out.api!));
      if (same.length === 1) candidates = same;
    }
    if (candidates.length === 1) out[c] = candidates[0];
    else if (candidates.length === 0) {
      problems.push(`${overlay.dir}: components.${c}: expected a Deployment named ${c} or ${ROLE[c]}, found none (Deployments: ${deps.map((d) => d.metadata?.name).sort().join(', ') || 'none'})`);
    } else {
      problems.push(`${overlay.dir}: components.${c}: expected one Deployment named ${c} or ${ROLE[c]}, got ${candidates.map((d) => d.metadata?.name).sort().join(', ')}: rename the one that is ${c} to ${c}`);
    }
  }
  if (problems.length) {
    n.problems.push(...problems);
    return undefined;
  }
  const deployments = out as Record<Component, Obj>;
  const renamed = COMPONENTS.filter((c) => deployments[c].metadata?.name !== c).map((c): [string, Component] => [String(deployments[c].metadata?.name), c]);
  return { deployments, renamed };
}

function ingressHosts(objects: readonly Obj[]): { hosts: string[]; tls: { hosts: string[]; secret?: string }[]; classes: string[]; backends: Map<string, string> } {
  const hosts: string[] = [];
  const tls: { hosts: string[]; secret?: string }[] = [];
  const classes: string[] = [];
  const backends = new Map<string, string>();
  for (const o of objects.filter((x) => x.kind === 'Ingress')) {
    if (o.spec?.ingressClassName) classes.push(o.spec.ingressClassName);
    for (const r of o.spec?.rules ?? []) {
      if (typeof r.host !== 'string') continue;
      hosts.push(r.host);
      const svc = r.http?.paths?.[0]?.backend?.service?.name;
      if (svc) backends.set(r.host, svc);
    }
    for (const t of o.spec?.tls ?? []) tls.push({ hosts: (t.hosts ?? []).map(String), secret: t.secretName });
  }
  return { hosts, tls, classes, backends };
}

/** Maps built overlays to a registry; every overlay must have been built already. */
export function mapRegistry(tree: BuiltTree, options: MapOptions = {}): MapResult {
  const n: Notes = { notes: [], problems: [] };
  const sharedObjs = tree.shared?.objects ?? [];
  const sharedWhere = tree.shared?.dir ?? 'overlays/shared';
  const sharedNamespace = sharedObjs.find((o) => o.metadata?.namespace)?.metadata.namespace as string | undefined;
  if (tree.shared && !sharedNamespace) n.problems.push(`${sharedWhere}: metadata.namespace: expected namespaced objects (the home namespace), got none`);

  // ---- rings: components, namespace, ring ConfigMap, hosts ----
  interface Raw {
    name: string;
    dir: string;
    namespace: string;
    components: Record<Component, ImportedComponent>;
    deployments: Record<Component, Obj>;
    config: Record<string, string>;
    /** The ConfigMap holding RING_NAME, if any. */
    configName?: string;
    hosts: string[];
    tls: { hosts: string[]; secret?: string }[];
    classes: string[];
    lockText?: string;
  }
  const raws: Raw[] = [];
  const renames = new Map<string, string[]>();
  // Components by name or place; a ring that cannot place one (no tenant: its Ingress routes nowhere) follows the others.
  const firstPass = tree.rings.map((o) => {
    const scratch: Notes = { notes: [], problems: [] };
    return assignComponents(o, scratch);
  });
  const placed = firstPass.find((a) => a !== undefined);
  const hint = placed ? (Object.fromEntries(COMPONENTS.map((c) => [c, String(placed.deployments[c].metadata?.name)])) as Record<Component, string>) : {};
  for (const [i, o] of tree.rings.entries()) {
    const name = o.ring!;
    const assigned = firstPass[i] ?? assignComponents(o, n, hint);
    if (!assigned) continue;
    const deps = assigned.deployments;
    for (const [from, to] of assigned.renamed) {
      const k = `Deployment ${from} → ${to} (${ROLE[to]})`;
      renames.set(k, [...(renames.get(k) ?? []), name]);
    }
    const namespace = deps.api.metadata?.namespace;
    if (typeof namespace !== 'string') {
      n.problems.push(`${o.dir}: ${key(deps.api)}: metadata.namespace: expected the overlay to set a namespace (namespace: in its kustomization.yaml), got none`);
      continue;
    }
    const components = Object.fromEntries(COMPONENTS.map((c) => [c, component(deps[c], o.dir, n)])) as Raw['components'];
    const ringCm = o.objects.find((x) => x.kind === 'ConfigMap' && x.data && typeof x.data.RING_NAME === 'string');
    const config: Record<string, string> = ringCm ? { ...ringCm.data } : {};
    if (!ringCm) n.notes.push(`${o.dir}: ConfigMap: no ConfigMap sets RING_NAME; the registry's ring ConfigMap sets RING_NAME=${name} and MODULE_LOCK_PATH`);
    else if (config.RING_NAME !== name) n.notes.push(`${o.dir}: ${key(ringCm)}: data.RING_NAME: ${config.RING_NAME} in the tree; the registry names the ring ${name} (${tree.layout && !tree.layout.detected ? '--ring' : 'its overlay folder'})`);
    const lockCm = o.objects.find((x) => x.kind === 'ConfigMap' && x.data && typeof x.data[`${name}.lock.json`] === 'string');
    const ing = ingressHosts(o.objects);
    const mapped = new Set(Object.values(deps));
    for (const d of o.objects.filter((x) => x.kind === 'Deployment' && !mapped.has(x))) {
      n.notes.push(`${o.dir}: ${key(d)}: not mapped (a ring runs api, horizon and nginx; add it as a shared service or keep it outside the registry)`);
    }
    const served = new Set([deps.api, deps.nginx].flatMap((d) => reachOf(o.objects, d).services));
    for (const x of o.objects) {
      const known =
        x.kind === 'Deployment' ||
        x.kind === 'Ingress' ||
        GENERATED_KINDS.has(x.kind) ||
        x === ringCm ||
        x === lockCm ||
        (x.kind === 'Service' && (['api', 'nginx'].includes(x.metadata?.name) || served.has(x.metadata?.name) || x.spec?.type === 'ExternalName')) ||
        (x.kind === 'ConfigMap' && isNginxConfig(x, deps.nginx)) ||
        (x.kind === 'ConfigMap' && (['api', 'horizon'] as const).some((c) => (firstContainer(deps[c]).envFrom ?? []).some((e: Obj) => e.configMapRef?.name === x.metadata?.name)));
      if (!known) n.notes.push(`${o.dir}: ${key(x)}: not mapped`);
    }
    raws.push({ name, dir: o.dir, namespace, components, deployments: deps, config, configName: ringCm?.metadata?.name, hosts: ing.hosts, tls: ing.tls, classes: ing.classes, lockText: lockCm?.data[`${name}.lock.json`] });
  }
  for (const [k, rs] of [...renames].sort(([a], [b]) => a.localeCompare(b))) n.notes.push(`${k} in ${rs.length === tree.rings.length ? 'every ring' : `ring${rs.length === 1 ? '' : 's'} ${rs.join(', ')}`}: the registry names it ${k.split(' → ')[1].split(' ')[0]} (compare shows the rename as [naming])`);
  if (tree.rings.length === 0) n.problems.push('overlays/rings: expected at least one ring overlay, found none');
  if (n.problems.length) return { ok: false, problems: n.problems };

  let home: Raw | undefined;
  if (tree.shared) {
    home = raws.find((r) => r.namespace === sharedNamespace);
    if (!home) return { ok: false, problems: [`${sharedWhere}: metadata.namespace: expected a ring overlay deploying into the shared layer's namespace "${sharedNamespace}" (the home ring), got ${raws.map((r) => `${r.name} → ${r.namespace}`).join(', ')}`] };
  } else {
    // No shared layer names the home namespace: the most conservative ring is home.
    const given = options.order?.[0] ?? (tree.layout && !tree.layout.detected ? tree.rings[0]?.ring : undefined);
    const conventional = raws.find((r) => ['stable', 'production', 'prod', 'live', 'main'].includes(r.name));
    home = raws.find((r) => r.name === given) ?? conventional ?? [...raws].sort((a, b) => a.name.localeCompare(b.name))[0];
    n.notes.push(`home_ring: no shared layer in the tree (overlays/shared or --shared); home_ring = "${home.name}" (${given !== undefined && home.name === given ? (options.order ? 'the first of --order' : 'the first --ring') : home === conventional ? 'its name says so' : 'the first by name'}), and it runs no shared services`);
  }

  // ---- domain, segments, tenants ----
  const sharedIng = ingressHosts(sharedObjs);
  const allHosts = [...raws.flatMap((r) => [...r.hosts, ...r.tls.flatMap((t) => t.hosts)]), ...sharedIng.hosts];
  const domain = commonDomain(allHosts);
  if (!domain) return { ok: false, problems: [`${tree.rings[0].dir}/..: Ingress: spec.rules[*].host: expected hosts sharing a domain of at least two labels (<tenant>.<segment>.<domain>), got ${allHosts.length ? allHosts.slice(0, 3).join(', ') : 'none'}`] };
  const suffix = `.${domain}`;
  const tenantSeg = new Map<string, { ring: string; segment: string }>();
  const bare = new Map<string, string>();
  const segments = new Map<string, Set<string>>();
  const defaults: string[] = [];
  for (const r of raws) {
    const segs = new Set<string>();
    for (const t of r.tls) {
      for (const h of t.hosts) {
        const label = h.startsWith('*.') && h.endsWith(suffix) ? h.slice(2, -suffix.length) : '';
        if (label && !label.includes('.')) segs.add(label);
      }
    }
    for (const h of r.hosts) {
      if (h === `*${suffix}`) {
        defaults.push(r.name);
        continue;
      }
      if (!h.endsWith(suffix)) {
        n.notes.push(`${r.dir}: Ingress: spec.rules[host=${h}]: outside ${domain}; not mapped`);
        continue;
      }
      const parts = h.slice(0, -suffix.length).split('.');
      if (parts.length === 2 && !parts[0].startsWith('*')) {
        const [tenant, seg] = parts;
        segs.add(seg);
        const before = tenantSeg.get(tenant);
        if (before && before.ring !== r.name) n.problems.push(`${r.dir}: Ingress: spec.rules[host=${h}]: tenant ${tenant} has hosts in two rings (${before.ring}, ${r.name}); expected one ring per tenant`);
        tenantSeg.set(tenant, { ring: r.name, segment: seg });
      } else if (parts.length === 1) {
        bare.set(parts[0], r.name);
      } else {
        n.notes.push(`${r.dir}: Ingress: spec.rules[host=${h}]: not <tenant>.<segment>.${domain} or <tenant>.${domain}; not mapped`);
      }
    }
    segments.set(r.name, segs);
  }
  const segmentOf = new Map<string, string>();
  for (const r of raws) {
    const segs = [...(segments.get(r.name) ?? [])].sort();
    if (segs.length > 1) n.problems.push(`${r.dir}: Ingress: spec.rules[*].host: expected one hostname segment per ring, got ${segs.join(', ')} (<tenant>.<segment>.${domain} hosts and *.<segment>.${domain} certificates)`);
    else if (segs.length === 1) segmentOf.set(r.name, segs[0]);
    else {
      segmentOf.set(r.name, r.name);
      n.notes.push(`${r.dir}: no <tenant>.<segment>.${domain} host or *.<segment>.${domain} certificate; hostname_segment = "${r.name}" (the ring's name)`);
    }
  }
  const sharedHostLabels = new Set(sharedIng.hosts.filter((h) => h.endsWith(suffix)).map((h) => h.slice(0, -suffix.length)));
  const tenants: Record<string, string> = {};
  for (const [t, { ring }] of tenantSeg) tenants[t] = ring;
  for (const [t, ring] of [...bare].sort(([a], [b]) => a.localeCompare(b))) {
    if (sharedHostLabels.has(t)) continue;
    const own = tenants[t];
    if (own === undefined) tenants[t] = ring;
    else if (own !== ring) n.notes.push(`${t}${suffix}: served by ${ring} in the tree; in the registry it follows the tenant to ${own} (both hosts of a tenant go to its ring)`);
  }
  if (n.problems.length) return { ok: false, problems: n.problems };

  // ---- promotion order and the default ring ----
  let order: string[];
  if (options.order) {
    const names = raws.map((r) => r.name).sort();
    const given = [...options.order];
    const unknown = given.filter((g) => !names.includes(g));
    const absent = names.filter((x) => !given.includes(x));
    if (unknown.length || absent.length || new Set(given).size !== given.length) {
      return { ok: false, problems: [`--order: expected every ring once, most conservative first (${names.join(', ')}), got ${given.join(',')}`] };
    }
    order = given;
  } else if (tree.layout && !tree.layout.detected) {
    order = [home.name, ...tree.rings.map((r) => r.ring!).filter((x) => x !== home!.name)];
  } else {
    order = [home.name, ...raws.map((r) => r.name).filter((x) => x !== home!.name).sort()];
    if (raws.length > 1) n.notes.push(`promotion_order: not in the tree; set ${order.map((x, i) => `${x} ${i * 10}`).join(', ')} (the home ring first, then by name); pass --order to state it`);
  }
  let defaultRing = defaults[0];
  if (defaults.length > 1) return { ok: false, problems: [`*${suffix}: expected one ring to answer unlisted tenants, got ${defaults.join(', ')}`] };
  if (!defaultRing) {
    defaultRing = home.name;
    n.notes.push(`default: no ring answers *${suffix} in the tree; default = true on the home ring ${home.name} (the registry routes unlisted tenants there)`);
  }

  // ---- platform-wide values, from the home ring; other rings' resources are their own ([components.<c>] in the ring file) ----
  for (const r of raws) {
    if (r === home) continue;
    for (const c of COMPONENTS) {
      const a = home.components[c];
      const b = r.components[c];
      for (const f of ['port', 'runAsUser'] as const) {
        if (a[f] !== b[f]) n.notes.push(`${r.dir}: ${key(r.deployments[c])}: ${f === 'port' ? `spec.template.spec.containers[0].ports[0].containerPort` : 'securityContext.runAsUser'}: ${b[f]} differs from the home ring's ${a[f]}; the registry uses ${a[f]} in every ring`);
      }
      for (const [what, side] of [['cpu', 'request'], ['cpu', 'limit'], ['memory', 'request'], ['memory', 'limit']] as const) {
        const hv = a[what]?.[side];
        if (hv !== undefined && b[what]?.[side] === undefined) {
          n.notes.push(`${r.dir}: ${key(r.deployments[c])}: spec.template.spec.containers[0].resources.${side === 'request' ? 'requests' : 'limits'}.${what}: not set in this ring; the registry sets the home ring's ${hv}${what === 'cpu' ? 'm' : 'Mi'}`);
        }
      }
    }
  }
  for (const c of ['api', 'horizon'] as const) {
    const m = home.components[c].memory;
    if (m?.limit && m?.request) n.notes.push(`${c} memory: the tree's request ${m.request}Mi and limit ${m.limit}Mi are kept (memory_request_mib, memory_limit_mib); remove both to have the registry compute it from each ring's module count ([memory])`);
    else if (m?.limit || m?.request) n.notes.push(`${c} memory: the tree sets only the ${m.limit ? 'limit' : 'request'} (${m.limit ?? m.request}Mi); kept, and the ${m.limit ? 'request' : 'limit'} is computed from each ring's module count ([memory])`);
  }

  const api = home.deployments.api;
  const horizon = home.deployments.horizon;
  const envFromSecrets = new Set<string>();
  const configMapsRead = new Set<string>();
  const mounts = new Map<string, string>();
  for (const d of [api, horizon]) {
    for (const e of firstContainer(d).envFrom ?? []) {
      if (e.secretRef?.name) envFromSecrets.add(e.secretRef.name);
      if (e.configMapRef?.name) configMapsRead.add(e.configMapRef.name);
    }
    const secretVols = new Map((podSpec(d).volumes ?? []).filter((v: Obj) => v.secret).map((v: Obj) => [v.name, v.secret.secretName]));
    for (const m of firstContainer(d).volumeMounts ?? []) if (secretVols.has(m.name)) mounts.set(String(secretVols.get(m.name)), m.mountPath);
    for (const e of firstContainer(d).env ?? []) n.notes.push(`${home.dir}: ${key(d)}: spec.template.spec.containers[name=${firstContainer(d).name}].env[name=${e.name}]: not mapped (set it in app_settings, or in a Secret listed in secrets.env_from)`);
  }
  const pull = new Set<string>();
  for (const c of COMPONENTS) for (const s of podSpec(home.deployments[c]).imagePullSecrets ?? []) if (s.name) pull.add(s.name);

  const appSettings: Record<string, string> = {};
  for (const [k, v] of Object.entries(home.config)) if (!RING_KEYS.has(k)) appSettings[k] = String(v);
  for (const cm of [...configMapsRead].sort()) {
    if (cm === home.configName) continue;
    const found = tree.rings.find((t) => t.ring === home.name)!.objects.find((x) => x.kind === 'ConfigMap' && x.metadata?.name === cm);
    if (found) for (const [k, v] of Object.entries(found.data ?? {})) appSettings[k] = String(v);
    else {
      n.notes.push(`ConfigMap ${cm} (read by api and horizon) is not in the tree (copied by hand): its settings are not imported; add them to app_settings, [database] and [redis] in platform.toml`);
    }
  }
  for (const k of Object.keys(appSettings)) {
    if (SECRET_NAMED.test(k)) {
      n.notes.push(`app setting ${k} looks like a secret: not imported (keep it in a Secret in ${home.namespace} and list it under secrets.env_from)`);
      delete appSettings[k];
    }
  }
  const dbHost = home.config.DB_HOST;
  const redisHost = home.config.REDIS_HOST;
  const lockPath = home.config.MODULE_LOCK_PATH;
  let lockMountDir: string | undefined;
  if (lockPath && lockPath.startsWith('/')) lockMountDir = lockPath.slice(0, lockPath.lastIndexOf('/')) || '/';
  else if (lockPath) n.notes.push(`MODULE_LOCK_PATH ${lockPath} is read from the image; the registry mounts each ring's lock from a ConfigMap at /etc/rings/<ring>.lock.json (lock_mount_dir) and points MODULE_LOCK_PATH there`);

  // ---- shared layer and aliases ----
  const sharedDeps = sharedObjs.filter((o) => o.kind === 'Deployment');
  const shared: ImportedSharedService[] = sharedDeps
    .map((d) => {
      const c = component(d, sharedWhere, n);
      const name = String(d.metadata.name);
      const svc = sharedObjs.find((o) => o.kind === 'Service' && o.metadata?.name === name);
      const port = c.port ?? svc?.spec?.ports?.[0]?.port;
      const host = [...sharedIng.backends].find(([, s]) => s === name)?.[0];
      const label = host && host.endsWith(suffix) && host.slice(0, -suffix.length).split('.').length === 1 ? host.slice(0, -suffix.length) : undefined;
      if (host && !label) n.notes.push(`${sharedWhere}: ${name}'s host ${host} is not <label>.${domain}; not mapped`);
      const ct = firstContainer(d);
      return {
        name,
        image: c.image,
        port: typeof port === 'number' ? port : 0,
        replicas: c.replicas,
        host: label,
        runAsUser: c.runAsUser,
        writablePaths: c.writablePaths,
        healthPath: ct.readinessProbe?.httpGet?.path,
        args: Array.isArray(ct.args) ? ct.args.map(String) : undefined,
        cpu: c.cpu,
        memory: c.memory,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  // Redis run by the shared layer: the registry sets its persistence and password itself, not through args.
  const redisName = redisHost ?? 'redis';
  let redisPersistence: 'aof' | 'none' | undefined;
  const redisAt = shared.findIndex((x) => x.name === redisName);
  if (redisAt >= 0) {
    const r = shared[redisAt];
    const args = [...(r.args ?? [])];
    const managed = new Set(['--save', '--appendonly', '--requirepass']);
    const kept: string[] = [];
    let appendonly: string | undefined;
    for (let i = 0; i < args.length; i++) {
      if (managed.has(args[i])) {
        if (args[i] === '--appendonly') appendonly = args[i + 1];
        i++;
      } else kept.push(args[i]);
    }
    redisPersistence = appendonly === 'yes' ? 'aof' : 'none'; // redis's own default is no append-only file
    shared[redisAt] = { ...r, args: kept.length ? kept : undefined, writablePaths: redisPersistence === 'aof' ? r.writablePaths.filter((w) => w !== '/data') : r.writablePaths };
    n.notes.push(
      `${redisName}: imported as [redis] persistence = "${redisPersistence}" (${redisPersistence === 'aof' ? 'an append-only file on a PersistentVolumeClaim' : 'the tree keeps no append-only file; set "aof" to keep queued jobs across restarts'}); the registry also requires a password, REDIS_PASSWORD from the Secret redis-auth (key password), made by hand in ${home.namespace}`,
    );
  }
  for (const s of shared) if (!s.port) n.problems.push(`${sharedWhere}: Deployment ${s.name}: spec.template.spec.containers[0].ports: expected a container port or a Service of the same name, got neither`);
  for (const o of sharedObjs) {
    if (o.kind === 'Deployment' || o.kind === 'Ingress' || (o.kind === 'Service' && shared.some((s) => s.name === o.metadata?.name))) continue;
    n.notes.push(`${sharedWhere}: ${key(o)} is not mapped`);
  }
  const sharedNames = new Set(shared.map((s) => s.name));
  const external = new Map<string, number>();
  for (const r of raws) {
    for (const o of tree.rings.find((t) => t.ring === r.name)!.objects) {
      if (o.kind !== 'Service' || o.spec?.type !== 'ExternalName') continue;
      const target = String(o.spec.externalName ?? '');
      if (!target.startsWith(`${o.metadata.name}.${home.namespace}.svc`)) {
        n.notes.push(`${r.dir}: ${key(o)} points at ${target}, not ${o.metadata.name}.${home.namespace}.svc…; not mapped (the registry's aliases point at the home namespace)`);
        continue;
      }
      if (!sharedNames.has(o.metadata.name)) external.set(o.metadata.name, o.spec.ports?.[0]?.port ?? 0);
    }
  }
  for (const [name, port] of external) if (!port) n.problems.push(`Service ${name}: spec.ports: expected a port on the ExternalName alias, got none`);
  if (external.size) n.notes.push(`${[...external.keys()].sort().join(', ')}: aliased but not run by the shared overlay; imported as [[shared.external]] (run by something else in ${home.namespace})`);
  if (raws.length > 1 && sharedNames.size) n.notes.push(`every non-home ring gets an alias of every shared service (${[...sharedNames].sort().join(', ')}) and external one`);

  // ---- TLS and ingress ----
  const classes = [...new Set([...raws.flatMap((r) => r.classes), ...sharedIng.classes])];
  if (classes.length > 1) n.notes.push(`ingressClassName: the tree uses ${classes.join(', ')}; the registry uses one class, ${classes[0]}`);
  const domainSecrets = new Set<string>();
  for (const t of [...raws.flatMap((r) => r.tls), ...sharedIng.tls]) if (t.secret && t.hosts.some((h) => h === `*${suffix}` || (h.endsWith(suffix) && h.slice(0, -suffix.length).split('.').length === 1))) domainSecrets.add(t.secret);
  const ringTemplates = new Set<string>();
  for (const r of raws) {
    const seg = segmentOf.get(r.name)!;
    for (const t of r.tls) if (t.secret && t.hosts.includes(`*.${seg}${suffix}`) && t.secret.includes(seg)) ringTemplates.add(t.secret.split(seg).join('{segment}'));
  }
  if (domainSecrets.size > 1) n.notes.push(`TLS: *.${domain} is served from ${[...domainSecrets].sort().join(', ')}; the registry uses one secret, ${[...domainSecrets].sort()[0]}`);
  if (ringTemplates.size > 1) n.notes.push(`TLS: the rings' *.<segment>.${domain} secrets follow ${[...ringTemplates].sort().join(', ')}; the registry uses one template, ${[...ringTemplates].sort()[0]}`);
  n.notes.push(`secrets: copied by hand into each ring today; imported as secrets.sync = "none" and tls.mode = "synced" (set sync = "external-secrets" or "reflector" to have them synced)`);

  const rings: ImportedRing[] = order.map((name, i) => {
    const r = raws.find((x) => x.name === name)!;
    return {
      name,
      dir: r.dir,
      namespace: r.namespace,
      segment: segmentOf.get(name)!,
      promotionOrder: i * 10,
      isDefault: name === defaultRing,
      components: r.components,
      images: { api: r.components.api.image, horizon: r.components.horizon.image, nginx: r.components.nginx.image },
      lockText: r.lockText,
    };
  });
  if (n.problems.length) return { ok: false, problems: n.problems };
  const platformName = [...sharedObjs, ...tree.rings.flatMap((t) => t.objects)].map((o) => o.metadata?.labels?.['app.kubernetes.io/part-of']).find((v) => typeof v === 'string');
  if (!platformName) n.notes.push(`name: no app.kubernetes.io/part-of label in the tree; name = "${home.namespace}" (the home namespace)`);

  return {
    ok: true,
    notes: n.notes,
    registry: {
      name: platformName ?? home.namespace,
      domain,
      homeRing: home.name,
      ingressClass: classes[0],
      domainTlsSecret: [...domainSecrets].sort()[0],
      ringTlsSecret: [...ringTemplates].sort()[0],
      lockMountDir,
      database: dbHost ? { host: dbHost, port: home.config.DB_PORT ? Number(home.config.DB_PORT) : undefined } : undefined,
      redis: redisHost || redisPersistence ? { host: redisName, port: home.config.REDIS_PORT ? Number(home.config.REDIS_PORT) : undefined, persistence: redisPersistence } : undefined,
      appSettings: Object.fromEntries(Object.keys(appSettings).sort().map((k) => [k, appSettings[k]])),
      envFromSecrets: [...envFromSecrets].sort(),
      imagePullSecrets: [...pull].sort(),
      secretMounts: [...mounts].sort(([a], [b]) => a.localeCompare(b)).map(([name, mountPath]) => ({ name, mountPath })),
      shared,
      external: [...external].sort(([a], [b]) => a.localeCompare(b)).map(([name, port]) => ({ name, port })),
      rings,
      tenants: Object.fromEntries(Object.keys(tenants).sort().map((t) => [t, tenants[t]])),
    },
  };
}

function isNginxConfig(cm: Obj, nginx: Obj): boolean {
  return (podSpec(nginx).volumes ?? []).some((v: Obj) => v.configMap?.name === cm.metadata?.name);
}
