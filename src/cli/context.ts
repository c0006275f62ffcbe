/**
 * What every command gets (output, clock, registry folder) and the shared flows: load the registry,
 * render it in memory, and the mutation flow every `assign`/`promote`/`rollback` goes through.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RegistryError, unknownName } from '../registry/errors';
import { parseRegistry, readRegistryDir, Registry } from '../registry/load';
import { previousConfigMaps } from '../render/previous-output';
import { resolvePlan, RingPlan } from '../resolve/resolve-plan';
import { checkPlan } from '../render/pipeline';
import { synthesize, SynthResult } from '../render/synth';
import type { CommandSpec, ParsedArgs } from './args';
import { GateResult, GateRing } from '../operate/gates';
import { formatHistoryLine, HISTORY_FILE, HistoryEntry, isoSeconds, parseHistory } from '../operate/history';
import { Colours, Io, json } from './output';
import { acquireLock, commit, JOURNAL_FILE, recover, StepHook } from './transaction';
import { parseAllDocuments } from 'yaml';
import { readDir } from '../render/dist';
import { diffRenderings, FileDiff, Obj } from '../operate/object-diff';
import { summariseApproval } from '../operate/approval-summary';
import { formatMetricValue } from '../operate/verify/metrics';

export interface Ctx {
  readonly io: Io;
  readonly c: Colours;
  /** The registry folder (`--registry`, default `./rings`). */
  readonly registry: string;
  readonly json: boolean;
  /** The clock: `RINGS_NOW` when set (tests), else the real time. Read in the CLI layer only. */
  readonly now: Date;
  /** `Name <email>` for the history. */
  readonly actor: () => string;
  /** Test-only crash hook, see transaction.ts. */
  readonly hook: StepHook;
  /** Whether --yes was given. */
  readonly yes: boolean;
  /** The real clock (RINGS_NOW never writes a history time in its future). @default now */
  readonly realNow?: Date;
  /** --dry-run: print what would change, write nothing. @default false */
  readonly dryRun?: boolean;
  /** --diff (with --dry-run): also the object-level diff of dist/. @default false */
  readonly showDiff?: boolean;
}

/** The flags every mutating command takes for what-if questions. */
export const DRY_RUN_FLAGS = { 'dry-run': 'boolean', diff: 'boolean', at: 'string' } as const;

export interface Command extends CommandSpec {
  run(ctx: Ctx, args: ParsedArgs): number | Promise<number>;
}

