/**
 * `[[patches]]`: the last resort for what the registry cannot say. Each patch targets rendered objects
 * by kind and name (and optionally the chart of one ring), is an RFC 6902 JSON Patch or a
 * strategic-merge fragment, and is applied after rendering. Every patched object is then checked
 * again: the strict Kubernetes 1.29 schema, Pod Security `restricted`, and the hardening guarantees
 * over the whole output. A patch that breaks one is refused with its location (`platform.toml:
 * patches.<i>`), so a patch cannot switch a guarantee off silently.
 */
import { checkGuarantees } from '../checks/guarantees';
import { validateManifest } from '../registry/schema/k8s-schema';
import { podTemplateOf, restrictedViolations } from '../checks/pod-security';
import type { RegistryProblem } from '../registry/errors';
import type { PatchPlan } from '../resolve/resolve-plan';
import type { Obj } from '../model/objects';


export class PatchError extends Error {}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON pointer (RFC 6901) → tokens. */
function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`path "${p}" is not a JSON pointer (it must start with /)`);
  return p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Obj, tokens: string[], path: string): { parent: any; key: string } {
  let cur: any = doc;
  for (const t of tokens.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[arrayIndex(cur, t, path, false)] : isMap(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new PatchError(`path "${path}" does not exist`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(a: unknown[], t: string, path: string, forAdd: boolean): number {
  if (forAdd && t === '-') return a.length;
  if (!/^(0|[1-9]\d*)$/.test(t)) throw new PatchError(`path "${path}": "${t}" is not an array index`);
  const i = Number(t);
  if (i > a.length || (!forAdd && i === a.length)) throw new PatchError(`path "${path}": index ${i} is out of range`);
  return i;
}

function getAt(doc: Obj, path: string): unknown {
  let cur: any = doc;
  for (const t of pointer(path)) {
    cur = Array.isArray(cur) ? cur[arrayIndex(cur, t, path, false)] : isMap(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new PatchError(`path "${path}" does not exist`);
  }
  return cur;
}

function removeAt(doc: Obj, path: string): unknown {
  const tokens = pointer(path);
  if (!tokens.length) throw new PatchError('cannot remove the whole object');
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, path, false), 1)[0];
  if (!isMap(parent) || !(key in parent)) throw new PatchError(`path "${path}" does not exist`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: Obj, path: string, value: unknown): void {
  const tokens = pointer(path);
  if (!tokens.length) throw new PatchError('cannot replace the whole object');
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, path, true), 0, value);
  else if (isMap(parent)) parent[key] = value;
  else throw new PatchError(`path "${path}": its parent is not an object or array`);
}

/** Applies RFC 6902 operations to a copy of `doc`. Throws `PatchError` naming the failing operation. */
export function applyJsonPatch(doc: Obj, ops: readonly { op: string; path: string; value?: unknown; from?: string }[]): Obj {
  const out = clone(doc);
  ops.forEach((o, i) => {
    try {
      switch (o.op) {
        case 'add':
          if (o.value === undefined) throw new PatchError('add needs a value');
          addAt(out, o.path, clone(o.value));
          break;
        case 'remove':
          removeAt(out, o.path);
          break;
        case 'replace':
          if (o.value === undefined) throw new PatchError('replace needs a value');
          removeAt(out, o.path);
          addAt(out, o.path, clone(o.value));
          break;
        case 'move':
        case 'copy': {
          if (o.from === undefined) throw new PatchError(`${o.op} needs from`);
          const v = o.op === 'move' ? removeAt(out, o.from) : clone(getAt(out, o.from));
          addAt(out, o.path, v);
          break;
        }
        case 'test':
          if (JSON.stringify(getAt(out, o.path)) !== JSON.stringify(o.value)) throw new PatchError(`test failed: "${o.path}" does not hold the given value`);
          break;
        default:
          throw new PatchError(`unknown op "${o.op}"`);
      }
    } catch (e) {
      if (e instanceof PatchError) throw new PatchError(`json_patch.${i}: ${e.message}`);
      throw e;
    }
  });
  return out;
}

/** List fields merged item by item, by this key (as the Kubernetes strategic merge does). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  imagePullSecrets: 'name',
  topologySpreadConstraints: 'topologyKey',
  hostAliases: 'ip',
};

function mergeKeyOf(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') return items.some((x) => isMap(x) && 'containerPort' in x) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

/**
 * Strategic merge of `patch` into a copy of `doc`: maps merge recursively; the lists above merge by
 * their key (an item `{ name = "x", "$patch" = "delete" }` removes one); other lists are replaced; a
 * value `{ "$patch" = "delete" }` removes the key (TOML has no null) and `"$patch" = "replace"` in a
 * table replaces instead of merging.
 */
export function applyStrategicMerge(doc: Obj, patch: Obj): Obj {
  return mergeMap(clone(doc), patch);
}

function mergeMap(target: Obj, patch: Obj): Obj {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch !== undefined) throw new PatchError(`unknown $patch directive ${JSON.stringify(patch.$patch)} (use "replace" or "delete")`);
  const out: Obj = isMap(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (isMap(v) && v.$patch === 'delete') delete out[k];
    else if (isMap(v)) out[k] = mergeMap(isMap(out[k]) ? out[k] : {}, v);
    else if (Array.isArray(v)) out[k] = mergeList(k, Array.isArray(out[k]) ? out[k] : [], v);
    else out[k] = clone(v);
  }
  return out;
}

function mergeList(field: string, target: unknown[], patch: unknown[]): unknown[] {
  const key = mergeKeyOf(field, [...target, ...patch]);
  if (!key || !patch.every((x) => isMap(x) && x[key] !== undefined)) return clone(patch).filter((x) => !(isMap(x) && x.$patch === 'delete'));
  const out = [...target];
  for (const item of patch as Obj[]) {
    const i = out.findIndex((x) => isMap(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = mergeMap(out[i] as Obj, item);
    else out.push(mergeMap({}, item));
  }
  return out;
}

/** Keys sorted recursively, as cdk8s writes objects (arrays keep their order). */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (!isMap(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Obj)[k])])) as T;
}

