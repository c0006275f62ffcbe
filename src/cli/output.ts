/**
 * Where the CLI writes, and how: colours only on a TTY and never with NO_COLOR (or --no-color),
 * JSON when asked, and a yes/no prompt that only a TTY can answer.
 */
import * as readline from 'readline';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdoutIsTty: boolean;
  readonly stdinIsTty: boolean;
  /** Progress goes to stderr, and only to a terminal. @default false */
  readonly stderrIsTty?: boolean;
  /** Milliseconds since the command started, for progress. @default always 0 (no progress) */
  readonly elapsedMs?: () => number;
  /** Asks a question on the terminal; resolves to the answer line. */
  readonly ask: (question: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stdinIsTty: Boolean(process.stdin.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    elapsedMs: () => performance.now(),
    env: process.env,
    ask: (question) =>
      new Promise((resolve) => {
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        rl.question(question, (answer) => {
          rl.close();
          resolve(answer);
        });
      }),
  };
}

export type Paint = (s: string) => string;

export interface Colours {
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
}

const sgr = (open: number, close: number): Paint => (s) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain: Paint = (s) => s;

/** Colour is for people: only on a terminal, and `NO_COLOR` (any value, https://no-color.org) always wins. */
export function useColour(isTty: boolean, env: Readonly<Record<string, string | undefined>>, noColorFlag = false): boolean {
  return isTty && !noColorFlag && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

export function colours(on: boolean): Colours {
  if (!on) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

/** Formats rows as aligned columns (the first row is the header). Widths ignore colour codes. */
export function table(rows: readonly (readonly string[])[], paintHeader: Paint = plain): string {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c))));
  return rows
    .map((r, ri) => {
      const line = r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c))))
        .join('  ')
        .trimEnd();
      return ri === 0 ? paintHeader(line) : line;
    })
    .map((l) => `${l}\n`)
    .join('');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Per-ring progress for long runs: silent for the first `afterMs` (a quick synth prints nothing
 * extra), then one line per ring on a terminal's stderr, rewritten in place and cleared at the end.
 * Never on a pipe or in CI logs.
 */
export function progressReporter(io: Io, afterMs = 1000): { onProgress: (ring: string, index: number, total: number) => void; done: () => void } {
  let shown = false;
  const live = Boolean(io.stderrIsTty && io.elapsedMs);
  return {
    onProgress(ring, index, total) {
      if (!live || io.elapsedMs!() < afterMs) return;
      shown = true;
      io.stderr(`\r\x1b[2Krendered ring ${index + 1}/${total}: ${ring}`);
    },
    done() {
      if (shown) io.stderr('\r\x1b[2K');
    },
  };
}