/** Invalid input or a refusal: one line on stderr, exit 1. */
export class CliError extends Error {
  constructor(message: string, readonly lines: readonly string[] = []) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A promotion its gates refuse. The message is the first refusal (what a single promote prints);
 * `refused` holds every gate that refused, so a train can list them all.
 */
export class GateRefusal extends CliError {
  constructor(readonly refused: readonly GateResult[]) {
    super(`refused by the ${refused[0].gate} gate: ${refused[0].message}`);
    this.name = 'GateRefusal';
  }
}

export interface LoadedRegistry {
  readonly registry: Registry;
  readonly sources: Map<string, string>;
  readonly history: HistoryEntry[];
}

/** Loads and validates the registry and its history; throws RegistryError with every problem. */
export function loadAll(dir: string): LoadedRegistry {
  const { sources, problems } = readRegistryDir(dir);
  const registry = parseRegistry(dir, sources, problems);
  return { registry, sources, history: loadHistory(dir) };
}

export function loadHistory(dir: string): HistoryEntry[] {
  const file = path.join(dir, HISTORY_FILE);
  if (!fs.existsSync(file)) return [];
  const { entries, problems } = parseHistory(fs.readFileSync(file, 'utf8'));
  if (problems.length > 0) throw new RegistryError(problems.map((p) => ({ file, path: `line ${p.line}`, message: p.message })));
  return entries;
}

/** Parses and renders in-memory sources, as synth would (for diff). */
export function renderSources(dir: string, sources: ReadonlyMap<string, string>, previous?: ReadonlyMap<string, string>): { plan: RingPlan; result: SynthResult } {
  const plan = resolvePlan(parseRegistry(dir, sources), { previousConfigMaps: previous ? previousConfigMaps(previous) : undefined });
  return { plan, result: synthesize(plan) };
}

/** Everything synth validates, in memory: parse, cross-file rules, resolve, constructs (no YAML rendered). */
export function checkSources(dir: string, sources: ReadonlyMap<string, string>): void {
  checkPlan(resolvePlan(parseRegistry(dir, sources)));
}

export function gateRings(reg: Registry): GateRing[] {
  return reg.rings.map((r) => ({
    name: r.spec.name,
    promotionOrder: r.spec.promotion_order,
    active: r.spec.active,
    soak: r.spec.soak,
    requireVerified: r.spec.require_verified,
  }));
}

export function ringByName(reg: Registry, name: string): GateRing {
  const r = gateRings(reg).find((g) => g.name === name);
  if (!r) throw unknownRing(name, reg.rings.map((x) => x.spec.name));
  return r;
}

/** `unknown ring "btea"; did you mean "beta"? (rings: …)`: every command that takes a ring name refuses one this way. */
export function unknownRing(name: string, rings: readonly string[], listed?: string): CliError {
  return new CliError(unknownName('ring', name, rings, listed));
}

/** Every module alias the registry knows: pinned in some lock, or named by the history (a module rolled back to unpinned). */
export function knownModules(reg: Registry, history: readonly HistoryEntry[]): string[] {
  const names = new Set<string>();
  for (const l of Object.values(reg.locks)) for (const m of Object.keys(l.modules)) names.add(m);
  for (const e of history) if (e.module !== undefined) names.add(e.module);
  return [...names].sort();
}

/**
 * Refuses a module alias no lock pins and no history entry names, with a "did you mean" (`ordres` →
 * `orders`); the list of modules is long, so it points at `rings status` instead.
 */
export function knownModule(loaded: { registry: Registry; history: readonly HistoryEntry[] }, module: string): void {
  const known = knownModules(loaded.registry, loaded.history);
  if (!known.includes(module)) throw unknownModule(module, known);
}

export function unknownModule(module: string, known: readonly string[]): CliError {
  return new CliError(unknownName('module', module, known, 'no lock pins it and no history entry names it; rings status lists the modules'));
}

/** A history entry as a planner makes it: time and actor are filled in by `mutate`. */
export type PlannedEntry = Omit<HistoryEntry, 'time' | 'actor'>;

interface MutationBase {
  /** Registry-relative path → new content; null removes the file. */
  readonly files: Readonly<Record<string, string | null>>;
  /** What will change, for the confirmation and the output. */
  readonly describe: readonly string[];
}

/** One change, one history line. */
export interface SingleMutation extends MutationBase {
  readonly entry: PlannedEntry;
}

/** A release train: several history lines (each with the `train` id), written in one transaction. */
export interface TrainMutation extends MutationBase {
  readonly train: string;
  readonly entries: readonly PlannedEntry[];
  /** The one-line summary: `promote train canary-edge-…: 5 changes from canary to edge`. */
  readonly summary: string;
}

/** What a mutating command wants to do, decided with the lock held. */
export type Mutation = SingleMutation | TrainMutation;

/** The history entries a mutation records, in order. */
export function plannedEntries(m: Mutation): readonly PlannedEntry[] {
  return 'entries' in m ? m.entries : [m.entry];
}

export type Planner = (loaded: LoadedRegistry) => Mutation | { nothing: string };

/** Extra steps around a change (`--commit` uses them, see git-commit.ts). */
export interface MutateHooks {
  /** Before anything else; throwing refuses the command with nothing written. */
  readonly before?: () => void;
  /**
   * After the change is written and recorded; what it returns is added to the JSON output, and `text`
   * printed. `entries` holds every line recorded (one, or a train's); `entry` is the first.
   */
  readonly after?: (entry: HistoryEntry, entries: readonly HistoryEntry[]) => { readonly text?: string; readonly [key: string]: unknown };
}

/**
 * load and validate → plan → apply the planned edits in memory → validate the result: what a real
 * run and a dry run share. Throws `CliError` with the problem lines when the registry or the result
 * is invalid.
 */
function planChecked(ctx: Ctx, plan: Planner): { nothing: string } | { m: Mutation; loaded: LoadedRegistry; after: Map<string, string> } {
  let loaded: LoadedRegistry;
  try {
    loaded = loadAll(ctx.registry);
  } catch (e) {
    if (e instanceof RegistryError) throw new CliError('the registry is invalid; fix it before changing it (rings check lists the problems)', e.lines());
    throw e;
  }
  const m = plan(loaded);
  if ('nothing' in m) return m;
  const after = new Map(loaded.sources);
  for (const [rel, text] of Object.entries(m.files)) {
    if (text === null) after.delete(rel);
    else after.set(rel, text);
  }
  try {
    checkSources(ctx.registry, after);
  } catch (e) {
    if (e instanceof RegistryError) throw new CliError('refused: the change would make the registry invalid; nothing was written', e.lines());
    throw e;
  }
  return { m, loaded, after };
}

/**
 * lock → recover a leftover journal → load and validate → plan → validate the result in memory →
 * confirm → commit → unlock. Nothing is written unless every check passed.
 */
export async function mutate(ctx: Ctx, plan: Planner, hooks: MutateHooks = {}): Promise<number> {
  const { io, c } = ctx;
  hooks.before?.();
  if (!fs.statSync(ctx.registry, { throwIfNoEntry: false })?.isDirectory()) {
    throw new RegistryError([{ file: ctx.registry, path: '', message: 'expected a registry folder, found none (pass --registry DIR)' }]);
  }
  if (ctx.dryRun) return dryRun(ctx, plan);
  // RINGS_NOW answers what-if questions; it never writes a history line dated in the future.
  const real = ctx.realNow ?? new Date();
  if (ctx.now.getTime() > real.getTime() + 1000) {
    throw new CliError(
      `refused: the clock (RINGS_NOW=${isoSeconds(ctx.now)}) is in the future of the real time (${isoSeconds(real)}), and a history line may not be dated in the future; ask what-if questions with --dry-run --at TIME`,
    );
  }
  const release = acquireLock(ctx.registry);
  try {
    const recovered = recover(ctx.registry);
    if (recovered) io.stderr(`${c.yellow('recovered')} an interrupted command and completed it: ${summariseLines(recovered)}\n`);

    const planned = planChecked(ctx, plan);
    if ('nothing' in planned) {
      if (ctx.json) io.stdout(json({ changed: false, message: planned.nothing }));
      else io.stdout(`${planned.nothing}\n`);
      return 0;
    }
    const { m } = planned;

    if (!ctx.json || !ctx.yes) for (const line of m.describe) io.stderr(`${line}\n`);
    if (!ctx.yes) {
      if (!io.stdinIsTty) throw new CliError('refused: not a terminal, so no confirmation is possible; pass --yes to apply');
      const answer = await io.ask('Apply this change? [y/N] ');
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.stderr('nothing changed\n');
        return 1;
      }
    }

    const time = isoSeconds(ctx.now);
    const actor = ctx.actor();
    const entries: HistoryEntry[] = plannedEntries(m).map((p) => ({ time, actor, ...p }));
    const lines = entries.map(formatHistoryLine);
    commit(ctx.registry, m.files, 'entries' in m ? lines : lines[0], ctx.hook);
    // With --commit, "done" means committed: the after hook runs first, and its failure is the error.
    const { text, ...extra } = hooks.after?.(entries[0], entries) ?? {};
    const recordedIn = path.join(ctx.registry, HISTORY_FILE);
    if (!ctx.json) {
      if ('entries' in m) {
        io.stdout(`${c.green('done')}: ${m.summary}; recorded ${entries.length} lines in ${recordedIn}\n`);
        for (const line of lines) io.stdout(`  ${summariseLine(line)}\n`);
      } else io.stdout(`${c.green('done')}: ${summariseLine(lines[0])}; recorded in ${recordedIn}\n`);
    }
    if (ctx.json) io.stdout(json('entries' in m ? { changed: true, train: m.train, entries, ...extra } : { changed: true, entry: entries[0], ...extra }));
    else if (text) io.stdout(`${text}\n`);
    return 0;
  } finally {
    release();
  }
}

