/**
 * Object-by-object comparison of what a kustomize tree produced ("theirs") and what the registry
 * synthesizes ("ours"), each difference with a reason a reviewer can sort by:
 *   hardening — what the registry adds for safety: NetworkPolicies, quotas, PDBs, synced secrets,
 *               security contexts, read-only filesystems and their scratch volumes;
 *   naming    — the same thing under another name: renamed objects, labels, annotations, selectors;
 *   values    — a different value of the same thing: replicas, images, hosts, settings, ports, and
 *               what a pod is given and how it is judged: resources (requests, limits) and probes.
 *               A memory limit cut from 512Mi to 384Mi is a value, whatever made it.
 * Quantities compare by value (`1` equals `1000m`, `512Mi` equals `536870912`). Every `~` line
 * shows its old and new value so that they read differently (a long value shows its differing part).
 * Pure; objects in, a comparison out.
 */
import { looksLikeSecretValue } from '../../registry/errors';
import type { Obj } from './kustomize-tree';

export type Reason = 'hardening' | 'naming' | 'values';
export const REASONS: readonly Reason[] = ['values', 'naming', 'hardening'];

export interface FieldDiff {
  /** `+` only ours, `-` only theirs, `~` both, different. */
  readonly op: '+' | '-' | '~';
  readonly path: string;
  readonly reason: Reason;
  /** Short renderings of scalar values (`~` only); never a secret's. */
  readonly from?: string;
  readonly to?: string;
}

export interface ObjectDiff {
  readonly op: '+' | '-' | '~';
  /** `Kind namespace/name` (ours for `+` and `~`, theirs for `-`). */
  readonly key: string;
  /** For a renamed object: theirs' name. */
  readonly renamedFrom?: string;
  /** For `+`/`-`: why the whole object differs. */
  readonly reason?: Reason;
  readonly fields: readonly FieldDiff[];
}

export interface Comparison {
  readonly theirs: number;
  readonly ours: number;
  readonly same: number;
  readonly objects: readonly ObjectDiff[];
  /** Object additions/removals and field differences, by reason. */
  readonly counts: Readonly<Record<Reason, number>>;
}

/** Kinds the registry adds for safety (or generates in place of a hand-kept version). */
const HARDENING_KINDS = new Set([
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'ExternalSecret',
  'SecretStore',
  'ClusterSecretStore',
  'Certificate',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'ReferenceGrant',
]);

/**
 * What a container is given and how it is judged are values, never hardening, so `--only values`
 * always shows them (the rule compareTreatsResourcesAndProbesAsValues).
 */
const VALUE_PATH = /(\.resources(\.|\[|$)|livenessProbe|readinessProbe|startupProbe)/;

const HARDENING_PATH =
  /(securityContext|initContainers|automountServiceAccountToken|enableServiceLinks|revisionHistoryLimit|progressDeadlineSeconds|minReadySeconds|\.strategy(\.|$)|terminationGracePeriodSeconds|topologySpreadConstraints|\.affinity(\.|$)|priorityClassName|pod-security\.kubernetes\.io|rings\.cdk8s\.io\/|reloader\.stakater\.com|^immutable$)/;
const NAMING_PATH = /(^metadata\.(name|labels|annotations)|\.selector(\.|$)|^spec\.selector|template\.metadata\.labels|\.ports\[[^\]]*\]\.name$|\.name$)/;

