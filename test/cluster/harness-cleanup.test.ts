/**
 * A cluster test run stopped from outside leaves nothing running: a test process with a whole
 * control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK), Flux's two
 * controllers and the git server is sent SIGTERM, as `timeout` sends it to `bash .ci/run`; every
 * process it started is gone and its record removed (the unit tests in test/harness/ cover SIGINT,
 * SIGHUP and SIGKILL with stand-in processes).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { clusterVersions } from './control-plane';
import { processStart } from './processes';

const REGISTER = path.join(__dirname, 'ts-register.js');
const CHILD = path.join(__dirname, 'fixtures', 'harness-child.ts');

test('SIGTERM to a test process running a control plane, Flux and the git server: every process it started is gone, the record removed', async () => {
  const version = clusterVersions().kube[0];
  const proc = spawn(process.execPath, ['-r', REGISTER, CHILD, version], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_c, s) => resolve(s)));
  const report = await new Promise<{ pids: number[]; names: string[]; recordDir: string }>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    proc.on('exit', () => reject(new Error(`the harness exited before it was up:\n${err}`)));
  });
  expect(report.names).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
  // Five control-plane processes, two Flux controllers, the git server.
  expect(report.pids).toHaveLength(8);
  const record = path.join(report.recordDir, `${proc.pid}.json`);
  expect(JSON.parse(fs.readFileSync(record, 'utf8')).processes.map((p: { pid: number }) => p.pid).sort((a: number, b: number) => a - b)).toEqual(report.pids);
  proc.kill('SIGTERM');
  expect(await exited).toBe('SIGTERM');
  const deadline = Date.now() + 15_000;
  let alive = report.pids.filter((p) => processStart(p) !== undefined);
  while (alive.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter((p) => processStart(p) !== undefined);
  }
  expect(alive).toEqual([]);
  expect(fs.existsSync(record)).toBe(false);
}, 5 * 60_000);