/**
 * Appends entries that change no registry file (verify evidence) to the history, under the registry's
 * lock and in one journaled transaction, finishing an interrupted command first.
 */
export function recordHistory(ctx: Ctx, entries: readonly HistoryEntry[]): void {
  if (entries.length === 0) return;
  const release = acquireLock(ctx.registry);
  try {
    recover(ctx.registry);
    commit(ctx.registry, {}, entries.map(formatHistoryLine), ctx.hook);
  } finally {
    release();
  }
}

/** --dry-run: plan and validate exactly as a real run, print the change (and with --diff its effect on dist/), write nothing. */
function dryRun(ctx: Ctx, plan: Planner): number {
  const { io } = ctx;
  if (fs.existsSync(path.join(ctx.registry, JOURNAL_FILE))) {
    throw new CliError(`an interrupted command's journal (${path.join(ctx.registry, JOURNAL_FILE)}) is pending; run rings recover first`);
  }
  const planned = planChecked(ctx, plan);
  if ('nothing' in planned) {
    if (ctx.json) io.stdout(json({ dryRun: true, changed: false, message: planned.nothing }));
    else io.stdout(`${planned.nothing}\n`);
    return 0;
  }
  const { m, loaded, after } = planned;
  let diffs: FileDiff[] | undefined;
  if (ctx.showDiff) {
    const previous = readDir('dist');
    const render = (sources: ReadonlyMap<string, string>) => renderSources(ctx.registry, sources, previous).result.files;
    const before = render(loaded.sources);
    const next = render(after);
    const objects = (files: ReadonlyMap<string, string>) => new Map([...files].filter(([f]) => f.endsWith('.yaml')).map(([f, t]) => [f, yamlObjects(t)]));
    diffs = diffRenderings(objects(before), objects(next), before, next);
  }
  const time = isoSeconds(ctx.now);
  const actor = ctx.actor();
  const entries: HistoryEntry[] = plannedEntries(m).map((p) => ({ time, actor, ...p }));
  if (ctx.json) {
    const files = Object.keys(m.files).map((f) => path.join(ctx.registry, f));
    const recorded = 'entries' in m ? { train: m.train, entries } : { entry: entries[0] };
    io.stdout(json({ dryRun: true, changed: true, files, ...recorded, ...(diffs ? { diff: diffs } : {}) }));
    return 0;
  }
  io.stdout(`${ctx.c.cyan('dry run')}: nothing was written\n`);
  for (const line of m.describe) io.stdout(`${line}\n`);
  if ('entries' in m) {
    io.stdout(`would record (${m.summary}):\n`);
    for (const e of entries) io.stdout(`  ${summarise(e)}\n`);
  } else io.stdout(`would record: ${summarise(entries[0])}\n`);
  if (diffs) {
    if (diffs.length === 0) io.stdout('dist/: no object changes\n');
    for (const d of diffs) {
      io.stdout(`${d.file}\n`);
      for (const k of d.added) io.stdout(`  + ${k}\n`);
      for (const k of d.removed) io.stdout(`  - ${k}\n`);
      for (const ch of d.changed) io.stdout(`  ~ ${ch.key}: ${ch.paths.join(', ')}\n`);
    }
  }
  return 0;
}

