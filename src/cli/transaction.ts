/**
 * Safe registry edits: an exclusive lock file (`.lock`, created with O_EXCL) so two commands never
 * interleave, and a write-ahead journal (`.pending.json`) so an interrupted command never leaves a
 * file edit without its history line or the other way round.
 *
 * Commit order: journal (temp + rename) → each file (temp + rename) → history append (+ fsync) →
 * journal removal. A leftover journal means the process died after deciding the change; the next
 * mutating command rolls it forward (every step is idempotent) before doing anything else.
 *
 * A change may record several history lines (a release train: one line per item), appended in one
 * write after every file is in place; roll-forward appends those not yet there, in order, so a
 * crash anywhere leaves either none of the change or, after recovery, all of it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HISTORY_FILE } from '../operate/history';

export const LOCK_FILE = '.lock';
export const JOURNAL_FILE = '.pending.json';

export interface Journal {
  /** 1: one history line (a string); 2: several (an array), which an older rings refuses rather than misreads. */
  readonly version: 1 | 2;
  readonly pid: number;
  /** Registry-relative path → full new content. */
  readonly files: Readonly<Record<string, string | null>>;
  /** The history line(s) to append, without newlines. */
  readonly history: string | readonly string[];
}

/** The journal's history lines. */
export function journalLines(j: Pick<Journal, 'history'>): readonly string[] {
  return typeof j.history === 'string' ? [j.history] : j.history;
}

export type Step = 'journal' | 'edit' | 'history';

/** Called after each step; the CLI uses it for the test-only crash hook (`RINGS_CRASH_AFTER`). */
export type StepHook = (step: Step) => void;

