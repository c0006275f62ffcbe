/**
 * Every process the cluster harness starts (etcd, the Kubernetes components, KWOK, the Flux
 * controllers, the git server) dies with the run that started it, however that run ends:
 *
 * - each runs in its own process group (`detached`), so stopping it reaches whatever it forks;
 * - it is started through `setpriv --pdeathsig KILL` (util-linux): the kernel kills it when the test
 *   process dies, even by SIGKILL, when no handler of ours can run;
 * - SIGTERM, SIGINT and SIGHUP to the test process kill every group, then the process dies of the
 *   same signal; a normal exit kills them too;
 * - each is recorded (pid and kernel start time) in `<cache>/running/<owner pid>.json` while it runs;
 *   the next harness that starts stops what a dead owner left behind (a record whose process still
 *   has the recorded start time, so a reused pid is never hit) and deletes the record.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The cluster tests' cache: binaries built by build.sh, and the records of running processes. */
export function cacheDir(): string {
  return process.env.RINGS_CLUSTER_CACHE ?? path.join(os.homedir(), '.cache', 'cdk8s-rings', 'cluster');
}

/** Where running processes are recorded, one file per test process that started some. */
export function recordDir(): string {
  return path.join(cacheDir(), 'running');
}

export interface ProcessRecord {
  readonly pid: number;
  /** Kernel start time (clock ticks since boot, /proc/<pid>/stat field 22): tells a reused pid apart. */
  readonly start: string;
  readonly name: string;
  readonly command: string;
}

export interface OwnerRecord {
  readonly owner: number;
  readonly ownerStart: string;
  readonly processes: readonly ProcessRecord[];
}

export interface Supervised {
  readonly name: string;
  readonly pid: number;
  readonly proc: ChildProcess;
  /** The file its stdout and stderr go to. */
  readonly log: string;
  /** True once it has exited (or was killed). */
  exited(): boolean;
  /** Sends `signal` to its process group and waits until it has exited; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** /proc/<pid>/stat's start time, or undefined when no such process exists. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): field 3 is index 0.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => fs.existsSync(f));
const live = new Map<number, { rec: ProcessRecord; proc: ChildProcess }>();
let installed = false;

function recordFile(): string {
  return path.join(recordDir(), `${process.pid}.json`);
}

function writeRecord(): void {
  const file = recordFile();
  if (!live.size) {
    fs.rmSync(file, { force: true });
    return;
  }
  const rec: OwnerRecord = { owner: process.pid, ownerStart: processStart(process.pid) ?? '', processes: [...live.values()].map((l) => l.rec) };
  fs.mkdirSync(recordDir(), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(rec, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* gone */
  }
}

/** Kills every process this test process started (synchronously: usable in exit and signal handlers). */
export function killAllSync(): void {
  for (const { rec } of live.values()) killGroup(rec.pid, 'SIGKILL');
  live.clear();
  try {
    fs.rmSync(recordFile(), { force: true });
  } catch {
    /* the cache may be gone */
  }
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, function onSignal() {
      killAllSync();
      // Die of the same signal, as without a handler (jest and the shell see why).
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Stops what runs left behind: every recorded process whose owner is gone (or is another process
 * with the owner's pid) and that still has its recorded start time. Returns what was stopped.
 */
export function reapLeftovers(): ProcessRecord[] {
  const dir = recordDir();
  if (!fs.existsSync(dir)) return [];
  const stopped: ProcessRecord[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => /^\d+\.json$/.test(x))) {
    const file = path.join(dir, f);
    let rec: OwnerRecord;
    try {
      rec = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (rec.owner === process.pid) continue;
    const ownerAlive = processStart(rec.owner) !== undefined && processStart(rec.owner) === rec.ownerStart;
    if (ownerAlive) continue;
    for (const p of rec.processes) {
      const start = processStart(p.pid);
      if (start !== undefined && start !== p.start) continue; // the pid belongs to another process now
      if (start !== undefined) stopped.push(p);
      // The group may outlive its leader; its id cannot be reused while it has members.
      killGroup(p.pid, 'SIGKILL');
    }
    fs.rmSync(file, { force: true });
  }
  return stopped;
}

let reaped = false;

/**
 * Starts `command` supervised as above, stdout and stderr to `log`. The first call in a test process
 * also stops the leftovers of dead runs (and says so on stderr).
 */
export function startSupervised(name: string, command: string, args: readonly string[], options: { log: string; env?: NodeJS.ProcessEnv; cwd?: string }): Supervised {
  installHandlers();
  if (!reaped) {
    reaped = true;
    const left = reapLeftovers();
    if (left.length) process.stderr.write(`cluster harness: stopped ${left.length} process(es) a previous run left behind: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}\n`);
  }
  const fd = fs.openSync(options.log, 'a');
  const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
  const proc = spawn(cmd, argv, { stdio: ['ignore', fd, fd], detached: true, env: options.env ?? process.env, cwd: options.cwd });
  fs.closeSync(fd);
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const rec: ProcessRecord = { pid, start: processStart(pid) ?? '', name, command };
  live.set(pid, { rec, proc });
  writeRecord();
  let done = false;
  const exitedPromise = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      done = true;
      // The leader is gone; anything it forked into its group goes with it.
      killGroup(pid, 'SIGKILL');
      live.delete(pid);
      try {
        writeRecord();
      } catch {
        /* cache removed */
      }
      resolve();
    }),
  );
  proc.on('error', () => undefined);
  return {
    name,
    pid,
    proc,
    log: options.log,
    exited: () => done,
    async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000) {
      if (done) return;
      killGroup(pid, signal);
      if (signal !== 'SIGKILL') {
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exitedPromise;
        clearTimeout(timer);
      } else {
        await exitedPromise;
      }
    },
  };
}

/** The pids this test process has running (for tests of this module). */
export function runningPids(): number[] {
  return [...live.keys()].sort((a, b) => a - b);
}
