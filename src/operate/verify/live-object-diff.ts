/**
 * `rings diff --live`, the pure part: given each dist/ object, the live object (if any) and what a
 * server-side dry-run apply returns for it, which fields applying would change, and which drifted
 * fields it would keep (set on the cluster by another field manager, on fields dist/ does not set:
 * server-side apply never removes those).
 */
import { changedPaths, objectKey, Obj } from '../object-diff';

/** The field manager `rings` applies as (and the cluster tests use). */
export const FIELD_MANAGER = 'cdk8s-rings';

/** Managers whose fields are the cluster's own bookkeeping, not drift. */
const SYSTEM_MANAGERS = /^(kube-controller-manager|kube-scheduler|kubelet|kube-apiserver|kwok.*|before-first-apply)$/;
/** Fields that are bookkeeping whoever sets them. */
const IGNORED_PATHS = /^metadata\.(annotations\["(kubectl\.kubernetes\.io\/last-applied-configuration|deployment\.kubernetes\.io\/revision)"\]|finalizers)/;

/** Drops what the server owns: managedFields, resourceVersion, generation, uid, creation time, status. */
export function normalizeLive(o: Obj): Obj {
  const copy = JSON.parse(JSON.stringify(o)) as Obj;
  const meta = (copy.metadata ?? {}) as Obj;
  for (const k of ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink']) delete meta[k];
  delete copy.status;
  return copy;
}

function escapeSegment(k: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** Leaf field paths of a managedFields `fieldsV1` tree, as path segments (`.spec`, `[name=api]`, `["x"]`). */
function fieldsV1Segments(tree: Obj, at: readonly string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(tree)) {
    if (k === '.') continue;
    let seg: string;
    if (k.startsWith('f:')) seg = escapeSegment(k.slice(2));
    else if (k.startsWith('k:')) {
      const key = JSON.parse(k.slice(2)) as Obj;
      seg = `[${Object.entries(key).map(([a, b]) => `${a}=${b}`).join(',')}]`;
    } else if (k.startsWith('v:')) seg = `[${JSON.stringify(JSON.parse(k.slice(2)))}]`;
    else seg = `[${k}]`;
    const children = v && typeof v === 'object' ? Object.keys(v as Obj).filter((c) => c !== '.') : [];
    if (children.length === 0) out.push([...at, seg]);
    else out.push(...fieldsV1Segments(v as Obj, [...at, seg]));
  }
  return out;
}

const join = (segs: readonly string[]) => segs.join('').replace(/^\./, '');

/** Leaf field paths of a managedFields `fieldsV1` tree, in `rings diff` notation (`spec.template.spec.containers[name=api].env`). */
export function fieldsV1Paths(tree: Obj): string[] {
  return fieldsV1Segments(tree).map(join);
}

export interface KeptField {
  readonly path: string;
  readonly manager: string;
}

/**
 * Fields of the applied result owned by another (non-system) manager and not by `rings`: drift apply
 * keeps. A list item no field of which `rings` owns is one finding (`env[name=RING_NAME]`), not one per field.
 */
export function keptDrift(applied: Obj): KeptField[] {
  const mf = (((applied.metadata ?? {}) as Obj).managedFields ?? []) as Obj[];
  const mine: string[] = [];
  for (const m of mf) if (m.manager === FIELD_MANAGER && !m.subresource) mine.push(...fieldsV1Paths((m.fieldsV1 ?? {}) as Obj));
  const under = (q: string, p: string) => q === p || q.startsWith(`${p}.`) || q.startsWith(`${p}[`);
  const owned = (p: string) => mine.some((q) => under(p, q));
  const found = new Map<string, KeptField>();
  for (const m of mf) {
    const manager = String(m.manager ?? '');
    if (manager === FIELD_MANAGER || SYSTEM_MANAGERS.test(manager) || m.subresource) continue;
    for (const segs of fieldsV1Segments((m.fieldsV1 ?? {}) as Obj)) {
      let path = join(segs);
      for (let i = 0; i < segs.length - 1; i++) {
        if (!/^\[[^"].*=/.test(segs[i])) continue;
        const prefix = join(segs.slice(0, i + 1));
        if (!mine.some((q) => under(q, prefix))) {
          path = prefix;
          break;
        }
      }
      if (!owned(path) && !IGNORED_PATHS.test(path)) found.set(`${path} ${manager}`, { path, manager });
    }
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path) || a.manager.localeCompare(b.manager));
}

export interface LiveObjectDiff {
  readonly key: string;
  readonly status: 'added' | 'changed' | 'same';
  /** Fields applying dist/ would change. */
  readonly paths: readonly string[];
  /** Drift applying dist/ would keep. */
  readonly kept: readonly KeptField[];
}

/** One dist/ object: absent live → added; else the paths the dry-run apply changes, and the drift it keeps. */
export function diffLiveObject(desired: Obj, live: Obj | undefined, applied: Obj | undefined): LiveObjectDiff {
  const key = objectKey(desired);
  if (!live) return { key, status: 'added', paths: [], kept: [] };
  const paths = applied ? changedPaths(normalizeLive(live), normalizeLive(applied)).filter((p) => !IGNORED_PATHS.test(p)) : [];
  const kept = applied ? keptDrift(applied) : [];
  return { key, status: paths.length || kept.length ? 'changed' : 'same', paths, kept };
}
