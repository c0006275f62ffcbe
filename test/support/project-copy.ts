/**
 * A git repository made from a copy of this project's own tree: every file git tracks in the checkout
 * (with its current content, `.gitignore` included), committed once. Git-driven commands (`--commit`,
 * approvals, trains) are tested here, so that what the project's own ignore rules do to `git add` is
 * seen — a scratch repository that ignores nothing hid a refusal once.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** Environment for git in tests: no user or system configuration leaks in. */
export const GIT_TEST_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } as const;

export interface ProjectCopyOptions {
  /** Files (project-relative) to leave out of the copy, e.g. `.gitignore` for a repository that ignores nothing. @default [] */
  readonly omit?: readonly string[];
  /** Committer identity. @default CI Bot <ci@acme.io> */
  readonly user?: { readonly name: string; readonly email: string };
}

/** Copies the tracked tree into a new temporary folder, `git init`s it on `main` and commits everything once. */
export function projectCopy(prefix: string, options: ProjectCopyOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const omit = new Set(options.omit ?? []);
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((f) => f && !omit.has(f));
  for (const f of tracked) {
    const from = path.join(PROJECT_ROOT, f);
    if (!fs.existsSync(from)) continue; // deleted in the checkout, not yet committed
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, f));
  }
  const user = options.user ?? { name: 'CI Bot', email: 'ci@acme.io' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_TEST_ENV }, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', user.name);
  git('config', 'user.email', user.email);
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}
