import * as fs from 'fs';
import * as path from 'path';
import { writeDirAtomically } from '../../render/dist';
import { synthToDir } from '../../render/pipeline';
import { stringFlag } from '../args';
import { CliError, Command, loadHistory } from '../context';
import { pendingJournalRefusal } from '../transaction';
import { json, progressReporter } from '../output';

export const synth: Command = {
  name: 'synth',
  summary: 'render the registry into --out (default dist/), atomically, like npm run synth',
  usage: 'rings synth [--out DIR] [--json] [--registry DIR]',
  positionals: [],
  flags: { out: 'string', json: 'boolean' },
  run(ctx, args) {
    const out = stringFlag(args, 'out') ?? 'dist';
    const pending = pendingJournalRefusal(ctx.registry);
    if (pending) throw new CliError(pending);
    loadHistory(ctx.registry); // a broken history is a broken registry, as in `check`
    const progress = progressReporter(ctx.io);
    let rendered;
    try {
      rendered = synthToDir(ctx.registry, out, { onProgress: progress.onProgress });
    } finally {
      progress.done();
    }
    const { result, summary } = rendered;
    // Under `cdk8s synth`: mirror dist/ into the CLI's scratch folder, which it lists (see src/bin/synth-app.ts).
    const cdk8sOut = ctx.io.env.CDK8S_OUTDIR;
    const mirrored = Boolean(cdk8sOut) && path.resolve(cdk8sOut!) !== path.resolve(out);
    if (mirrored) writeDirAtomically(cdk8sOut!, result.files);
    if (ctx.json) {
      ctx.io.stdout(json({ out, files: [...result.files.keys()], rings: summary }));
      return 0;
    }
    for (const s of summary) {
      ctx.io.stdout(`${ctx.c.bold(s.ring.padEnd(14))} ${(s.cluster ? `${s.namespace} on ${s.cluster}` : s.namespace).padEnd(24)} ${String(s.objects).padStart(4)} objects ${String(s.hosts).padStart(4)} hosts  ${s.memoryComponent} memory ${s.apiMemoryLimitMib}Mi\n`);
    }
    ctx.io.stdout(`wrote ${result.files.size} files to ${out}/\n`);
    if (mirrored) {
      // The cdk8s CLI then lists its own output folder, which holds the copy: name what dist/ holds
      // first, in the CLI's shape, and say that what follows is the copy.
      const base = out.replace(/[\\/]+$/, '');
      for (const f of filesBelow(out)) ctx.io.stdout(`  - ${base}/${f}\n`);
      ctx.io.stdout(`and a copy of them to ${cdk8sOut!.replace(/[\\/]+$/, '')}/ for the cdk8s CLI:\n`);
    }
    return 0;
  },
};

/** Every file below `dir`, as sorted '/'-separated paths relative to it (flat or one folder per unit). */
export function filesBelow(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesBelow(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
