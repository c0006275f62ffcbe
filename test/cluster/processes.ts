/**
 * Every process the cluster harness starts (etcd, the Kubernetes components, KWOK, the Flux
 * controllers, the git server) dies with the run that started it, however that run ends:
 *
 * - each runs in its own process group (`detached`), so stopping it reaches whatever it forks;
 * - it is started through `setpriv --pdeathsig KILL` (util-linux): the kernel kills it when the test
 *   process dies, even by SIGKILL, when no handler of ours can run;
 * - a reaper (this file run as a program, detached, one per test process) watches the test process
 *   and, the moment it is gone — however it ended, SIGKILL and jest included — stops every recorded
 *   group and removes the recorded scratch folders. It is what makes a run stopped from outside
 *   clean: jest runs test code with a copy of `process`, on which signal and exit handlers never
 *   fire (the orphaned control planes of issue 18: `process.on('exit')` registered in a test);
 * - SIGTERM, SIGINT and SIGHUP to a plain node test process kill every group, then the process dies
 *   of the same signal; a normal exit kills them too;
 * - each is recorded (pid and kernel start time) in `<cache>/running/<owner pid>.json` while it runs;
 *   the next harness that starts stops what a dead owner left behind (a record whose process still
 *   has the recorded start time, so a reused pid is never hit) and deletes the record;
 * - the scratch folders the harness makes (certificates, etcd data, logs, the git repositories) are
 *   recorded too (`trackDir`): removed with the processes on a signal, and by the next run when the
 *   owner died without a chance to (unless RINGS_CLUSTER_KEEP is set, which keeps them for reading).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as net from 'net';

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
  /** Scratch folders to remove with the processes. */
  readonly dirs?: readonly string[];
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
const dirs = new Set<string>();
let installed = false;

function recordFile(): string {
  return path.join(recordDir(), `${process.pid}.json`);
}

function writeRecord(): void {
  const file = recordFile();
  if (!live.size && !dirs.size) {
    fs.rmSync(file, { force: true });
    return;
  }
  const rec: OwnerRecord = { owner: process.pid, ownerStart: processStart(process.pid) ?? '', processes: [...live.values()].map((l) => l.rec), dirs: [...dirs].sort() };
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

/**
 * A scratch folder of this test process: removed by `killAllSync` and by the next run's
 * `reapLeftovers` when this process dies before `untrackDir`. Returns `dir`.
 */
export function trackDir(dir: string): string {
  installHandlers();
  startReaper();
  dirs.add(dir);
  writeRecord();
  return dir;
}

/** Removes a tracked scratch folder (unless RINGS_CLUSTER_KEEP is set) and forgets it. */
export function untrackDir(dir: string): void {
  if (!process.env.RINGS_CLUSTER_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
  writeRecord();
}

function removeDirs(list: Iterable<string>): void {
  if (process.env.RINGS_CLUSTER_KEEP) return;
  const tmp = path.resolve(os.tmpdir());
  for (const d of list) {
    // Only scratch folders under the temporary folder, whatever a record says.
    if (!path.resolve(d).startsWith(`${tmp}${path.sep}`)) continue;
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* gone or busy */
    }
  }
}

/** Kills every process this test process started and removes its scratch folders (synchronously: usable in exit and signal handlers). */
export function killAllSync(): void {
  for (const { rec } of live.values()) killGroup(rec.pid, 'SIGKILL');
  live.clear();
  removeDirs(dirs);
  dirs.clear();
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

/** Stops the processes and removes the folders of one owner's record (its processes that still have their recorded start time), and the record. */
function reapRecord(file: string, rec: OwnerRecord): ProcessRecord[] {
  const stopped: ProcessRecord[] = [];
  for (const p of rec.processes) {
    const start = processStart(p.pid);
    if (start !== undefined && start !== p.start) continue; // the pid belongs to another process now
    if (start !== undefined) stopped.push(p);
    // The group may outlive its leader; its id cannot be reused while it has members.
    killGroup(p.pid, 'SIGKILL');
  }
  removeDirs(rec.dirs ?? []);
  fs.rmSync(file, { force: true });
  return stopped;
}

function readRecord(file: string): OwnerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const ownerAlive = (pid: number, start: string) => processStart(pid) !== undefined && processStart(pid) === start;

/**
 * Stops what runs left behind: every recorded process whose owner is gone (or is another process
 * with the owner's pid) and that still has its recorded start time, and removes their folders.
 * Returns what was stopped.
 */
export function reapLeftovers(): ProcessRecord[] {
  const dir = recordDir();
  if (!fs.existsSync(dir)) return [];
  const stopped: ProcessRecord[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => /^\d+\.json$/.test(x))) {
    const file = path.join(dir, f);
    const rec = readRecord(file);
    if (!rec) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (rec.owner === process.pid || ownerAlive(rec.owner, rec.ownerStart)) continue;
    stopped.push(...reapRecord(file, rec));
  }
  return stopped;
}

let reaperStarted = false;

/** Starts this test process's reaper (once): a detached program that outlives it just long enough to clean up after it. */
function startReaper(): void {
  if (reaperStarted) return;
  reaperStarted = true;
  const owner = String(process.pid);
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'ts-register.js'), __filename, '--reap', owner, processStart(process.pid) ?? ''], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, RINGS_CLUSTER_CACHE: cacheDir() },
  });
  child.on('error', () => undefined);
  child.unref();
}

/** The reaper's loop: polls the owner twice a second; once it is gone, reaps its record and exits. */
function runReaper(owner: number, ownerStart: string): void {
  const file = path.join(recordDir(), `${owner}.json`);
  const tick = () => {
    if (ownerAlive(owner, ownerStart)) return void setTimeout(tick, 500);
    const rec = readRecord(file);
    if (rec && rec.owner === owner) reapRecord(file, rec);
    process.exit(0);
  };
  tick();
}

if (require.main === module && process.argv[2] === '--reap') runReaper(Number(process.argv[3]), process.argv[4] ?? '');

let reaped = false;

/**
 * Starts `command` supervised as above, stdout and stderr to `log`. The first call in a test process
 * also stops the leftovers of dead runs (and says so on stderr).
 */
export function startSupervised(name: string, command: string, args: readonly string[], options: { log: string; env?: NodeJS.ProcessEnv; cwd?: string }): Supervised {
  installHandlers();
  startReaper();
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

/** A free TCP port on loopback, for a process the harness starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs openssl in `dir` (the harness's own CAs and certificates), failing on its exit status. */
export function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * The last lines of each process's log (for a failure message) and one stop for all of them, which
 * then removes their scratch folder `dir`. `procs` may grow after the call (started one by one).
 */
export function processGroup(procs: readonly Supervised[], dir: string): { tail(lines?: number): string; stop(): Promise<void> } {
  let stopped = false;
  return {
    tail: (lines = 20) =>
      procs.map((p) => `--- ${p.name} (${p.exited() ? 'exited' : 'running'}) ${p.log}\n${fs.existsSync(p.log) ? fs.readFileSync(p.log, 'utf8').split('\n').slice(-lines).join('\n') : ''}`).join('\n'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.all(procs.map((p) => p.stop('SIGTERM', 10_000)));
      untrackDir(dir);
    },
  };
}
