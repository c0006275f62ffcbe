/**
 * A real Prometheus for the metric-check tests: Debian's `prometheus` 2.42 over data backfilled with
 * its own `promtool tsdb create-blocks-from openmetrics` before it starts (blocks written into a
 * running server appear only after about a minute), no scrape jobs (the head block stays empty), a
 * long retention (no backfilled block is dropped), listening on a free loopback port. It runs in its
 * own process group, killed when the test file ends and on every exit path of the test process,
 * signals included; one left by a test process killed outright is stopped by the next start.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface RunningPrometheus {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let hooked = false;

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (p.pid !== undefined) process.kill(-p.pid, signal);
  } catch {
    /* already gone */
  }
}

/** Kills every Prometheus still running when the process exits or is told to stop. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => running.forEach((p) => killGroup(p, 'SIGKILL')));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      running.forEach((p) => killGroup(p, 'SIGKILL'));
      process.kill(process.pid, sig);
    });
  }
}

/** Where each started Prometheus is recorded (its pid → the test process that owns it), to stop leftovers. */
const RECORDS = path.join(os.tmpdir(), 'rings-prometheus-pids');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A test process killed with SIGKILL cannot stop its Prometheus: the next start stops every recorded
 * one whose owner is gone (and that is still one of ours), and forgets it.
 */
function stopLeftovers(): void {
  if (!fs.existsSync(RECORDS)) return;
  for (const f of fs.readdirSync(RECORDS)) {
    const pid = Number(f);
    const owner = Number(fs.readFileSync(path.join(RECORDS, f), 'utf8'));
    if (alive(owner)) continue;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      /* gone */
    }
    if (cmdline.includes('prometheus') && cmdline.includes('rings-prometheus-')) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
    fs.rmSync(path.join(RECORDS, f), { force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function need(cmd: string): void {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`${cmd} is not installed: apt-get install -y --no-install-recommends prometheus (.ci/run does it where it is missing)`);
  }
}

/** Backfills `openmetrics` (an OpenMetrics text ending in `# EOF`) and starts Prometheus over it. */
export async function startPrometheus(openmetrics: string): Promise<RunningPrometheus> {
  need('promtool');
  need('prometheus');
  hookExit();
  stopLeftovers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-prometheus-'));
  const data = path.join(dir, 'data');
  const input = path.join(dir, 'backfill.om');
  fs.writeFileSync(input, openmetrics);
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { stdio: ['ignore', 'ignore', 'pipe'] });
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'prometheus.log'), 'a');
  const child = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=3650d', '--log.level=warn'],
    { detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  running.add(child);
  fs.mkdirSync(RECORDS, { recursive: true });
  const record = path.join(RECORDS, String(child.pid));
  fs.writeFileSync(record, String(process.pid));
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
    running.delete(child);
    fs.rmSync(record, { force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      killGroup(child, 'SIGTERM');
      const t0 = Date.now();
      while (exited === undefined && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      if (exited === undefined) killGroup(child, 'SIGKILL');
    }
    running.delete(child);
    if (!process.env.RINGS_PROMETHEUS_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };
  const t0 = Date.now();
  for (;;) {
    if (exited !== undefined) throw new Error(`prometheus exited (${exited}) before it was ready: ${fs.readFileSync(path.join(dir, 'prometheus.log'), 'utf8').slice(-2000)}`);
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > 30_000) {
      await stop();
      throw new Error('prometheus was not ready after 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, dir, stop };
}

/** One series of samples, for `openMetrics`. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** [unix seconds, value], in time order. */
  readonly samples: readonly (readonly [number, number])[];
}

const labelText = (l: Readonly<Record<string, string>>) =>
  `{${Object.keys(l)
    .sort()
    .map((k) => `${k}="${l[k]}"`)
    .join(',')}}`;

/**
 * OpenMetrics as promtool backfills it: `# TYPE <family> counter` (the family without `_total`, the
 * samples with it), each series' samples together and in time order, timestamps in seconds, `# EOF`.
 */
export function counterFamily(family: string, series: readonly Series[]): string {
  const lines = [`# TYPE ${family} counter`];
  for (const s of series) for (const [t, v] of s.samples) lines.push(`${family}_total${labelText(s.labels)} ${v} ${t}`);
  return `${lines.join('\n')}\n`;
}

/** A histogram family: per timestamp, every bucket (cumulative, ascending le, +Inf last), _count and _sum. */
export function histogramFamily(family: string, labels: Readonly<Record<string, string>>, points: readonly { t: number; buckets: readonly (readonly [string, number])[]; sum: number }[]): string {
  const lines = [`# TYPE ${family} histogram`];
  for (const p of points) {
    for (const [le, v] of p.buckets) lines.push(`${family}_bucket${labelText({ ...labels, le })} ${v} ${p.t}`);
    lines.push(`${family}_count${labelText(labels)} ${p.buckets[p.buckets.length - 1][1]} ${p.t}`);
    lines.push(`${family}_sum${labelText(labels)} ${p.sum} ${p.t}`);
  }
  return `${lines.join('\n')}\n`;
}
