/**
 * The bad-input corpus as data: lists the cases, materializes one (base registry + its overlay) into
 * a folder, hashes folders, and runs the CLI. Used by corpus.test.ts; kept apart so a CLI test
 * (`rings check`, `rings synth`) can run the same corpus.
 *
 * A case is a folder `<NN-short-name>/` holding only what differs from `_base/`:
 * - any registry file (`platform.toml`, `edge.toml`, `locks/edge.lock.json`, …): copied over the base;
 * - `expected.txt`: the exact problem lines, paths relative to the folder holding the registry (`rings/…`);
 * - `remove.txt` (optional): base paths to delete (before the overlay is copied), one a line; `.` deletes
 *   the registry folder itself;
 * - `case.json` (optional): `generate` steps for bytes that must not be committed (huge files, BOM,
 *   CRLF, invalid UTF-8) and `mustNotEcho`, values that must appear nowhere in the output.
 * Valid edge cases live in `valid/<name>/` with the same layout and no `expected.txt`.
 */
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const CORPUS_DIR = __dirname;
export const BASE_DIR = path.join(CORPUS_DIR, '_base');
export const VALID_DIR = path.join(CORPUS_DIR, 'valid');
export const REPO_ROOT = path.resolve(CORPUS_DIR, '..', '..');

/** Name of the registry folder inside each case's temp folder: expected lines start with it. */
export const REGISTRY = 'rings';
/** Name of the output folder inside each case's temp folder, pre-filled with sentinel files. */
export const OUT = 'dist';

/**
 * The command run over every case, from the case's temp folder, as whitespace-separated words;
 * `{root}`, `{registry}` and `{out}` are replaced after splitting. RINGS_REGISTRY and RINGS_OUT are
 * always set too. For the `rings` CLI, set it (or RINGS_BAD_INPUT_COMMAND) to
 * `node {root}/bin/rings.js synth --registry {registry} --out {out}`.
 */
export const CLI_COMMAND = process.env.RINGS_BAD_INPUT_COMMAND ?? 'node {root}/bin/rings.js synth --registry {registry} --out {out}';

/** The last stderr line after the problem lines (as src/bin/report-failure.ts writes it). */
export const summaryLine = (problems: number): string => `${problems} problem${problems === 1 ? '' : 's'} found; nothing was written`;

const META_FILES = new Set(['expected.txt', 'remove.txt', 'case.json']);

export interface GenerateStep {
  /** Registry-relative path written (or transformed). */
  readonly file: string;
  /** Writes `head`, then `line` repeated until the file has at least `bytes` bytes. */
  readonly repeat?: { readonly head?: string; readonly line: string; readonly bytes: number };
  /** Writes these exact bytes. */
  readonly base64?: string;
  /** Writes a lock file of this many modules (`m00001`: "1.0.0", …). */
  readonly lockModules?: number;
  /** Prefixes the file's current content with a UTF-8 byte order mark. */
  readonly bom?: boolean;
  /** Rewrites the file's current line endings as CRLF. */
  readonly crlf?: boolean;
}

export interface CaseMeta {
  readonly generate?: readonly GenerateStep[];
  /** Secret values the case contains: neither they nor any 8-character part of them may be printed. */
  readonly mustNotEcho?: readonly string[];
}

export interface CorpusCase {
  readonly name: string;
  readonly dir: string;
  /** Undefined for valid cases. */
  readonly expected?: readonly string[];
  readonly meta: CaseMeta;
}

function readCase(dir: string, valid: boolean): CorpusCase {
  const metaFile = path.join(dir, 'case.json');
  const meta: CaseMeta = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, 'utf8')) : {};
  const expectedFile = path.join(dir, 'expected.txt');
  // A missing expected.txt reads as no lines, which the corpus test reports for that case.
  const expected = valid ? undefined : fs.existsSync(expectedFile) ? fs.readFileSync(expectedFile, 'utf8').split('\n').filter((l) => l !== '') : [];
  return { name: path.basename(dir), dir, expected, meta };
}

/** Every bad case (`NN-name/` folders), in order. */
export function badCases(): CorpusCase[] {
  return fs
    .readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d{2,3}-[a-z0-9-]+$/.test(e.name))
    .map((e) => readCase(path.join(CORPUS_DIR, e.name), false))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every valid edge case (`valid/<name>/`), plus the base itself. */
