import { ImportError, importTree } from '../../operate/import/import-tree';
import type { RingOverlayChoice } from '../../operate/import/kustomize-tree';
import { stringFlag, stringsFlag, UsageError } from '../args';
import { Command } from '../context';
import { json } from '../output';

const USAGE = 'rings import <k8s dir> [--ring NAME=DIR]… [--shared DIR] [--out <registry dir>] [--locks <dir>] [--order ring,ring,…] [--json]';

export const importCommand: Command = {
  name: 'import',
  summary: 'write a registry from a kustomize tree of ring overlays (base/ + overlays/<ring>, or the seed\'s overlays/rings/<ring>), listing what it could not map',
  usage: USAGE,
  help: [
    'Builds every overlay with kubectl kustomize (KUBECTL overrides the binary) and writes a registry folder:',
    'platform.toml (domain, home ring, images, ports, resources, shared services and aliases), one <ring>.toml per',
    'ring overlay (namespace, hostname segment, replicas, its own resources), tenants.toml from the rings\' Ingress hosts, and locks/.',
    '  --ring NAME=DIR  ring NAME is the overlay DIR (relative to the tree); repeat it, most conservative first (that is the',
    '                   promotion order and the first is home unless --shared says otherwise). Without it the overlays are',
    '                   detected (overlays/rings/<ring>/, else overlays/<ring>/) and the mapping chosen is printed, one line per ring.',
    '  --shared DIR     the shared layer\'s overlay (its namespace is the home ring\'s); default overlays/shared if present',
    '  --out DIR        the registry folder to write, new or empty; default: --registry, else ./rings',
    '  --locks DIR      copy <ring>.lock.json from DIR (AutoCom\'s modules/manifests); default: locks found in the tree',
    '  --order LIST     ring names, most conservative first; default: the --ring order, else home ring then by name',
    'Workloads may have any names: each Deployment is the component of its name (api, horizon, nginx) or of its place',
    '(the Ingress routes to nginx, api is behind another Service, horizon has none). Every value the tree does not settle',
    'is listed, one line each (<overlay>: <object>: <field path>: …). On any problem nothing is written.',
    'Then: rings synth --registry <out> and rings compare <k8s dir> dist/.',
  ].join('\n'),
  positionals: [],
  optionalPositionals: 1,
  flags: { from: 'string', out: 'string', ring: 'strings', shared: 'string', locks: 'string', order: 'string', json: 'boolean' },
  run(ctx, args) {
    const positional = args.positionals[0];
    const fromFlag = stringFlag(args, 'from');
    if (positional !== undefined && fromFlag !== undefined) throw new UsageError('give the tree once: <k8s dir> or --from <k8s dir>', USAGE);
    const from = positional ?? fromFlag;
    if (!from) throw new UsageError('missing <k8s dir> (the kustomize tree to import)', USAGE);
    const out = stringFlag(args, 'out') ?? ctx.registry;
    const rings: RingOverlayChoice[] = [];
    for (const r of stringsFlag(args, 'ring')) {
      const eq = r.indexOf('=');
      if (eq <= 0 || eq === r.length - 1) throw new UsageError(`--ring: expected NAME=DIR (e.g. stable=overlays/prod), got ${JSON.stringify(r)}`, USAGE);
      rings.push({ ring: r.slice(0, eq), dir: r.slice(eq + 1) });
    }
    const order = stringFlag(args, 'order')?.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      const r = importTree(from, out, { locks: stringFlag(args, 'locks'), order, rings: rings.length ? rings : undefined, shared: stringFlag(args, 'shared'), env: ctx.io.env as NodeJS.ProcessEnv });
      if (ctx.json) {
        ctx.io.stdout(json({ out, mapping: r.mapping, rings: r.registry.rings.map((x) => x.name), tenants: Object.keys(r.registry.tenants).length, files: [...r.files.keys()].sort(), notes: r.notes }));
      } else {
        for (const m of r.mapping) ctx.io.stdout(`mapping: ${m}\n`);
        for (const n of r.notes) ctx.io.stdout(`note: ${n}\n`);
        const s = r.registry;
        ctx.io.stdout(`wrote ${out}/: ${s.rings.length} rings (${s.rings.map((x) => x.name).join(', ')}), ${Object.keys(s.tenants).length} tenants, ${s.shared.length} shared and ${s.external.length} external services; ${r.notes.length} notes above\n`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      if (ctx.json) ctx.io.stdout(json({ out, written: false, problems: e.lines }));
      for (const l of e.lines) ctx.io.stderr(`${l}\n`);
      if (e.hint) ctx.io.stderr(`${e.hint}\n`);
      ctx.io.stderr(`${e.lines.length} problem${e.lines.length === 1 ? '' : 's'} found; nothing was written\n`);
      return 1;
    }
  },
};
