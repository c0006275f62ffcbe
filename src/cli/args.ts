/**
 * A small argument parser (no CLI framework is installed, and the commands need little):
 * positionals, `--flag`, `--flag value` and `--flag=value`. Anything unknown is a usage error
 * (exit 2) that prints the command's usage line.
 */

/** `strings`: a string flag that may be given more than once (`--context eu-1=a --context us-1=b`). */
export type FlagKind = 'boolean' | 'string' | 'strings';

export interface CommandSpec {
  readonly name: string;
  /** One line for `rings --help`. */
  readonly summary: string;
  /** The usage line, e.g. `rings show <ring> [--tenants] [--modules] [--json]`. */
  readonly usage: string;
  /** Longer help text after the usage line. */
  readonly help?: string;
  /** Names of the positional arguments, all required, in order. */
  readonly positionals: readonly string[];
  /** How many more positionals may follow the required ones (`rings promote image <component>`). @default 0 */
  readonly optionalPositionals?: number;
  /** Flags besides the global ones (`--registry`, `--help`, `--no-color`). */
  readonly flags: Readonly<Record<string, FlagKind>>;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
}

/** A problem with the command line itself: exit 2, with the usage line. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const GLOBAL_FLAGS: Readonly<Record<string, FlagKind>> = { registry: 'string', help: 'boolean', 'no-color': 'boolean' };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const kinds: Record<string, FlagKind> = { ...GLOBAL_FLAGS, ...spec.flags };
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (onlyPositionals || !a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositionals = true;
      continue;
    }
    if (a === '-h') {
      flags.help = true;
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`unknown option ${a}`, spec.usage);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = kinds[name];
    if (!kind) throw new UsageError(`unknown option --${name}`, spec.usage);
    if (flags[name] !== undefined && kind !== 'strings') throw new UsageError(`--${name} given twice`, spec.usage);
    let value: string;
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`, spec.usage);
      flags[name] = true;
      continue;
    } else if (eq >= 0) {
      value = a.slice(eq + 1);
    } else {
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`--${name} needs a value`, spec.usage);
      value = v;
      i++;
    }
    if (kind === 'strings') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  if (!flags.help) {
    if (positionals.length < spec.positionals.length) {
      throw new UsageError(`missing <${spec.positionals[positionals.length]}>`, spec.usage);
    }
    const most = spec.positionals.length + (spec.optionalPositionals ?? 0);
    if (positionals.length > most) throw new UsageError(`unexpected argument "${positionals[most]}"`, spec.usage);
  }
  return { positionals, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a `strings` flag, in the order given; [] when absent. */
export function stringsFlag(args: ParsedArgs, name: string): readonly string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}
