/**
 * A real headless Chromium (Debian's `chromium`, /usr/bin/chromium; never a downloaded browser) driven
 * with playwright-core over CDP, for the status page's tests.
 *
 * Chromium is started detached, in its own process group, under a small bash watchdog that holds a pipe
 * from this process: on `close()`, on this process's exit or signal, and even when this process is
 * killed outright (the pipe closes), the whole group is killed. A fresh --user-data-dir each time, and
 * the flags this machine's closed network needs (no first-run, no background networking, no component
 * updates, no sync, no QUIC).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium; RINGS_CHROMIUM may name another local build of it (never a downloaded one). */
export const CHROMIUM = process.env.RINGS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
];

/**
 * The watchdog (`bash -c WATCHDOG <command> <args…>`, spawned detached with a pipe as stdin): runs the
 * command in the background, waits for EOF on the pipe — this process closed it, exited or was killed —
 * then kills its whole process group, the command and everything it started.
 */
export const WATCHDOG = 'exec 3<&0 </dev/null; "$0" "$@" >/dev/null 2>&1 & read -r -u 3 _; kill -KILL 0';

export interface RunningChromium {
  readonly browser: Browser;
  /** The watchdog's pid = the process group's id. */
  readonly pgid: number;
  close(): Promise<void>;
}

function killGroup(p: ChildProcess): void {
  if (p.pid === undefined) return;
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Starts Chromium and connects to it; call `close()` in afterAll (exit and signals are covered too). */
export async function startChromium(): Promise<RunningChromium> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed: this test needs Debian's chromium (apt-get install chromium; .ci/run installs it where missing)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-chromium-'));
  const p = spawn('bash', ['-c', WATCHDOG, CHROMIUM, ...CHROMIUM_FLAGS, `--user-data-dir=${dir}`, 'about:blank'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  const onExit = () => killGroup(p);
  const onSignal = (sig: NodeJS.Signals) => {
    killGroup(p);
    process.kill(process.pid, sig);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cleanup = () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    killGroup(p);
    p.stdin?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Chromium writes the port it chose and the browser's path to DevToolsActivePort.
    const portFile = path.join(dir, 'DevToolsActivePort');
    const deadline = Date.now() + 30_000;
    let endpoint: string | undefined;
    while (!endpoint) {
      if (p.exitCode !== null) throw new Error(`${CHROMIUM} exited (${p.exitCode}) before it listened`);
      if (Date.now() > deadline) throw new Error(`${CHROMIUM} did not start within 30 s`);
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').split('\n') : [];
      if (text.length >= 2 && /^\d+$/.test(text[0]) && text[1].startsWith('/devtools/browser/')) endpoint = `ws://127.0.0.1:${text[0]}${text[1]}`;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const browser = await chromium.connectOverCDP(endpoint, { timeout: 30_000 });
    return {
      browser,
      pgid: p.pid!,
      close: async () => {
        await browser.close().catch(() => undefined);
        cleanup();
      },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
