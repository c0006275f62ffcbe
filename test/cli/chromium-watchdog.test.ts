/**
 * The Chromium tests' watchdog (test/support/chromium.ts): whatever way the test process ends — even
 * SIGKILL, where no exit handler runs — the browser's whole process group is killed. Shown with a
 * child process that starts a long `sleep` under the same watchdog and is then killed outright.
 */
import { spawn, spawnSync } from 'child_process';
import { WATCHDOG } from '../support/chromium';

const alive = (pgid: number) => spawnSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

test('the process group dies with the process that started it, even when that one is SIGKILLed', async () => {
  const code = `const { spawn } = require('child_process');
    const p = spawn('bash', ['-c', ${JSON.stringify(WATCHDOG)}, 'sleep', '300'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    process.stdout.write(String(p.pid) + '\\n'); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pgid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  // Generous deadlines: the loops end as soon as the condition holds; a loaded CI machine is slow to fork.
  const deadline = Date.now() + 30_000;
  while (alive(pgid).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pgid).length).toBeGreaterThanOrEqual(2); // bash and sleep
  parent.kill('SIGKILL');
  const gone = Date.now() + 30_000;
  while (alive(pgid).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pgid)).toEqual([]);
}, 90_000);
