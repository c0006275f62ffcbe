import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { clusterKustomizations, kustomizedFiles, readDir } from '../../render/dist';
import { boolFlag, ParsedArgs, stringFlag, stringsFlag, UsageError } from '../args';
import { clusterContexts, clusterLabel } from '../cluster-contexts';
import { ClusterError } from '../kube';
import type { Ctx } from '../context';
import { CliError, Command, loadAll, renderSources } from '../context';
import { diffRenderings, FileDiff, Obj } from '../../operate/object-diff';
import { kubectl, reportUnreachable } from '../kube';
import { formatLiveDiffs, liveDiff } from '../kube-live-diff';
import { json } from '../output';

export function parseYamlFile(file: string, text: string): Obj[] {
  const docs = parseAllDocuments(text);
  const out: Obj[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) throw new CliError(`${file}: invalid YAML: ${d.errors[0].message.split('\n')[0]}`);
    const v = d.toJSON() as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Obj);
  }
  return out;
}

export const diff: Command = {
  name: 'diff',
  summary: 'compare a fresh synth with the committed dist/ object by object; exit 1 when they differ (CI drift check)',
  usage: 'rings diff [--against DIR] [--live [--kubeconfig FILE] [--context NAME | --context CLUSTER=NAME…]] [--json] [--registry DIR]',
  help: [
    'Without --live: a fresh synth of the registry against the committed DIR (default dist/).',
    '--live: DIR against the cluster: what `kubectl apply --server-side` of DIR (field manager cdk8s-rings, forcing',
    'conflicts) would change, from a server-side dry run: + created, ~ changed (field paths), ! drift another field',
    'manager set on a field DIR does not set (apply keeps it). Read-only. Exit 0 no change, 1 changes, 2 cluster unreachable.',
    'With [clusters] (DIR has clusters/<name>/kustomization.yaml), each cluster is compared with what its kustomization',
    'builds, read with --context <cluster>=<context> (repeatable) or the context named like the cluster.',
  ].join('\n'),
  positionals: [],
  flags: { against: 'string', json: 'boolean', live: 'boolean', kubeconfig: 'string', context: 'strings' },
  run(ctx, args) {
    const against = stringFlag(args, 'against') ?? 'dist';
    if (!fs.existsSync(against)) throw new CliError(`${against}: expected a folder of synthesized YAML to compare with, found none (pass --against DIR)`);
    if (boolFlag(args, 'live')) return diffLive(ctx, args, against);
    if (stringFlag(args, 'kubeconfig') !== undefined || stringsFlag(args, 'context').length) throw new UsageError('--kubeconfig and --context go with --live', 'rings diff --live [--kubeconfig FILE] [--context NAME]');
    const { sources } = loadAll(ctx.registry);
    const previous = readDir(against);
    const { result } = renderSources(ctx.registry, sources, previous);
    const committedText = new Map([...previous].filter(([f]) => f.endsWith('.yaml') || f.endsWith('.yml')));
    const committed = new Map([...committedText].map(([f, t]) => [f, parseYamlFile(`${against}/${f}`, t)]));
    const fresh = new Map([...result.files].map(([f, t]) => [f, parseYamlFile(f, t)]));
    const diffs = diffRenderings(committed, fresh, committedText, result.files);
    if (ctx.json) ctx.io.stdout(json({ against, differs: diffs.length > 0, files: diffs }));
    else ctx.io.stdout(formatDiffs(diffs, against, ctx.c));
    return diffs.length ? 1 : 0;
  },
};

function diffLive(ctx: Ctx, args: ParsedArgs, against: string): number {
  const text = readDir(against);
  // Rings across clusters: each cluster against what its own kustomization builds.
  const perCluster = clusterKustomizations(text);
  const names = perCluster.size ? [...perCluster.keys()] : undefined;
  const contexts = clusterContexts(names, stringsFlag(args, 'context'), 'rings diff --live [--kubeconfig FILE] [--context NAME | --context CLUSTER=NAME…]');
  try {
    const diffs = [...contexts].flatMap(([cluster, context]) => {
      const kube = kubectl({ kubeconfig: stringFlag(args, 'kubeconfig'), context, env: ctx.io.env });
      const list = cluster ? perCluster.get(cluster)! : kustomizedFiles(text);
      const files = new Map(list.map((f) => [f, parseYamlFile(`${against}/${f}`, text.get(f)!)]));
      try {
        return liveDiff(kube, files).map((d) => (cluster ? { cluster, ...d } : d));
      } catch (e) {
        throw e instanceof ClusterError && cluster ? new ClusterError(`${clusterLabel(cluster, context)}: ${e.message}`) : e;
      }
    });
    if (ctx.json) ctx.io.stdout(json({ against, live: true, differs: diffs.length > 0, ...(names ? { clusters: names } : {}), files: diffs }));
    else ctx.io.stdout(formatLiveDiffs(diffs, against, ctx.c, names));
    return diffs.length ? 1 : 0;
  } catch (e) {
    return reportUnreachable(e, ctx);
  }
}

export function formatDiffs(diffs: readonly FileDiff[], against: string, c: { green: (s: string) => string; red: (s: string) => string; yellow: (s: string) => string; bold: (s: string) => string }): string {
  if (diffs.length === 0) return `${against}/ is up to date with the registry\n`;
  const lines: string[] = [];
  for (const d of diffs) {
    const what = d.status === 'added' ? ' (new file)' : d.status === 'removed' ? ' (file would be removed)' : d.textOnly ? ' (same objects, different bytes)' : '';
    lines.push(c.bold(`${d.file}${what}`));
    for (const k of d.added) lines.push(c.green(`  + ${k}`));
    for (const k of d.removed) lines.push(c.red(`  - ${k}`));
    for (const ch of d.changed) lines.push(c.yellow(`  ~ ${ch.key}: ${ch.paths.join(', ')}`));
  }
  lines.push(`${against}/ differs from a fresh synth in ${diffs.length} file${diffs.length === 1 ? '' : 's'}; run rings synth and commit the result`);
  return `${lines.join('\n')}\n`;
}