function yamlObjects(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as unknown)
    .filter((v): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v));
}

function describeEvidence(ev: NonNullable<HistoryEntry['evidence']>[number]): string {
  if (ev.waived) return `${ev.gate} waived`;
  if (ev.gate === 'verified') return `verified ${ev.verified_at}`;
  if (ev.gate === 'analysis') return `metrics measured ${ev.measured_at}`;
  if (ev.gate === 'soak') return `soaked since ${ev.arrived}`;
  if (ev.gate === 'approval' && ev.approver) return `approved by ${ev.approver} (${(ev.commit ?? '').slice(0, 12)}, ${ev.approved_at})`;
  return ev.gate;
}

/** A history line as a short sentence. */
export function summariseLine(line: string): string {
  try {
    return summarise(JSON.parse(line) as HistoryEntry);
  } catch {
    return line;
  }
}

/** What `recover` returns (one line, or a train's lines joined by newlines) as one sentence. */
export function summariseLines(lines: string): string {
  const all = lines.split('\n');
  if (all.length === 1) return summariseLine(all[0]);
  let train = '';
  try {
    train = ` ${String((JSON.parse(all[0]) as HistoryEntry).train)}`;
  } catch {
    // Shown without its id.
  }
  return `train${train} (${all.length} changes): ${all.map(summariseLine).join('; ')}`;
}