export class LockedError extends Error {
  constructor(readonly pid: number | undefined) {
    super(`another rings command is running (pid ${pid ?? 'unknown'}); wait for it to finish, or remove .lock in the registry if no rings command is running`);
    this.name = 'LockedError';
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** Writes a file via a temporary sibling and rename: readers see the old or the new content, never half. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface LockOptions {
  /** A lock older than this is stale even if its pid is alive (pid reuse). @default 600000 (10 min) */
  readonly staleMs?: number;
  /** How long to wait for a running command before refusing. @default 3000 */
  readonly waitMs?: number;
}

/**
 * Takes the registry lock; returns the release function. A lock whose process is gone, or older
 * than `staleMs`, is taken over. Waits up to `waitMs` for a live holder, then refuses.
 */
export function acquireLock(dir: string, opts: LockOptions = {}): () => void {
  const file = path.join(dir, LOCK_FILE);
  const staleMs = opts.staleMs ?? 600_000;
  const deadline = Date.now() + (opts.waitMs ?? 3000);
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + '\n');
      fs.closeSync(fd);
      return () => {
        try {
          fs.unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: number | undefined;
    let stale = false;
    try {
      const st = fs.statSync(file);
      const text = fs.readFileSync(file, 'utf8');
      const parsed = JSON.parse(text) as { pid?: unknown };
      holder = typeof parsed.pid === 'number' ? parsed.pid : undefined;
      stale = Date.now() - st.mtimeMs > staleMs || holder === undefined || !pidAlive(holder);
    } catch {
      // Vanished between open and read (released: retry at once), or half-written by a holder
      // that is creating it right now (retry after a moment).
      if (!fs.existsSync(file)) continue;
      const st = fs.statSync(file, { throwIfNoEntry: false });
      stale = st !== undefined && Date.now() - st.mtimeMs > 2000;
    }
    if (stale) {
      // Take over by renaming: only one contender wins the rename, the others retry the O_EXCL create.
      const grave = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, grave);
        fs.unlinkSync(grave);
      } catch {
        // Someone else took it over first.
      }
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(holder);
    sleep(50);
  }
}

function appendHistoryLines(dir: string, lines: readonly string[]): void {
  const file = path.join(dir, HISTORY_FILE);
  let existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // A torn last line (crash mid-append) is cut off first; roll-forward must not append a line twice.
  if (existing.length > 0 && !existing.endsWith('\n')) {
    existing = existing.slice(0, existing.lastIndexOf('\n') + 1);
    fs.truncateSync(file, Buffer.byteLength(existing));
  }
  const present = new Set(existing.split('\n'));
  const missing = lines.filter((l) => !present.has(l));
  if (missing.length === 0) return;
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, missing.map((l) => `${l}\n`).join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function applyJournal(dir: string, j: Journal, hook: StepHook): void {
  for (const rel of Object.keys(j.files).sort()) {
    const target = path.join(dir, rel);
    const content = j.files[rel];
    // null removes the file (a retired ring's files).
    if (content === null) {
      if (fs.existsSync(target)) fs.unlinkSync(target);
    } else if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== content) writeFileAtomic(target, content);
  }
  hook('edit');
  appendHistoryLines(dir, journalLines(j));
  hook('history');
  fs.unlinkSync(path.join(dir, JOURNAL_FILE));
  fsyncDir(dir);
}

/**
 * Writes the journal, then the files, then the history line(s); removes the journal last. Call with
 * the lock held. Several lines (a train) are one transaction: all of them or, before the journal is
 * in place, none.
 */
export function commit(dir: string, files: Readonly<Record<string, string | null>>, history: string | readonly string[], hook: StepHook = () => {}): void {
  for (const rel of Object.keys(files)) {
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw new Error(`refusing to write "${rel}" outside the registry`);
  }
  if (typeof history !== 'string' && history.length === 0) throw new Error('a change records at least one history line');
  const journal: Journal =
    typeof history === 'string' || history.length === 1
      ? { version: 1, pid: process.pid, files, history: typeof history === 'string' ? history : history[0] }
      : { version: 2, pid: process.pid, files, history: [...history] };
  writeFileAtomic(path.join(dir, JOURNAL_FILE), `${JSON.stringify(journal)}\n`);
  hook('journal');
  applyJournal(dir, journal, hook);
}

/**
 * While a journal from an interrupted command exists, the registry is half-changed: `rings check`,
 * `rings synth` and `npm run synth` refuse with this one line (naming the command and `rings
 * recover`) instead of rendering it. Undefined when there is no journal.
 */
export function pendingJournalRefusal(dir: string): string | undefined {
  const file = path.join(dir, JOURNAL_FILE);
  if (!fs.existsSync(file)) return undefined;
  let what = 'a rings command';
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
    const lines = journalLines(j);
    const e = JSON.parse(lines[0]) as Record<string, unknown>;
    const subject = e.image !== undefined ? `image ${String(e.image)}` : String(e.module ?? e.tenant ?? e.to ?? '');
    what =
      lines.length > 1
        ? `\`rings ${String(e.action)} --${e.action === 'rollback' ? 'train' : 'all'}\` (train ${String(e.train)}, ${lines.length} changes, ring ${String(e.to)})`
        : `\`rings ${String(e.action)} ${subject}\`${e.to !== undefined ? ` (ring ${String(e.to)})` : ''}`;
  } catch {
    // An unreadable journal still blocks: recover reports it.
  }
  return `an interrupted ${what} left its journal ${file}: the registry may be half-changed; run rings recover to complete it first`;
}

/**
 * Rolls a leftover journal forward. Returns the history line it completed (several: one per line,
 * joined by newlines), or undefined when there was nothing to recover. Call with the lock held. A journal that cannot be read (a crash while
 * writing its temp file never produces one: it is renamed into place whole) is reported, not guessed at.
 */
export function recover(dir: string): string | undefined {
  const file = path.join(dir, JOURNAL_FILE);
  if (!fs.existsSync(file)) return undefined;
  let j: Journal;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
  } catch {
    throw new Error(`${file} is unreadable; inspect it, restore the registry from git if needed, then delete it`);
  }
  const ok =
    j !== null &&
    typeof j.files === 'object' &&
    ((j.version === 1 && typeof j.history === 'string') ||
      (j.version === 2 && Array.isArray(j.history) && j.history.length > 0 && j.history.every((l) => typeof l === 'string')));
  if (!ok) throw new Error(`${file} is not a journal this version of rings understands; inspect it and delete it`);
  applyJournal(dir, j, () => {});
  return journalLines(j).join('\n');
}
