/**
 * The app entry run by `npm run synth` and by `cdk8s synth` (cdk8s.yaml: `node build/src/main.js`).
 *
 * `cdk8s synth` deletes its output folder before it runs the app, so cdk8s.yaml points it at a
 * scratch folder (build/cdk8s.out); this entry writes dist/ atomically itself and mirrors the files
 * into the CLI's folder. Either way dist/ is byte-identical, and a failed run leaves it untouched.
 */
import * as path from 'path';
import { writeDirAtomically } from './dist';
import { synthToDir } from './pipeline';
import { pendingJournalRefusal } from './cli/transaction';
import { reportFailure } from './report';

function main(): number {
  const registry = process.env.RINGS_REGISTRY ?? 'rings';
  const out = process.env.RINGS_OUT ?? 'dist';
  try {
    const pending = pendingJournalRefusal(registry);
    if (pending) throw new Error(pending);
    const { result, summary } = synthToDir(registry, out);
    const cliOut = process.env.CDK8S_OUTDIR;
    if (cliOut && path.resolve(cliOut) !== path.resolve(out)) writeDirAtomically(cliOut, result.files);
    for (const s of summary) {
      process.stdout.write(`${s.ring.padEnd(14)} ${s.namespace.padEnd(24)} ${String(s.objects).padStart(5)} objects ${String(s.hosts).padStart(7)} hosts  api ${s.apiMemoryLimitMib}Mi\n`);
    }
    process.stdout.write(`wrote ${result.files.size} files to ${out}/\n`);
    return 0;
  } catch (e) {
    return reportFailure(e);
  }
}

process.exitCode = main();
