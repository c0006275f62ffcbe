/** The compiled CLI against a scratch copy of the example registry, for the metric-check tests. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function assertBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, 'build/src/cli/run.js'))) throw new Error('build first: npm run build (npm test does it)');
}

const dirs: string[] = [];
export function removeWorkspaces(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export interface Workspace {
  readonly dir: string;
  readonly reg: string;
  file(rel: string): string;
  write(rel: string, text: string): void;
  history(): Record<string, any>[];
  historyText(): string;
}

/** A fresh copy of rings/ in a temporary folder (the commands run there, so `./rings` is it). */
export function workspace(): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-analysis-'));
  dirs.push(dir);
  fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
  const reg = path.join(dir, 'rings');
  const historyText = () => fs.readFileSync(path.join(reg, 'history.jsonl'), 'utf8');
  return {
    dir,
    reg,
    file: (rel) => fs.readFileSync(path.join(reg, rel), 'utf8'),
    write: (rel, text) => fs.writeFileSync(path.join(reg, rel), text),
    historyText,
    history: () => historyText().trim().split('\n').map((l) => JSON.parse(l)),
  };
}

/**
 * Runs `rings <args>` without blocking the event loop (a test's own loopback server, such as the
 * token proxy, must keep answering meanwhile). RINGS_PROMETHEUS_TOKEN is never inherited.
 */
export function rings(cwd: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete e.RINGS_PROMETHEUS_TOKEN;
  delete e.RINGS_CRASH_AFTER;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
