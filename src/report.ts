/** Turns any failure into plain lines on stderr and exit code 1: never a stack trace. */
import { RegistryError } from './registry/errors';

export function reportFailure(e: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (e instanceof RegistryError) {
    for (const line of e.lines()) write(`${line}\n`);
    write(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} found; nothing was written\n`);
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  write(`error: ${msg.split('\n')[0]}\n`);
  if (process.env.RINGS_DEBUG && e instanceof Error && e.stack) write(`${e.stack}\n`);
  return 1;
}
