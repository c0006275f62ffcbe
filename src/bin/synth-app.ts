/**
 * The app entry run by `npm run synth` (scripts/synth.js) and by `cdk8s synth` (cdk8s.yaml:
 * `node build/src/bin/synth.js`, the bundled form of this file). Both run exactly `rings synth`: the same
 * checks (history.jsonl included), the same output, the same problem lines and exit codes.
 *
 * Under `cdk8s synth` (CDK8S_OUTDIR set) three things differ, because of how the cdk8s CLI runs apps:
 * - it deletes its output folder before it runs the app, so it is given a scratch folder
 *   (build/cdk8s.out); dist/ is still written here, atomically, and mirrored into the scratch folder;
 * - it swallows the app's stdout, so the summary goes to stderr, where the user sees it;
 * - it prints a stack trace when the app exits non-zero, so on failure the app prints its problem lines,
 *   leaves the scratch folder absent and exits 0: the CLI then says "synthesis failed" and exits 1.
 */
import { run } from '../cli/run';
import { processIo } from '../cli/output';

async function main(): Promise<void> {
  const registry = process.env.RINGS_REGISTRY ?? 'rings';
  const out = process.env.RINGS_OUT ?? 'dist';
  const underCdk8s = Boolean(process.env.CDK8S_OUTDIR);
  const io = processIo();
  const code = await run(['synth', '--registry', registry, '--out', out], underCdk8s ? { ...io, stdout: io.stderr, stdoutIsTty: Boolean(io.stderrIsTty) } : io);
  process.exitCode = underCdk8s && code === 1 ? 0 : code;
}

void main();
