import { ImportError, importTree } from '../../operate/import/import-tree';
import { stringFlag, UsageError } from '../args';
import { Command } from '../context';
import { json } from '../output';

const USAGE = 'rings import --from <k8s dir> --out <registry dir> [--locks <dir>] [--order ring,ring,…] [--json]';

export const importCommand: Command = {
  name: 'import',
  summary: 'write a registry from a kustomize ring layout (base/, overlays/shared, overlays/rings/<ring>), listing what it could not map',
  usage: USAGE,
  help: [
    'Builds every overlay with kubectl kustomize (KUBECTL overrides the binary) and writes a registry folder:',
    'platform.toml (domain, home ring, images, ports, resources, shared services and aliases), one <ring>.toml per',
    'ring overlay (namespace, hostname segment, replicas), tenants.toml from the rings\' Ingress hosts, and locks/.',
    '  --locks DIR   copy <ring>.lock.json from DIR (AutoCom\'s modules/manifests); default: locks found in the tree',
    '  --order LIST  ring names, most conservative first (promotion order); default: home ring, then by name',
    'Every value the tree does not settle is listed, one line each. --out must be new or empty; on any problem',
    'nothing is written. Then: rings synth --registry <out> and rings compare <k8s dir> dist/.',
  ].join('\n'),
  positionals: [],
  flags: { from: 'string', out: 'string', locks: 'string', order: 'string', json: 'boolean' },
  run(ctx, args) {
    const from = stringFlag(args, 'from');
    const out = stringFlag(args, 'out');
    if (!from || !out) throw new UsageError(`missing ${!from ? '--from <k8s dir>' : '--out <registry dir>'}`, USAGE);
    const order = stringFlag(args, 'order')?.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      const r = importTree(from, out, { locks: stringFlag(args, 'locks'), order, env: ctx.io.env as NodeJS.ProcessEnv });
      if (ctx.json) {
        ctx.io.stdout(json({ out, rings: r.registry.rings.map((x) => x.name), tenants: Object.keys(r.registry.tenants).length, files: [...r.files.keys()].sort(), notes: r.notes }));
      } else {
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
