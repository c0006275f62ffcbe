/**
 * Object-by-object comparison of two renderings of dist/ (file name → YAML objects): which objects
 * each chart file gained, lost or changed, and for changed ones the field paths that differ. Pure.
 */

import type { Obj } from '../model/objects';
export type { Obj };

export interface ChangedObject {
  readonly key: string;
  readonly paths: readonly string[];
}

export interface FileDiff {
  readonly file: string;
  /** In the fresh synth, not in the committed folder. */
  readonly added: readonly string[];
  /** In the committed folder, not in the fresh synth. */
  readonly removed: readonly string[];
  readonly changed: readonly ChangedObject[];
  /** Whole file missing on one side. */
  readonly status: 'added' | 'removed' | 'changed';
  /** Same objects but different bytes (formatting, order). */
  readonly textOnly?: boolean;
}

/** `Kind namespace/name`, or just `Kind name` for cluster-scoped objects. */
export function objectKey(o: Obj): string {
  const meta = (o.metadata ?? {}) as Obj;
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  return `${String(o.kind ?? '?')} ${ns}${name}`.trim();
}

function escapeSegment(k: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** The field that identifies the items of an array of objects (containers by name, Ingress rules by host), if every item has a unique one. */
function identityField(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  const items = [...a, ...b];
  if (items.length === 0 || !items.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) return undefined;
  for (const field of ['name', 'host', 'key', 'port', 'mountPath']) {
    const unique = (xs: readonly unknown[]) => {
      const ids = xs.map((x) => (x as Obj)[field]);
      return ids.every((id) => typeof id === 'string' || typeof id === 'number') && new Set(ids).size === ids.length;
    };
    if (unique(a) && unique(b)) return field;
  }
  return undefined;
}

/**
 * Paths where `a` and `b` differ: `spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`,
 * `spec.rules[host=acme.acme.io]` (items matched by identity, so one added host is one path, not
 * every later index), `spec.tls[0].hosts` (a list of plain values is one field).
 */
export function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (Object.is(a, b)) return [];
  const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
  const here = at.replace(/^\./, '') || '(root)';
  if (Array.isArray(a) && Array.isArray(b)) {
    const id = identityField(a, b);
    if (id) {
      const byId = (xs: readonly unknown[]) => new Map(xs.map((x) => [String((x as Obj)[id]), x]));
      const ma = byId(a);
      const mb = byId(b);
      const ids = [...new Set([...ma.keys(), ...mb.keys()])].sort();
      const out = ids.flatMap((k) => (ma.has(k) && mb.has(k) ? changedPaths(ma.get(k), mb.get(k), `${at}[${id}=${k}]`) : [`${here}[${id}=${k}]`]));
      // Same items in another order is a change too (order matters in some fields).
      if (out.length === 0 && a.some((x, i) => String((x as Obj)[id]) !== String((b[i] as Obj)[id]))) return [here];
      return out;
    }
    if (![...a, ...b].some((v) => v !== null && typeof v === 'object')) return JSON.stringify(a) === JSON.stringify(b) ? [] : [here];
    if (a.length !== b.length) return [here];
    return a.flatMap((x, i) => changedPaths(x, b[i], `${at}[${i}]`));
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], `${at}${escapeSegment(k)}`));
  }
  return [here];
}

/** `fresh` is what synth would write now; `committed` is what is in the folder. */
export function diffRenderings(
  committed: ReadonlyMap<string, readonly Obj[]>,
  fresh: ReadonlyMap<string, readonly Obj[]>,
  committedText?: ReadonlyMap<string, string>,
  freshText?: ReadonlyMap<string, string>,
): FileDiff[] {
  const files = [...new Set([...committed.keys(), ...fresh.keys()])].sort();
  const out: FileDiff[] = [];
  for (const file of files) {
    const before = committed.get(file);
    const after = fresh.get(file);
    const keyed = (objs: readonly Obj[] | undefined) => new Map((objs ?? []).map((o) => [objectKey(o), o]));
    const b = keyed(before);
    const a = keyed(after);
    const added = [...a.keys()].filter((k) => !b.has(k)).sort();
    const removed = [...b.keys()].filter((k) => !a.has(k)).sort();
    const changed = [...a.keys()]
      .filter((k) => b.has(k))
      .sort()
      .map((k) => ({ key: k, paths: changedPaths(b.get(k), a.get(k)) }))
      .filter((c) => c.paths.length > 0);
    const status = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    const textDiffers = committedText !== undefined && freshText !== undefined && committedText.get(file) !== freshText.get(file);
    if (status !== 'changed' || added.length || removed.length || changed.length) out.push({ file, added, removed, changed, status });
    else if (textDiffers) out.push({ file, added, removed, changed, status, textOnly: true });
  }
  return out;
}
