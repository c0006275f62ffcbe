/**
 * `--commit` for every mutating command: before the change, make sure the work tree is a git
 * repository whose only uncommitted changes (if any) are under the registry and dist/, and that git
 * knows who commits; after the change, synthesize dist/, stage the registry and dist/, and commit
 * with a conventional message:
 *
 *   promote(edge): orders 1.5.0 → 1.6.0
 *   assign(canary): acme ← stable
 *   rollback(canary): orders 1.6.1 → 1.6.0
 *   promote(edge): 5 changes from canary          (a release train: one body line per change)
 *
 * the reason as the body, and the history line's identity (actor and time) as trailers. A command
 * hooks in by adding COMMIT_FLAGS to its flags and passing `commitHooks(ctx, args)` to `mutate`; a
 * new history action gets its subject from SUBJECTS (or the generic `<action>(<ring>)`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthToDir } from '../render/pipeline';
import { boolFlag, FlagKind, ParsedArgs, stringFlag, UsageError } from './args';
import type { Ctx, MutateHooks } from './context';
import { CliError } from './context';
import type { HistoryEntry } from '../operate/history';
import { JOURNAL_FILE, LOCK_FILE } from './transaction';

/** The flags a command takes to support --commit: `--commit` and `--dist DIR` (default dist). */
export const COMMIT_FLAGS: Readonly<Record<string, FlagKind>> = { commit: 'boolean', dist: 'string' };

/** The usage fragment for those flags. */
export const COMMIT_USAGE = '[--commit [--dist DIR]]';

/** One line for a command's --help. */
export const COMMIT_HELP =
  '--commit: then synthesize --dist (default dist/), stage the registry and dist/ and git-commit them with a conventional message (the reason as body, actor and time as trailers); refused when the tree has other uncommitted changes.';

type Subject = (e: HistoryEntry) => string;

const none = (v: string | null | undefined, what = '(none)') => v ?? what;

/** A pin change: `orders 1.5.0 → 1.6.0`, `image api <ref> → <ref>` (an image without a pin of its own runs the platform default). */
function change(e: HistoryEntry): string {
  if (e.image !== undefined) return `image ${e.image} ${none(e.previous, '(platform default)')} → ${none(e.new, '(platform default)')}`;
  return `${e.module} ${none(e.previous)} → ${none(e.new, '(removed)')}`;
}

/** Commit subjects by history action. Add one here for a new action; others get `<action>(<ring>)`. */
export const SUBJECTS: Record<string, Subject> = {
  promote: (e) => `promote(${e.to}): ${change(e)}`,
  assign: (e) => `assign(${e.to}): ${e.tenant} ← ${none(e.from, '(new)')}`,
  rollback: (e) => `rollback(${e.to}): ${change(e)}`,
};

export function commitMessage(e: HistoryEntry): string {
  const subject = (SUBJECTS[e.action] ?? ((x: HistoryEntry) => `${x.action}(${x.to})`))(e);
  const body: string[] = [];
  if (e.reason) body.push(e.reason.trim());
  if (e.gates_waived.length) body.push(`Gates waived (--emergency): ${e.gates_waived.join(', ')}.`);
  const trailers = [`Rings-Actor: ${oneLine(e.actor)}`, `Rings-Time: ${e.time}`];
  return [subject, ...body, trailers.join('\n')].join('\n\n') + '\n';
}

/**
 * A release train's one commit: `promote(edge): 5 changes from canary` (`rollback(edge): 5 changes of
 * train <id>`), one body line per change, the reason, the waivers per item, and the train id as a trailer.
 */
