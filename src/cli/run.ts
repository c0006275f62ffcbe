/**
 * `rings`: the operator CLI over a ring registry. Exit codes: 0 success, 1 invalid input, invalid
 * registry or a refused gate, 2 usage error.
 *
 * Environment read here, and only here: RINGS_NOW (the clock, for tests and what-ifs),
 * RINGS_ACTOR (the history's actor, e.g. who ran a CI pipeline), NO_COLOR, RINGS_CRASH_AFTER (test-only crash hook), USER (actor fallback),
 * RINGS_PROMETHEUS_TOKEN (read by verify --metrics through the io's env). The PromQL parser's location (RINGS_PROMQL_PARSER,
 * RINGS_PROMQL_CACHE) is read where validation runs it, src/registry/rules/promql.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RegistryError, unknownName } from '../registry/errors';
import { boolFlag, CommandSpec, GLOBAL_FLAGS, parseArgs, stringFlag, UsageError } from './args';
import { approve } from './commands/approve';
import { assign } from './commands/assign';
import { check } from './commands/check';
import { diff } from './commands/diff';
import { exportCommand } from './commands/export';
import { history } from './commands/history';
import { importCommand } from './commands/import';
import { compare } from './commands/compare';
import { list } from './commands/list';
import { promote } from './commands/promote';
import { recover } from './commands/recover';
import { ring } from './commands/ring';
import { rollback } from './commands/rollback';
import { show } from './commands/show';
import { status } from './commands/status';
import { synth } from './commands/synth';
import { verify } from './commands/verify';
import { CliError, Command, Ctx } from './context';
import { colours, Io, processIo, useColour } from './output';
import { LockedError, Step } from './transaction';

export const COMMANDS: readonly Command[] = [list, show, status, assign, promote, approve, rollback, ring, history, check, synth, diff, verify, recover, exportCommand, importCommand, compare];

export const TOP_USAGE = 'rings <command> [options]   (rings <command> --help for details)';

export function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'rings: operate the ring registry (tenants, module versions, manifests)',
    '',
    `usage: ${TOP_USAGE}`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'global options:',
    '  --registry DIR  the registry folder (default ./rings)',
    '  --json          machine-readable output, where the command prints data',
    '  --yes           apply assign/promote/rollback without asking (required without a terminal)',
    '  --commit        (assign/promote/rollback) then synth dist/ and git-commit rings/ and dist/ with a conventional message',
    '  --no-color      no colours (also NO_COLOR=1; colours are only ever used on a terminal)',
    '  --help, -h      help for a command',
    '  --version, -V   print the version of rings (cdk8s-rings) and exit',
    '',
    'exit codes: 0 success; 1 invalid input, invalid registry or a refused gate; 2 usage error',
    '            (verify and diff --live: 1 = the cluster differs, 2 also = the cluster cannot be reached or read)',
    '            (verify --metrics: 1 = a metric check failed or had no data, 2 also = Prometheus cannot be reached)',
    '',
    'environment: RINGS_NOW=<ISO time> sets the clock used for soak gates and history times;',
    '             RINGS_ACTOR="Name <email>" is the history\'s actor (default: git user.name <user.email>, then $USER);',
    '             RINGS_PROMETHEUS_TOKEN=<token> is the bearer token verify --metrics sends to Prometheus (never printed);',
    '             RINGS_CRASH_AFTER=journal|edit|history kills the process after that commit step (test-only).',
    '',
  ].join('\n');
}

/**
 * The version of the installed package, read from its package.json at run time: the nearest one named
 * cdk8s-rings above this file (build/src/cli/ for the compiled modules, build/ for the bundle).
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'cdk8s-rings' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here, or not ours: look further up
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the package.json of cdk8s-rings above ${from}`);
  }
}

function commandHelp(c: CommandSpec): string {
  return `usage: ${c.usage}\n\n${c.summary}\n${c.help ? `\n${c.help}\n` : ''}`;
}

function gitActor(cwd: string, env: Io['env']): string {
  // CI: the person who ran the pipeline, while git commits as the CI's own identity.
  if (env.RINGS_ACTOR?.trim()) return env.RINGS_ACTOR.trim();
  const git = (key: string) => {
    try {
      return execFileSync('git', ['config', key], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    } catch {
      return '';
    }
  };
  const name = git('user.name');
  const email = git('user.email');
  if (name && email) return `${name} <${email}>`;
  return name || email || env.USER || env.USERNAME || 'unknown';
}

function parseTime(what: string, v: string): Date {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${what}: expected an ISO 8601 time such as 2026-11-23T12:00:00Z, got ${JSON.stringify(v)}`);
  return d;
}

function parseNow(env: Io['env']): Date {
  const v = env.RINGS_NOW;
  if (v === undefined || v === '') return new Date();
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`RINGS_NOW: expected an ISO 8601 time such as 2026-11-23T12:00:00Z, got ${JSON.stringify(v)}`);
  return d;
}

/** Test-only: RINGS_CRASH_AFTER=<step> kills the process right after that commit step, to prove recovery. */
function crashHook(env: Io['env']): (step: Step) => void {
  const at = env.RINGS_CRASH_AFTER;
  return (step) => {
    if (at === step) process.kill(process.pid, 'SIGKILL');
  };
}

