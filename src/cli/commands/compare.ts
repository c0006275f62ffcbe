import * as fs from 'fs';
import * as path from 'path';
import { buildOverlay, buildTree, Obj, parseYamlObjects, TreeError } from '../../operate/import/kustomize-tree';
import { compareObjects, formatComparison, Reason, REASONS } from '../../operate/import/compare-tree';
import { boolFlag, stringFlag, UsageError } from '../args';
import { CliError, Command } from '../context';
import { json } from '../output';

const USAGE = 'rings compare <kustomize tree, output folder or file> <dist dir> [--only values,naming,hardening] [--verbose] [--json]';

/**
 * Objects of one side: a kustomize ring tree (overlays/ built one by one), a folder with a
 * kustomization.yaml (built), a folder of YAML files, or one YAML file.
 */
export function readSide(p: string, env: NodeJS.ProcessEnv): Obj[] {
  if (!fs.existsSync(p)) throw new CliError(`${p}: expected a kustomize tree, a folder of YAML or a YAML file, found nothing`);
  if (fs.statSync(p).isFile()) return parseYamlObjects(p, fs.readFileSync(p, 'utf8'));
  if (fs.existsSync(path.join(p, 'overlays'))) {
    const t = buildTree(p, env);
    return [...(t.shared?.objects ?? []), ...t.rings.flatMap((r) => r.objects)];
  }
  if (fs.existsSync(path.join(p, 'kustomization.yaml'))) return buildOverlay(p, env);
  return fs
    .readdirSync(p)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => parseYamlObjects(path.join(p, f), fs.readFileSync(path.join(p, f), 'utf8')));
}

export const compare: Command = {
  name: 'compare',
  summary: 'compare what a kustomize tree produces with dist/, object by object, each difference tagged hardening, naming or values; exit 1 when they differ',
  usage: USAGE,
  help: [
    'The first side: a kustomize ring tree (every overlays/shared and overlays/rings/<ring> built with kubectl kustomize),',
    'a folder with a kustomization.yaml (built), a folder of YAML files, or one YAML file. The second: dist/ (built',
    'through its kustomization.yaml). Objects are matched by kind, namespace and name, then renamed ones by likeness.',
    '  [hardening] what the registry adds for safety (policies, quotas, PDBs, synced secrets, security contexts, probes,',
    '              resources, scratch volumes); [naming] renamed objects, labels, annotations, selectors;',
    '  [values]    everything else: replicas, images, hosts, settings. Values come first in each object.',
    '  --only LIST   show only these reasons;  --verbose  list every hardening field, not one line per object',
    'Exit 0 when the two sides hold the same objects, 1 when they differ (as rings diff), 2 on a usage error.',
  ].join('\n'),
  positionals: ['theirs', 'dist'],
  flags: { only: 'string', verbose: 'boolean', json: 'boolean' },
  run(ctx, args) {
    const [theirsPath, oursPath] = args.positionals;
    const onlyFlag = stringFlag(args, 'only');
    const only = onlyFlag?.split(',').map((s) => s.trim()) as Reason[] | undefined;
    const bad = only?.filter((r) => !REASONS.includes(r));
    if (bad?.length) throw new UsageError(`--only: expected values, naming or hardening, got ${JSON.stringify(bad[0])}`, USAGE);
    const env = ctx.io.env as NodeJS.ProcessEnv;
    let theirs: Obj[];
    let ours: Obj[];
    try {
      theirs = readSide(theirsPath, env);
      ours = readSide(oursPath, env);
    } catch (e) {
      if (e instanceof TreeError) throw new CliError(e.lines[0], e.lines.slice(1));
      throw e;
    }
    const c = compareObjects(theirs, ours);
    if (ctx.json) ctx.io.stdout(json({ from: theirsPath, to: oursPath, differs: c.objects.length > 0, ...c }));
    else ctx.io.stdout(formatComparison(c, theirsPath, oursPath, { only, verbose: boolFlag(args, 'verbose') }));
    return c.objects.length ? 1 : 0;
  },
};