export function trainCommitMessage(entries: readonly HistoryEntry[]): string {
  const first = entries[0];
  const n = `${entries.length} change${entries.length === 1 ? '' : 's'}`;
  const subject = first.action === 'rollback' ? `rollback(${first.to}): ${n} of train ${first.rolls_back}` : `${first.action}(${first.to}): ${n} from ${first.from}`;
  const body = [entries.map(change).join('\n')];
  if (first.reason) body.push(first.reason.trim());
  const waived = entries.filter((e) => e.gates_waived.length).map((e) => `${e.image !== undefined ? `image ${e.image}` : e.module}: ${e.gates_waived.join(', ')}`);
  if (waived.length) body.push(`Gates waived (--emergency): ${waived.join('; ')}.`);
  const trailers = [`Rings-Actor: ${oneLine(first.actor)}`, `Rings-Time: ${first.time}`, `Rings-Train: ${first.train}`];
  if (first.rolls_back) trailers.push(`Rings-Rolls-Back: ${first.rolls_back}`);
  return [subject, ...body, trailers.join('\n')].join('\n\n') + '\n';
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync('git', args, { cwd, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new CliError('refused: --commit needs git, which is not installed; nothing was written');
    const msg = (err.stderr ?? String(e)).trim().split('\n').filter(Boolean).pop() ?? 'failed';
    throw new GitError(`git ${args[0]}: ${msg}`);
  }
}

class GitError extends Error {}

/** `path` relative to the repository root, with a trailing slash (`rings/`), or undefined when outside it. */
function under(root: string, p: string): string | undefined {
  const rel = path.relative(root, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel === '' ? '' : `${rel.split(path.sep).join('/')}/`;
}

interface Preflight {
  readonly root: string;
  readonly registry: string;
  readonly dist: string;
}

/** Throws CliError (nothing written yet) unless --commit can succeed. */
export function preflight(registryDir: string, distDir: string): Preflight {
  const registry = path.resolve(registryDir);
  const dist = path.resolve(distDir);
  let root: string;
  try {
    root = git(registry, ['rev-parse', '--show-toplevel']).trim();
  } catch (e) {
    if (e instanceof GitError) throw new CliError(`refused: --commit needs the registry in a git work tree, and ${registryDir} is not in one; nothing was written`);
    throw e;
  }
  // realpath: git prints the resolved top level (/tmp may be a link).
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  const regRel = under(real(root), real(registry));
  const distRel = under(real(root), path.join(real(path.dirname(dist)), path.basename(dist)));
  if (regRel === undefined) throw new CliError(`refused: --commit needs the registry inside the git work tree ${root}; nothing was written`);
  if (distRel === undefined) throw new CliError(`refused: --commit needs --dist (${distDir}) inside the git work tree ${root}; nothing was written`);
  const ok = (f: string) => (regRel !== '' && f.startsWith(regRel)) || (distRel !== '' && f.startsWith(distRel));
  const status = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const dirty: string[] = [];
  const entries = status.split('\0').filter(Boolean);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const file = e.slice(3);
    if (e[0] === 'R' || e[0] === 'C') {
      const from = entries[++i];
      if (!ok(from)) dirty.push(from);
    }
    if (!ok(file)) dirty.push(file);
  }
  if (dirty.length) {
    const shown = dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? ` and ${dirty.length - 5} more` : '');
    throw new CliError(`refused: --commit commits only ${regRel || './'} and ${distRel}, but the tree has other uncommitted changes (${shown}); commit or stash them first; nothing was written`);
  }
  try {
    git(root, ['var', 'GIT_COMMITTER_IDENT']);
  } catch (e) {
    if (e instanceof GitError) throw new CliError('refused: --commit needs a git identity (git config user.name and user.email); nothing was written');
    throw e;
  }
  return { root, registry: regRel!, dist: distRel! };
}

/** The command's own working files (its lock, journal), never committed whether or not the repository ignores them. */
function ownFiles(registryRel: string): Set<string> {
  return new Set([LOCK_FILE, JOURNAL_FILE].map((f) => `${registryRel}${f}`));
}

/** Temporary files of an atomic write (`.name.tmp-…`, `.rings-tmp-…/`): never committed either. */
const TEMPORARY = /(^|\/)(\.[^/]*\.tmp-[^/]*$|\.rings-tmp-[^/]*\/)/;

/**
 * Stages every change under `paths` (new, modified and deleted files) except `own` and temporary files.
 * The files are listed first and then named one by one: git lists only what it does not ignore, and
 * `git add` is never given a pathspec that names an ignored file (git refuses that with exit 1, even
 * as an exclude pathspec, when the repository's .gitignore lists rings/.lock, as this project's does).
 */
function stageChanges(root: string, paths: readonly string[], own: ReadonlySet<string>): void {
  const specs = paths.map((p) => (p.endsWith('/') && p.length > 1 ? p.slice(0, -1) : p));
  const list = (args: string[]) => git(root, ['-c', 'core.quotePath=false', 'ls-files', '-z', ...args, '--', ...specs]).split('\0').filter(Boolean);
  const changed = [...new Set([...list(['--others', '--exclude-standard']), ...list(['--modified', '--deleted'])])]
    .filter((f) => !own.has(f) && !TEMPORARY.test(f))
    .sort();
  if (changed.length === 0) return;
  git(root, ['--literal-pathspecs', 'add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], changed.join('\0') + '\0');
}

/** The hooks `mutate` runs for --commit, or none without it. */
export function commitHooks(ctx: Ctx, args: ParsedArgs): MutateHooks | undefined {
  const distDir = stringFlag(args, 'dist');
  if (!boolFlag(args, 'commit')) {
    if (distDir !== undefined) throw new UsageError('--dist is only used with --commit');
    return undefined;
  }
  let pf: Preflight;
  return {
    before: () => {
      pf = preflight(ctx.registry, distDir ?? 'dist');
    },
    after: (entry, entries) => {
      try {
        synthToDir(ctx.registry, distDir ?? 'dist');
        stageChanges(pf.root, [pf.registry || '.', pf.dist], ownFiles(pf.registry));
        const message = entry.train !== undefined ? trainCommitMessage(entries) : commitMessage(entry);
        git(pf.root, ['commit', '-q', '-F', '-'], message);
        const sha = git(pf.root, ['rev-parse', 'HEAD']).trim();
        const subject = message.split('\n')[0];
        return { commit: { sha, subject }, text: `committed ${sha.slice(0, 12)}: ${subject}` };
      } catch (e) {
        throw new CliError(
          `the change is written and recorded in the history, but not committed: ${(e as Error).message.split('\n')[0]}; run rings synth, then commit ${pf.registry || './'} and ${pf.dist} yourself`,
        );
      }
    },
  };
}
