/** Turns any failure into plain lines on stderr and exit code 1: never a stack trace. */
import { RegistryError } from '../registry/errors';

export function reportFailure(e: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (e instanceof RegistryError) {
    const lines = e.lines();
    for (const line of lines) write(`${line}\n`);
    // Counted from the printed lines, so the summary agrees with what the reader sees.
    write(`${lines.length} problem${lines.length === 1 ? '' : 's'} found; nothing was written\n`);
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  write(`error: ${msg.split('\n')[0]}\n`);
  if (process.env.RINGS_DEBUG && e instanceof Error && e.stack) write(`${e.stack}\n`);
  return 1;
}