/** Global options may come before the command (`rings --registry DIR list`): they are moved after it. */
export function hoistGlobalOptions(argv: readonly string[]): string[] {
  const before: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('--') && argv[i] !== '--help') {
    const flag = argv[i].slice(2).split('=')[0];
    const kind = GLOBAL_FLAGS[flag] ?? GLOBAL_BEFORE_COMMAND[flag];
    if (!kind) break;
    const takesValue = kind === 'string' && !argv[i].includes('=');
    before.push(...argv.slice(i, i + (takesValue ? 2 : 1)));
    i += takesValue ? 2 : 1;
  }
  if (i >= argv.length) return [...argv];
  return [argv[i], ...before, ...argv.slice(i + 1)];
}

/** Besides the parser's global flags: the common ones every command that has them accepts. */
const GLOBAL_BEFORE_COMMAND: Readonly<Record<string, 'boolean' | 'string'>> = { json: 'boolean', yes: 'boolean' };

/** `--json`: failures too are JSON on stdout (`{"ok": false, "problems": [...]}`), exit codes unchanged. */
function jsonFailure(io: Io, kind: string, problems: readonly Record<string, unknown>[]): void {
  io.stdout(`${JSON.stringify({ ok: false, error: kind, problems }, null, 2)}\n`);
}

export async function run(argvIn: readonly string[], io: Io): Promise<number> {
  const argv = hoistGlobalOptions(argvIn);
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  if (name === '--version' || name === '-V') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(target ? commandHelp(target) : topHelp());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  try {
    if (!cmd) {
      throw new UsageError(unknownName('command', name, COMMANDS.map((x) => x.name)), TOP_USAGE);
    }
    const args = parseArgs(cmd, rest);
    if (boolFlag(args, 'help')) {
      io.stdout(commandHelp(cmd));
      return 0;
    }
    const registry = stringFlag(args, 'registry') ?? 'rings';
    const dryRun = boolFlag(args, 'dry-run');
    const at = stringFlag(args, 'at');
    if (at !== undefined && !dryRun) throw new UsageError('--at answers what-if questions and needs --dry-run (a real change is recorded at the real time)', cmd.usage);
    if (boolFlag(args, 'diff') && !dryRun) throw new UsageError('--diff needs --dry-run', cmd.usage);
    const ctx: Ctx = {
      io,
      c: colours(useColour(io.stdoutIsTty, io.env, boolFlag(args, 'no-color'))),
      registry,
      json: boolFlag(args, 'json'),
      now: at !== undefined ? parseTime('--at', at) : parseNow(io.env),
      realNow: new Date(),
      dryRun,
      showDiff: boolFlag(args, 'diff'),
      actor: () => gitActor(registry, io.env),
      hook: crashHook(io.env),
      yes: boolFlag(args, 'yes'),
    };
    return await cmd.run(ctx, args);
  } catch (e) {
    const paint = colours(useColour(io.stdoutIsTty, io.env)).red;
    if (wantsJson) {
      if (e instanceof RegistryError) jsonFailure(io, 'invalid', e.problems.map((p) => ({ file: p.file, path: p.path, message: p.message })));
      else if (e instanceof UsageError) jsonFailure(io, 'usage', [{ message: e.message }]);
      else if (e instanceof CliError) {
        const gate = /^refused by the (\w+) gate: /.exec(e.message);
        jsonFailure(io, e.message.startsWith('refused') ? 'refused' : 'error', [
          { message: e.message, ...(gate ? { gate: gate[1] } : {}) },
          // A train's refusal: one line per refused item, each naming the gate that refused it first.
          ...e.lines.map((l) => {
            const g = /: refused by the (\w+) gate: /.exec(l);
            return { message: l, ...(g ? { gate: g[1] } : {}) };
          }),
        ]);
      } else jsonFailure(io, 'error', [{ message: e instanceof Error ? e.message.split('\n')[0] : String(e) }]);
    }
    if (e instanceof UsageError) {
      io.stderr(`${paint('usage error')}: ${e.message}\n${e.usage ? `usage: ${e.usage}\n` : ''}`);
      return 2;
    }
    if (e instanceof RegistryError) {
      for (const line of e.lines()) io.stderr(`${line}\n`);
      io.stderr(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} found; nothing was written\n`);
      return 1;
    }
    if (e instanceof CliError) {
      io.stderr(e.message.startsWith('refused') ? `${e.message}\n` : `${paint('error')}: ${e.message}\n`);
      for (const l of e.lines) io.stderr(`  ${l}\n`);
      return 1;
    }
    if (e instanceof LockedError) {
      io.stderr(`${paint('error')}: ${e.message}\n`);
      return 1;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`${paint('error')}: ${msg.split('\n')[0]}\n`);
    if (io.env.RINGS_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 1;
  }
}

/** Runs when executed directly or through bin/rings.js (which only requires this file). */
const entry = require.main?.filename ?? '';
if (require.main === module || /[\\/]bin[\\/]rings(\.js)?$/.test(entry)) {
  // `rings status | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  run(process.argv.slice(2), processIo()).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
