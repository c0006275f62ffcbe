/**
 * A cluster test run stopped from outside leaves nothing running: jest running a cluster test with a
 * whole control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK), Flux's
 * two controllers and the git server gets SIGTERM on its whole process group, as `timeout` sends it
 * to `bash .ci/run` and its children. Every process it started is gone within seconds, its scratch
 * folders and its record removed (test/harness/ covers SIGINT, SIGHUP, SIGKILL and the next run's
 * reaping with stand-in processes).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterVersions } from './control-plane';
import { processStart } from './processes';

const ROOT = path.resolve(__dirname, '..', '..');

test('SIGTERM to the process group of a jest run with a control plane, Flux and the git server up: every process it started is gone, its scratch folders and record removed', async () => {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rings-harness-cleanup-')), 'report.json');
  const jest = spawn(process.execPath, [path.join(ROOT, 'node_modules', '.bin', 'jest'), '-c', path.join(ROOT, 'jest.cluster.config.js'), '--testMatch', '**/fixtures/harness-child.jest.ts', '--ci'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RINGS_HARNESS_REPORT: report, RINGS_HARNESS_VERSION: clusterVersions().kube[0] },
  });
  let out = '';
  jest.stdout!.on('data', (d) => (out += d));
  jest.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => jest.on('exit', () => resolve()));
  try {
    const deadline = Date.now() + 4 * 60_000;
    while (!fs.existsSync(report)) {
      if (jest.exitCode !== null || Date.now() > deadline) throw new Error(`the harness did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 200));
    const up: { pids: number[]; names: string[]; dirs: string[]; record: string } = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(up.names).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
    // Five control-plane processes, two Flux controllers, the git server.
    expect(up.pids).toHaveLength(8);
    expect(up.pids.every((p) => processStart(p) !== undefined)).toBe(true);
    expect(up.dirs.every((d) => fs.existsSync(d)) && fs.existsSync(up.record)).toBe(true);
    process.kill(-jest.pid!, 'SIGTERM');
    await exited;
    const gone = Date.now() + 20_000;
    const state = () => ({ alive: up.pids.filter((p) => processStart(p) !== undefined), dirs: up.dirs.filter((d) => fs.existsSync(d)), record: fs.existsSync(up.record) });
    while (JSON.stringify(state()) !== JSON.stringify({ alive: [], dirs: [], record: false }) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(state()).toEqual({ alive: [], dirs: [], record: false });
  } finally {
    try {
      process.kill(-jest.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    fs.rmSync(path.dirname(report), { recursive: true, force: true });
  }
}, 6 * 60_000);
