/**
 * `rings diff --live`: what applying dist/ would change on the cluster, object by object, from a
 * server-side dry run (`kubectl apply --server-side --dry-run=server --force-conflicts`, as the
 * `cdk8s-rings` field manager) compared with the live objects. Nothing is written to the cluster.
 */
import { Obj, objectKey } from '../operate/object-diff';
import { ClusterError, ensureReachable, firstLine, Kube } from './kube';
import { diffLiveObject, FIELD_MANAGER, KeptField } from '../operate/verify/live-object-diff';

export interface LiveFileDiff {
  readonly file: string;
  /** With [clusters]: the cluster the file was compared with. @default none (one cluster) */
  readonly cluster?: string;
  /** Objects applying would create. */
  readonly added: readonly string[];
  /** Objects applying would change, with the field paths. */
  readonly changed: ReadonlyArray<{ readonly key: string; readonly paths: readonly string[]; readonly kept: readonly KeptField[] }>;
}

function items(stdout: string): Obj[] {
  if (!stdout.trim()) return [];
  const v = JSON.parse(stdout) as Obj;
  return v.kind === 'List' ? ((v.items ?? []) as Obj[]) : [v];
}

/** `files`: dist/ file name → its objects, in apply order. */
export function liveDiff(kube: Kube, files: ReadonlyMap<string, readonly Obj[]>): LiveFileDiff[] {
  ensureReachable(kube);
  const ns = kube(['get', 'namespaces', '-o', 'name']);
  if (ns.code !== 0) throw new ClusterError(`cannot list namespaces: ${firstLine(ns.stderr)}`);
  const namespaces = new Set(ns.stdout.split('\n').map((l) => l.trim().replace(/^namespace\//, '')).filter(Boolean));
  const all = [...files.values()].flat();
  // Objects in a namespace that does not exist yet cannot be dry-run server-side: they are new.
  const diffable = all.filter((o) => {
    const n = (o.metadata as Obj | undefined)?.namespace as string | undefined;
    return n === undefined || namespaces.has(n);
  });
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: diffable });
  const live = kube(['get', '-f', '-', '--ignore-not-found', '-o', 'json'], list);
  if (live.code !== 0) throw new ClusterError(`cannot read the live objects: ${firstLine(live.stderr)}`);
  const applied = kube(['apply', '--server-side', '--dry-run=server', '--force-conflicts', '--show-managed-fields', `--field-manager=${FIELD_MANAGER}`, '-o', 'json', '-f', '-'], list);
  if (applied.code !== 0) throw new ClusterError(`the server-side dry run failed: ${firstLine(applied.stderr)}`);
  const liveByKey = new Map(items(live.stdout).map((o) => [objectKey(o), o]));
  const appliedByKey = new Map(items(applied.stdout).map((o) => [objectKey(o), o]));
  const out: LiveFileDiff[] = [];
  for (const [file, objs] of files) {
    const added: string[] = [];
    const changed: Array<{ key: string; paths: string[]; kept: KeptField[] }> = [];
    for (const o of objs) {
      const key = objectKey(o);
      const d = diffLiveObject(o, liveByKey.get(key), appliedByKey.get(key));
      if (d.status === 'added') added.push(key);
      else if (d.status === 'changed') changed.push({ key, paths: [...d.paths], kept: [...d.kept] });
    }
    if (added.length || changed.length) out.push({ file, added: added.sort(), changed: changed.sort((a, b) => a.key.localeCompare(b.key)) });
  }
  return out;
}

export function formatLiveDiffs(
  diffs: readonly LiveFileDiff[],
  against: string,
  c: { green: (s: string) => string; yellow: (s: string) => string; red: (s: string) => string; bold: (s: string) => string },
  clusters?: readonly string[],
): string {
  const the = clusters ? `every cluster (${clusters.join(', ')})` : 'the cluster';
  if (diffs.length === 0) return `${clusters ? `${the} matches` : 'the cluster matches'} ${against}/: applying it would change nothing\n`;
  const lines: string[] = [];
  let n = 0;
  for (const d of diffs) {
    lines.push(c.bold(d.cluster ? `${d.cluster}: ${d.file}` : d.file));
    for (const k of d.added) lines.push(c.green(`  + ${k}`));
    for (const ch of d.changed) {
      if (ch.paths.length) lines.push(c.yellow(`  ~ ${ch.key}: ${ch.paths.join(', ')}`));
      for (const k of ch.kept) lines.push(c.red(`  ! ${ch.key}: ${k.path} (set by ${k.manager}; applying ${against}/ keeps it)`));
    }
    n += d.added.length + d.changed.length;
  }
  lines.push(`${clusters ? 'the clusters differ' : 'the cluster differs'} from ${against}/ in ${n} object${n === 1 ? '' : 's'}: applying would create (+) or change (~) them; drift marked ! stays until removed by hand`);
  return `${lines.join('\n')}\n`;
}