const idOf = (o: Obj) => (o.metadata?.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata?.name}` : `${o.kind}/${o.metadata?.name}`);

/** A chart's objects, with the ring it belongs to (undefined for the shared layer and cluster charts). */
export interface PatchableChart {
  readonly ring?: string;
  objects: Obj[];
}

/**
 * Applies `patches` in order to the charts' objects (replacing patched objects in place) and checks
 * the result. Returns one problem per failure, at the patch's location; empty when all is well.
 */
export function applyPatches(charts: readonly PatchableChart[], patches: readonly PatchPlan[]): RegistryProblem[] {
  const problems: RegistryProblem[] = [];
  const all = () => charts.flatMap((c) => c.objects);
  let before = new Set(checkGuarantees(all()));
  for (const p of patches) {
    const at = (message: string) => problems.push({ file: p.file, path: p.path, message });
    const targets = charts.filter((c) => p.ring === undefined || c.ring === p.ring);
    let hits = 0;
    let failed = false;
    for (const c of targets) {
      c.objects = c.objects.map((o) => {
        if (failed || o.kind !== p.kind || o.metadata?.name !== p.name) return o;
        hits++;
        let next: Obj;
        try {
          next = sortKeys(p.jsonPatch ? applyJsonPatch(o, p.jsonPatch) : applyStrategicMerge(o, p.strategicMerge ?? {}));
        } catch (e) {
          if (!(e instanceof PatchError)) throw e;
          at(`expected a patch that applies to ${idOf(o)}, got: ${e.message}`);
          failed = true;
          return o;
        }
        if (next.apiVersion !== o.apiVersion || next.kind !== o.kind || next.metadata?.name !== o.metadata?.name || next.metadata?.namespace !== o.metadata?.namespace) {
          at(`expected a patch that keeps ${idOf(o)}'s apiVersion, kind, name and namespace, got one that changes them`);
          failed = true;
          return o;
        }
        for (const v of validateManifest(next)) at(`expected ${idOf(o)} to stay valid against the Kubernetes 1.29 schema after the patch, got ${v.slice(v.indexOf(': ') + 2)}`);
        const pod = podTemplateOf(next);
        if (pod) for (const v of restrictedViolations(pod.spec, pod.annotations)) at(`expected ${idOf(o)} to stay Pod Security "restricted" after the patch, got ${v}`);
        return next;
      });
    }
    if (!hits && !failed) at(`expected a ${p.kind} named "${p.name}"${p.ring ? ` in ring ${p.ring}` : ''} to patch, found none`);
    const after = checkGuarantees(all());
    for (const v of after) if (!before.has(v) && !v.startsWith('podsRestricted:')) at(`expected the patch to keep every guarantee, got ${v}`);
    before = new Set(after);
  }
  return problems;
}