export function summarise(e: HistoryEntry): string {
  const s = summariseOne(e);
  if (e.train === undefined) return s;
  return `${s} [train ${e.train}${e.rolls_back !== undefined ? `, rolls back ${e.rolls_back}` : ''}]`;
}

function summariseOne(e: HistoryEntry): string {
  const waived = e.gates_waived.length ? ` (waived: ${e.gates_waived.join(', ')})` : '';
  if (e.action === 'ring-add') return `ring add ${e.to} after ${e.from}`;
  if (e.action === 'ring-retire') return `ring retire ${e.to}`;
  if (e.action === 'approve') return summariseApproval(e);
  if (e.action === 'assign') return `assign ${e.tenant}: ${e.from ?? '(new)'} → ${e.to}`;
  if (e.action === 'verify') {
    const n = e.findings?.length ?? 0;
    const lock = e.lock_checksums?.length ? `, lock ${e.lock_checksums.map((c) => c.replace(/^(sha256:.{12}).*$/, '$1…')).join(' ')}` : '';
    const metrics = e.metrics?.length ? `: ${e.metrics.map((m) => `${m.name} ${m.worst === null ? m.result : `${formatMetricValue(m.worst)} ${m.result}`}`).join(', ')}` : '';
    return `verify ${e.to}: ${e.passed ? 'passed' : `failed (${n} finding${n === 1 ? '' : 's'})`} [${(e.checks ?? []).join(', ')}]${lock}${metrics}`;
  }
  if (e.image !== undefined) {
    if (e.action === 'promote') return `promote image ${e.image} ${e.new} ${e.from ? `from ${e.from} ` : ''}to ${e.to} (was ${e.previous ?? 'the platform default'})${waived}`;
    return `rollback image ${e.image} in ${e.to}: ${e.previous ?? '(none)'} → ${e.new ?? '(the platform default)'}`;
  }
  if (e.action === 'promote') {
    const rollback = e.rollback_target !== undefined ? `; rollback target ${e.rollback_target ?? '(unpin)'}` : '';
    const evidence = e.evidence?.length ? `; evidence: ${e.evidence.map(describeEvidence).join(', ')}` : '';
    return `promote ${e.module} ${e.new} ${e.from ? `from ${e.from} ` : ''}to ${e.to} (was ${e.previous ?? 'not pinned'}${rollback}${evidence})${waived}`;
  }
  return `rollback ${e.module} in ${e.to}: ${e.previous ?? '(none)'} → ${e.new ?? '(removed)'}`;
}
