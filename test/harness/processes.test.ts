/**
 * A cluster test run stopped from outside leaves nothing running (test/cluster/processes.ts): a
 * stand-in test process starts supervised processes the way the harness starts etcd, the
 * Kubernetes components, KWOK, Flux and the git server, and is then stopped — SIGTERM, SIGINT,
 * SIGHUP, or SIGKILL (no handler can run: the kernel's parent-death signal stops the children, and
 * the next run stops what is left from the record). Real processes, real signals.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { processStart, reapLeftovers } from '../cluster/processes';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test', 'cluster', 'ts-register.js');
const CHILD = path.join(__dirname, 'fixtures', 'supervise-child.ts');

interface Started {
  readonly proc: ChildProcess;
  readonly children: number[];
  readonly grandchild: number;
  readonly record: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function scratch(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-processes-'));
  dirs.push(d);
  return d;
}

async function startChild(cache: string, work: string): Promise<Started> {
  const proc = spawn(process.execPath, ['-r', REGISTER, CHILD, work], { env: { ...process.env, RINGS_CLUSTER_CACHE: cache }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    proc.on('exit', () => reject(new Error(`the stand-in exited before it reported: ${out}`)));
  });
  return { proc, exited, ...JSON.parse(line) };
}

const alive = (pid: number) => processStart(pid) !== undefined && !/^Z/.test(stateOf(pid));
function stateOf(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return '';
  }
}
async function gone(pids: readonly number[], ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

describe('every process the cluster harness starts dies with the run', () => {
  test.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s to the test process: every supervised process and what it forked is gone, the record removed, and the test process dies of that signal', async (signal) => {
    const cache = scratch();
    const s = await startChild(cache, scratch());
    const recorded = JSON.parse(fs.readFileSync(s.record, 'utf8'));
    expect(recorded.processes.map((p: { pid: number }) => p.pid).sort()).toEqual([...s.children].sort());
    expect([...s.children, s.grandchild].filter(alive)).toHaveLength(4);
    s.proc.kill(signal);
    expect(await s.exited).toEqual({ code: null, signal });
    expect(await gone([...s.children, s.grandchild])).toEqual([]);
    expect(fs.existsSync(s.record)).toBe(false);
  });

  test('SIGKILL to the test process (no handler runs): the kernel stops its children (parent-death signal); the next run stops what they forked, from the record, and removes it', async () => {
    const cache = scratch();
    const s = await startChild(cache, scratch());
    s.proc.kill('SIGKILL');
    await s.exited;
    expect(await gone(s.children)).toEqual([]);
    // What a child forked outlives it; the record is still there for the next run.
    expect(alive(s.grandchild)).toBe(true);
    expect(fs.existsSync(s.record)).toBe(true);
    const prev = process.env.RINGS_CLUSTER_CACHE;
    process.env.RINGS_CLUSTER_CACHE = cache;
    try {
      reapLeftovers();
    } finally {
      if (prev === undefined) delete process.env.RINGS_CLUSTER_CACHE;
      else process.env.RINGS_CLUSTER_CACHE = prev;
    }
    expect(await gone([s.grandchild])).toEqual([]);
    expect(fs.existsSync(s.record)).toBe(false);
  });

  test('the next run never stops a process that only has a recorded pid: another start time means another process; a live owner\'s record is left alone', async () => {
    const cache = scratch();
    const bystander = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    try {
      const running = path.join(cache, 'running');
      fs.mkdirSync(running, { recursive: true });
      // A dead owner whose recorded process had another start time than the process now holding the pid.
      const deadOwner = spawnSync('true').pid!;
      fs.writeFileSync(path.join(running, `${deadOwner}.json`), JSON.stringify({ owner: deadOwner, ownerStart: '1', processes: [{ pid: bystander.pid, start: '1', name: 'etcd', command: 'etcd' }] }));
      // A live owner (this test process) with its real start time.
      const liveFile = path.join(running, `${process.ppid}.json`);
      fs.writeFileSync(liveFile, JSON.stringify({ owner: process.ppid, ownerStart: processStart(process.ppid), processes: [{ pid: bystander.pid, start: processStart(bystander.pid!), name: 'kwok', command: 'kwok' }] }));
      const prev = process.env.RINGS_CLUSTER_CACHE;
      process.env.RINGS_CLUSTER_CACHE = cache;
      let stopped;
      try {
        stopped = reapLeftovers();
      } finally {
        if (prev === undefined) delete process.env.RINGS_CLUSTER_CACHE;
        else process.env.RINGS_CLUSTER_CACHE = prev;
      }
      expect(stopped).toEqual([]);
      expect(alive(bystander.pid!)).toBe(true);
      expect(fs.existsSync(path.join(running, `${deadOwner}.json`))).toBe(false);
      expect(fs.existsSync(liveFile)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