export function validCases(): CorpusCase[] {
  const named = fs
    .readdirSync(VALID_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => readCase(path.join(VALID_DIR, e.name), true));
  return [{ name: 'base', dir: BASE_DIR, meta: {} }, ...named.sort((a, b) => a.name.localeCompare(b.name))];
}

/** Files of a folder, recursively, as relative paths. */
export function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else out.push(r);
  }
  return out.sort();
}

/** The overlay files of a case: everything but its meta files. */
export function overlayFiles(c: CorpusCase): string[] {
  if (c.dir === BASE_DIR) return [];
  return filesUnder(c.dir).filter((f) => !META_FILES.has(f));
}

/**
 * Builds the case in `into`: `into/rings` (base + overlay − removals + generated bytes) and `into/dist`
 * holding sentinel files. Returns the registry folder.
 */
export function materialize(c: CorpusCase, into: string): string {
  const reg = path.join(into, REGISTRY);
  fs.cpSync(BASE_DIR, reg, { recursive: true });
  // Removals first, so an overlay can put a folder where the base has a file.
  const removeFile = path.join(c.dir, 'remove.txt');
  if (c.dir !== BASE_DIR && fs.existsSync(removeFile)) {
    for (const line of fs.readFileSync(removeFile, 'utf8').split('\n').map((l) => l.trim())) {
      if (line) fs.rmSync(line === '.' ? reg : path.join(reg, line), { recursive: true, force: true });
    }
  }
  for (const f of overlayFiles(c)) {
    fs.mkdirSync(path.dirname(path.join(reg, f)), { recursive: true });
    fs.copyFileSync(path.join(c.dir, f), path.join(reg, f));
  }
  for (const step of c.meta.generate ?? []) generate(path.join(reg, step.file), step);
  const out = path.join(into, OUT);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'sentinel.yaml'), '# written before the run; must survive a failed run unchanged\n');
  fs.writeFileSync(path.join(out, 'kustomization.yaml'), 'resources:\n  - sentinel.yaml\n');
  return reg;
}

function generate(file: string, s: GenerateStep): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (s.repeat) {
    const head = Buffer.from(s.repeat.head ?? '');
    const line = Buffer.from(s.repeat.line);
    const count = Math.max(0, Math.ceil((s.repeat.bytes - head.length) / line.length));
    const buf = Buffer.alloc(head.length + count * line.length);
    head.copy(buf);
    for (let i = 0; i < count; i++) line.copy(buf, head.length + i * line.length);
    fs.writeFileSync(file, buf);
  } else if (s.base64 !== undefined) {
    fs.writeFileSync(file, Buffer.from(s.base64, 'base64'));
  } else if (s.lockModules !== undefined) {
    const lock: Record<string, string> = {};
    for (let i = 1; i <= s.lockModules; i++) lock[`m${String(i).padStart(6, '0')}`] = '1.0.0';
    fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  }
  if (s.crlf) fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\r?\n/g, '\r\n'));
  if (s.bom) fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(file)]));
}

/** sha256 of every file and the list of every folder under `dir` (empty when it does not exist). */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out[`${r}/`] = 'dir';
        walk(r);
      } else {
        out[r] = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex');
      }
    }
  };
  walk('');
  return out;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs CLI_COMMAND from `cwd` over `cwd/rings`, writing to `cwd/dist`. */
export function runCli(cwd: string): Promise<RunResult> {
  const words = CLI_COMMAND.trim()
    .split(/\s+/)
    .map((w) => w.replace(/\{root\}/g, REPO_ROOT).replace(/\{registry\}/g, REGISTRY).replace(/\{out\}/g, OUT));
  const env: NodeJS.ProcessEnv = { ...process.env, RINGS_REGISTRY: REGISTRY, RINGS_OUT: OUT };
  delete env.RINGS_DEBUG;
  delete env.CDK8S_OUTDIR;
  return new Promise((resolve, reject) => {
    const child = spawn(words[0], words.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Lines that betray a stack trace or an unhandled exception. */
export const STACK_PATTERNS: readonly RegExp[] = [/^\s+at /, /\bError:/, /node:internal/, /\.(js|ts):\d+/, /^\s*\^\s*$/, /Unhandled|uncaught/i];

/** Every 8-character part of a secret: none may be printed. */
export function secretFragments(secret: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= secret.length; i++) out.push(secret.slice(i, i + size));
  return out;
}
