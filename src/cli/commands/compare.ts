import * as fs from 'fs';
import * as path from 'path';
import { buildOverlay, buildTree, LayoutOptions, Obj, parseYamlObjects, RingOverlayChoice, TreeError } from '../../operate/import/kustomize-tree';
import { compareObjects, formatComparison, Reason, REASONS } from '../../operate/import/compare-tree';
import { boolFlag, stringFlag, stringsFlag, UsageError } from '../args';
import { CliError, Command } from '../context';
import { json } from '../output';

const USAGE = 'rings compare <kustomize tree, output folder or file> <dist dir> [--ring NAME=DIR]… [--shared DIR] [--only values,naming,hardening] [--verbose] [--json]';

/**
 * Objects of one side: a kustomize ring tree (its overlays built one by one: detected as `rings
 * import` does, or named with `layout`), a folder with a kustomization.yaml (built), a folder of
 * YAML files, or one YAML file.
 */
export function readSide(p: string, env: NodeJS.ProcessEnv, layout: LayoutOptions = {}): Obj[] {
  if (!fs.existsSync(p)) throw new CliError(`${p}: expected a kustomize tree, a folder of YAML or a YAML file, found nothing`);
  if (fs.statSync(p).isFile()) return parseYamlObjects(p, fs.readFileSync(p, 'utf8'));
  if (fs.existsSync(path.join(p, 'overlays')) || layout.rings?.length || layout.shared !== undefined) {
    const t = buildTree(p, env, layout);
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
    'The first side: a kustomize ring tree (its overlays found as rings import finds them: overlays/<ring>/, the seed\'s',
    'overlays/rings/<ring>/ and overlays/shared, or named with --ring NAME=DIR and --shared DIR; each built with kubectl',
    'kustomize), a folder with a kustomization.yaml (built), a folder of YAML files, or one YAML file. The second: dist/',
    '(built through its kustomization.yaml). Objects are matched by kind, namespace and name, then renamed ones by likeness',
    '(a workload by its images and ports).',
    '  [values]    replicas, images, hosts, settings, ports, resources (requests, limits) and probes: listed first, one line each;',
    '              quantities compare by value (1 = 1000m, 512Mi = 536870912); old and new never read the same',
    '  [naming]    renamed objects, labels, annotations, selectors;',
    '  [hardening] what the registry adds for safety (policies, quotas, PDBs, synced secrets, security contexts, scratch volumes)',
    '  --only LIST   show only these reasons;  --verbose  list every naming and hardening field, not one line per object',
    'Exit 0 when the two sides hold the same objects, 1 when they differ (as rings diff), 2 on a usage error.',
  ].join('\n'),
  positionals: ['theirs', 'dist'],
  flags: { only: 'string', verbose: 'boolean', json: 'boolean', ring: 'strings', shared: 'string' },
  run(ctx, args) {
    const [theirsPath, oursPath] = args.positionals;
    const onlyFlag = stringFlag(args, 'only');
    const only = onlyFlag?.split(',').map((s) => s.trim()) as Reason[] | undefined;
    const bad = only?.filter((r) => !REASONS.includes(r));
    if (bad?.length) throw new UsageError(`--only: expected values, naming or hardening, got ${JSON.stringify(bad[0])}`, USAGE);
    const env = ctx.io.env as NodeJS.ProcessEnv;
    const rings: RingOverlayChoice[] = stringsFlag(args, 'ring').map((r) => {
      const eq = r.indexOf('=');
      if (eq <= 0 || eq === r.length - 1) throw new UsageError(`--ring: expected NAME=DIR (e.g. stable=overlays/prod), got ${JSON.stringify(r)}`, USAGE);
      return { ring: r.slice(0, eq), dir: r.slice(eq + 1) };
    });
    let theirs: Obj[];
    let ours: Obj[];
    try {
      theirs = readSide(theirsPath, env, { rings: rings.length ? rings : undefined, shared: stringFlag(args, 'shared') });
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