export function objectKey(o: Obj): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '?'} ${ns}${o.metadata?.name ?? ''}`;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function identityField(a: readonly unknown[], b: readonly unknown[], at: string): string | undefined {
  const items = [...a, ...b];
  if (items.length === 0 || !items.every(isObj)) return undefined;
  // A mount is the folder it fills: the same folder under another volume name is a rename.
  const fields = /volumeMounts$/.test(at) ? ['mountPath', 'name'] : ['name', 'host', 'key', 'mountPath', 'port', 'containerPort'];
  for (const field of fields) {
    const unique = (xs: readonly unknown[]) => {
      const ids = xs.map((x) => (x as Obj)[field]);
      return ids.every((id) => typeof id === 'string' || typeof id === 'number') && new Set(ids).size === ids.length;
    };
    if (unique(a) && unique(b)) return field;
  }
  return undefined;
}

const seg = (k: string) => (/^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

function show(v: unknown, secret: boolean): string {
  if (secret) return '(not shown)';
  if (typeof v === 'string') return looksLikeSecretValue(v) ? '(not shown)' : v.length > 120 || /[\n\r]/.test(v) ? `(${v.length} characters)` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) {
    const s = JSON.stringify(v);
    return s.length <= 48 && !looksLikeSecretValue(s) ? s : `(a list of ${v.length})`;
  }
  return '(a table)';
}

/** The part of `x` around where it stops reading like `y`, at most about 100 characters, newlines shown as \\n. */
function differingPart(x: string, y: string): string {
  let p = 0;
  while (p < x.length && p < y.length && x[p] === y[p]) p++;
  let sfx = 0;
  while (sfx < x.length - p && sfx < y.length - p && x[x.length - 1 - sfx] === y[y.length - 1 - sfx]) sfx++;
  const start = Math.max(0, p - 24);
  const end = Math.min(x.length, Math.max(x.length - sfx, p + 1) + 24, start + 100);
  const part = x.slice(start, end).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return `at ${p + 1}: ${start > 0 ? '…' : ''}${part}${end < x.length ? '…' : ''}`;
}

/**
 * Both sides of a `~` line, never reading the same: when the short renderings coincide (two lists
 * of 6, two texts of 77 characters) each also shows where it differs from the other. Secrets stay
 * unshown (the rule compareNeverShowsSecrets).
 */
function showPair(a: unknown, b: unknown, secret: boolean): { from: string; to: string } {
  const from = show(a, secret);
  const to = show(b, secret);
  if (from !== to || secret || from === '(not shown)') return { from, to };
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
  const [ta, tb] = [text(a), text(b)];
  return { from: `${from} ${differingPart(ta, tb)}`, to: `${to} ${differingPart(tb, ta)}` };
}

/** List items as they name a `-`/`+` line: short ones whole, long ones cut, unless the cut would read like another item's. */
function itemNames(items: readonly string[], secret: boolean): Map<string, string> {
  const cut = (j: string) => (secret ? '' : j.length <= 60 ? j : `${j.slice(0, 57)}…`);
  const out = new Map<string, string>();
  for (const j of items) {
    const c = cut(j);
    out.set(j, secret || !items.some((k) => k !== j && cut(k) === c) ? c : j);
  }
  return out;
}

/** Fields the registry sets explicitly where the API server would default them (every field set explicitly). */
const EXPLICIT_DEFAULT = /(\.readOnly$|\.imagePullPolicy$|\.protocol$|^spec\.type$|\.pathType$|\.terminationMessage(Path|Policy)$|\.dnsPolicy$|\.restartPolicy$|\.schedulerName$)/;

function reasonOf(kind: string, path: string, value: unknown): Reason {
  if (HARDENING_KINDS.has(kind)) return 'hardening';
  if (VALUE_PATH.test(path)) return 'values';
  if (HARDENING_PATH.test(path) || EXPLICIT_DEFAULT.test(path)) return 'hardening';
  // Checksum and reloader annotations roll pods when what they read changes.
  if (/annotations$/.test(path) && isObj(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => /checksum|reloader|rings\.cdk8s\.io\/(lock|config)/.test(k))) return 'hardening';
  // A container port given a name, and a Service targeting it by that name.
  if (/\.targetPort$/.test(path)) return 'naming';
  // A scratch volume (emptyDir) and its mount come with a read-only root filesystem.
  if (/\.volumes\[|\.volumeMounts\[/.test(path) && (JSON.stringify(value ?? '').includes('emptyDir') || /name=(writable|scratch|tmp)/.test(path))) return 'hardening';
  if (/\.volumes$/.test(path) && Array.isArray(value) && value.length > 0 && value.every((v) => isObj(v) && v.emptyDir !== undefined)) return 'hardening';
  if (NAMING_PATH.test(path)) return 'naming';
  return 'values';
}

/** A Kubernetes quantity as an exact fraction `num / den`. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * A quantity as the API server reads it (`250m`, `1.5`, `512Mi`, `1e3`, a YAML number), exactly;
 * undefined for anything else.
 */
export function parseQuantity(q: unknown): Quantity | undefined {
  let text: string;
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) return undefined;
    text = String(q);
  } else if (typeof q === 'string') text = q.trim();
  else return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(text);
  if (!m || !(m[2] || m[3])) return undefined;
  const [, sign, intPart, fracPart = '', exp, suffix = ''] = m;
  let num = BigInt(`${intPart}${fracPart}` || '0') * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(fracPart.length);
  if (exp !== undefined) {
    const e = Number(exp);
    if (Math.abs(e) > 100) return undefined;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  } else if (BINARY[suffix] !== undefined) num *= BINARY[suffix];
  else {
    const e = DECIMAL[suffix];
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  return { num, den };
}

/** Whether two quantities are the same amount (`1` and `1000m`, `512Mi` and `536870912`). */
export function sameQuantity(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && x.num * y.den === y.num * x.den;
}

/** Fields that hold quantities: container resources, quotas, limit ranges, volume sizes. */
const QUANTITY_PATH = /(\.resources\.(requests|limits)(\.|\[)|^spec\.hard(\.|\[)|^spec\.limits\[[^\]]*\]\.(default|defaultRequest|max|min|maxLimitRequestRatio)(\.|\[)|\.sizeLimit$|\.capacity(\.|\[)|\.storage$)/;

/** Field differences between two versions of one object (theirs `a`, ours `b`). */
export function fieldDiffs(kind: string, a: unknown, b: unknown, at = '', secret = kind === 'Secret'): FieldDiff[] {
  const path = at.replace(/^\./, '');
  if (Object.is(a, b)) return [];
  if (a === undefined) return [{ op: '+', path, reason: reasonOf(kind, path, b) }];
  if (b === undefined) return [{ op: '-', path, reason: reasonOf(kind, path, a) }];
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => fieldDiffs(kind, a[k], b[k], `${at}${seg(k)}`, secret));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // One container on each side under two names (a renamed workload): the same container, renamed.
    if (/containers$/.test(at) && a.length === 1 && b.length === 1 && isObj(a[0]) && isObj(b[0]) && a[0].name !== b[0].name) {
      return fieldDiffs(kind, a[0], b[0], `${at}[name=${String(b[0].name)}]`, secret);
    }
    const id = identityField(a, b, at);
    if (id) {
      const ma = new Map(a.map((x) => [String((x as Obj)[id]), x]));
      const mb = new Map(b.map((x) => [String((x as Obj)[id]), x]));
      const ids = [...new Set([...ma.keys(), ...mb.keys()])].sort();
      return ids.flatMap((i) => fieldDiffs(kind, ma.get(i), mb.get(i), `${at}[${id}=${i}]`, secret));
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    // Without an identity, items are compared as values: what one side has and the other lacks.
    const ja = a.map((x) => JSON.stringify(x));
    const jb = b.map((x) => JSON.stringify(x));
    if (new Set(ja).size === ja.length && new Set(jb).size === jb.length && [...a, ...b].some((x) => x !== null && typeof x === 'object')) {
      // An item that differs only by a content hash in a name (`ring-config` → `ring-config-69eee94784`) is renamed, not replaced.
      const unhashed = (j: string) => j.replace(/-[0-9a-f]{10}"/g, '"');
      const gone = ja.filter((j) => !jb.includes(j));
      const come = jb.filter((j) => !ja.includes(j));
      const renamed: [string, string][] = [];
      for (const j of gone) {
        const twin = come.find((k) => unhashed(k) === unhashed(j) && !renamed.some(([, t]) => t === k));
        if (twin) renamed.push([j, twin]);
      }
      const names = itemNames([...gone.filter((j) => !renamed.some(([g]) => g === j)), ...come.filter((k) => !renamed.some(([, t]) => t === k)), ...renamed.map(([j]) => unhashed(j))], secret);
      const out: FieldDiff[] = [];
      for (const j of gone) {
        const pair = renamed.find(([g]) => g === j);
        if (pair) out.push({ op: '~', path: `${path}[${names.get(unhashed(j))}]`, reason: 'naming', ...showPair(j, pair[1], secret) });
        else out.push({ op: '-', path: `${path}[${names.get(j)}]`, reason: reasonOf(kind, path, JSON.parse(j)) });
      }
      for (const j of come) if (!renamed.some(([, t]) => t === j)) out.push({ op: '+', path: `${path}[${names.get(j)}]`, reason: reasonOf(kind, path, JSON.parse(j)) });
      if (out.length) return out;
    }
    return [{ op: '~', path, reason: reasonOf(kind, path, b), ...showPair(a, b, secret) }];
  }
  if (typeof a === typeof b && !isObj(a) && !Array.isArray(a) && String(a) === String(b)) return [];
  if (QUANTITY_PATH.test(path) && sameQuantity(a, b)) return [];
  return [{ op: '~', path, reason: reasonOf(kind, path, b), ...showPair(a, b, secret) }];
}

/** Server-side and build-time fields that say nothing about the desired state. */
function normalize(o: Obj): Obj {
  const c = JSON.parse(JSON.stringify(o)) as Obj;
  delete c.status;
  if (isObj(c.metadata)) {
    delete c.metadata.creationTimestamp;
    if (c.metadata.annotations && Object.keys(c.metadata.annotations).length === 0) delete c.metadata.annotations;
  }
  return c;
}

/** How alike two objects of one kind and namespace are (0: not a rename candidate). */
function likeness(a: Obj, b: Obj): number {
  const strip = (n: unknown) => String(n ?? '').replace(/-[0-9a-f]{8,10}$/, '');
  let score = strip(a.metadata?.name) === strip(b.metadata?.name) ? 10 : 0;
  const overlap = (xs: readonly unknown[], ys: readonly unknown[]) => {
    const s = new Set(xs.map(String));
    return ys.filter((y) => s.has(String(y))).length;
  };
  if (a.kind === 'Ingress') score += overlap((a.spec?.rules ?? []).map((r: Obj) => r.host), (b.spec?.rules ?? []).map((r: Obj) => r.host));
  if (a.kind === 'ConfigMap' || a.kind === 'Secret') score += overlap(Object.keys(a.data ?? {}), Object.keys(b.data ?? {}));
  if (a.kind === 'ResourceQuota' || a.kind === 'Namespace') score += 1;
  // A workload under another name (`web` → `nginx`): the images its containers run, and their ports.
  const pods = (o: Obj): Obj[] => [...(o.spec?.template?.spec?.containers ?? [])];
  if (pods(a).length && pods(b).length) {
    const repo = (i: unknown) => String(i ?? '').replace(/[:@].*$/, '');
    score += 2 * overlap(pods(a).map((c) => repo(c.image)), pods(b).map((c) => repo(c.image)));
    score += overlap(pods(a).flatMap((c) => (c.ports ?? []).map((p: Obj) => p.containerPort)), pods(b).flatMap((c) => (c.ports ?? []).map((p: Obj) => p.containerPort)));
  }
  if (a.kind === 'Service') score += overlap((a.spec?.ports ?? []).map((p: Obj) => p.port), (b.spec?.ports ?? []).map((p: Obj) => p.port));
  return score;
}

export function compareObjects(theirsIn: readonly Obj[], oursIn: readonly Obj[]): Comparison {
  const index = (xs: readonly Obj[]) => {
    const m = new Map<string, Obj>();
    for (const o of xs) if (o && o.kind && !['Kustomization', 'Component'].includes(o.kind) && !m.has(objectKey(o))) m.set(objectKey(o), normalize(o));
    return m;
  };
  const theirs = index(theirsIn);
  const ours = index(oursIn);
  const pairs: { a: Obj; b: Obj; renamed: boolean }[] = [];
  const onlyTheirs = new Map(theirs);
  const onlyOurs = new Map(ours);
  for (const [k, a] of theirs) {
    const b = ours.get(k);
    if (b) {
      pairs.push({ a, b, renamed: false });
      onlyTheirs.delete(k);
      onlyOurs.delete(k);
    }
  }
  // Renames: the most alike unmatched object of the same kind and namespace.
  for (const [k, a] of [...onlyTheirs].sort(([x], [y]) => x.localeCompare(y))) {
    let best: [string, Obj] | undefined;
    let bestScore = 0;
    for (const [kb, b] of [...onlyOurs].sort(([x], [y]) => x.localeCompare(y))) {
      if (b.kind !== a.kind || (b.metadata?.namespace ?? '') !== (a.metadata?.namespace ?? '')) continue;
      const s = likeness(a, b);
      if (s > bestScore) {
        best = [kb, b];
        bestScore = s;
      }
    }
    if (best) {
      pairs.push({ a, b: best[1], renamed: true });
      onlyTheirs.delete(k);
      onlyOurs.delete(best[0]);
    }
  }
  const objects: ObjectDiff[] = [];
  const counts: Record<Reason, number> = { hardening: 0, naming: 0, values: 0 };
  let same = 0;
  for (const { a, b, renamed } of pairs) {
    const { name: _an, ...am } = a.metadata ?? {};
    const { name: _bn, ...bm } = b.metadata ?? {};
    const fields = fieldDiffs(String(a.kind), { ...a, metadata: am }, { ...b, metadata: bm });
    if (!fields.length && !renamed) {
      same++;
      continue;
    }
    for (const f of fields) counts[f.reason]++;
    if (renamed) counts.naming++;
    objects.push({ op: '~', key: objectKey(b), renamedFrom: renamed ? String(a.metadata?.name) : undefined, fields });
  }
  const whole = (o: Obj): Reason => (HARDENING_KINDS.has(String(o.kind)) ? 'hardening' : 'values');
  for (const o of onlyOurs.values()) {
    const reason = whole(o);
    counts[reason]++;
    objects.push({ op: '+', key: objectKey(o), reason, fields: [] });
  }
  for (const o of onlyTheirs.values()) {
    const reason = whole(o);
    counts[reason]++;
    objects.push({ op: '-', key: objectKey(o), reason, fields: [] });
  }
  const sortKey = (d: ObjectDiff) => {
    const [kind, ref] = d.key.split(' ');
    const ns = ref.includes('/') ? ref.split('/')[0] : '';
    return `${ns}\u0000${kind}\u0000${ref}`;
  };
  objects.sort((x, y) => sortKey(x).localeCompare(sortKey(y)) || x.op.localeCompare(y.op));
  return { theirs: theirs.size, ours: ours.size, same, objects, counts };
}

export interface FormatOptions {
  /** Show only differences of these reasons. @default all */
  readonly only?: readonly Reason[];
  /** List every hardening field instead of one summary line per object. @default false */
  readonly verbose?: boolean;
}

/** The comparison as lines a reviewer reads top to bottom: objects, then their fields, values first. */
export function formatComparison(c: Comparison, theirsName: string, oursName: string, options: FormatOptions = {}): string {
  const only = new Set(options.only ?? REASONS);
  const lines: string[] = [`comparing ${theirsName} (${c.theirs} objects) with ${oursName} (${c.ours} objects)`];
  const tag = (r: Reason) => `[${r}]`;
  for (const d of c.objects) {
    if (d.op !== '~') {
      if (only.has(d.reason!)) lines.push(`${d.op} ${d.key}  ${tag(d.reason!)}`);
      continue;
    }
    const shown = d.fields.filter((f) => only.has(f.reason));
    const renamed = d.renamedFrom !== undefined && only.has('naming');
    if (!shown.length && !renamed) continue;
    lines.push(`~ ${d.key}${d.renamedFrom !== undefined ? `  (was ${d.renamedFrom}) ${renamed ? tag('naming') : ''}`.trimEnd() : ''}`);
    for (const r of REASONS) {
      const fs = shown.filter((f) => f.reason === r);
      if (r !== 'values' && !options.verbose && fs.length > 2) {
        const names = [...new Set(fs.map((f) => lastName(f.path)))].sort();
        lines.push(`    ± ${fs.length} fields: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}  ${tag(r)}`);
        continue;
      }
      for (const f of fs) lines.push(`    ${f.op} ${f.path}${f.op === '~' ? `: ${f.from} → ${f.to}` : ''}  ${tag(r)}`);
    }
  }
  const added = c.objects.filter((d) => d.op === '+').length;
  const removed = c.objects.filter((d) => d.op === '-').length;
  const changed = c.objects.length - added - removed;
  lines.push(
    c.objects.length === 0
      ? `${oursName} matches ${theirsName}: ${c.same} objects the same`
      : `${added} objects added, ${removed} removed, ${changed} changed, ${c.same} the same; by reason: ${REASONS.map((r) => `${r} ${c.counts[r]}`).join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

/** What a collapsed line names a field by: its family (labels, securityContext, probes…) or its last key. */
function lastName(p: string): string {
  const m = /(securityContext|resources|livenessProbe|readinessProbe|startupProbe|volumeMounts|volumes|strategy|topologySpreadConstraints|affinity|selector|labels|annotations)/.exec(p);
  if (m) return m[1];
  const last = /(?:\.([^.[\]]+)|\["([^"]+)"\]|\[([^\]]+)\])$/.exec(p);
  return last ? (last[1] ?? last[2] ?? last[3]) : p;
}
