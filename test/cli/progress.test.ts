/** `rings synth` progress: only on a terminal's stderr, only once the run has taken a second. */
import { Io, progressReporter } from '../../src/cli/output';

function fakeIo(opts: { tty: boolean; clock: number[] }): Io & { err: string[] } {
  const err: string[] = [];
  let i = 0;
  return {
    err,
    stdout: () => undefined,
    stderr: (s) => err.push(s),
    stdoutIsTty: opts.tty,
    stdinIsTty: opts.tty,
    stderrIsTty: opts.tty,
    elapsedMs: () => opts.clock[Math.min(i++, opts.clock.length - 1)],
    ask: async () => '',
    env: {},
  };
}

test('a quick synth prints no progress', () => {
  const io = fakeIo({ tty: true, clock: [100, 200, 300] });
  const p = progressReporter(io);
  ['stable', 'edge', 'canary'].forEach((r, i) => p.onProgress(r, i, 3));
  p.done();
  expect(io.err).toEqual([]);
});

test('a long synth shows each ring after the first second, then clears the line', () => {
  const io = fakeIo({ tty: true, clock: [400, 1200, 2500] });
  const p = progressReporter(io);
  ['stable', 'edge', 'canary'].forEach((r, i) => p.onProgress(r, i, 3));
  p.done();
  expect(io.err).toEqual(['\r\x1b[2Krendered ring 2/3: edge', '\r\x1b[2Krendered ring 3/3: canary', '\r\x1b[2K']);
});

test('never on a pipe or in a CI log, however long it runs', () => {
  const io = fakeIo({ tty: false, clock: [5000, 6000] });
  const p = progressReporter(io);
  p.onProgress('stable', 0, 2);
  p.onProgress('edge', 1, 2);
  p.done();
  expect(io.err).toEqual([]);
});
