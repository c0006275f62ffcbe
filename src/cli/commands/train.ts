/**
 * Release trains: `rings promote --all --from R1 --to R2` promotes every item `trainItems` lists as one
 * unit, and `rings rollback --train ID` undoes one as one unit.
 *
 * Each item is planned by the very planner a single promotion (or rollback) uses, so it passes the
 * same gates, in the same order, with the same messages and evidence — whatever gates those planners
 * gain. The items are planned one after another on the registry as the earlier items leave it (in
 * memory), their file edits are merged (several modules edit one lock, each entry byte-preservingly),
 * and the whole result is validated once and written in one journaled transaction with one history
 * line per item, all sharing the train id. If any item is refused, nothing is written and the
 * refusal lists every refused item, one line each.
 */
import type { LockEntry } from '../../registry/schema/types';
import { RingImageComponent } from '../../model/images';
import { CliError, GateRefusal, LoadedRegistry, PlannedEntry, ringByName, SingleMutation, TrainMutation } from '../context';
import { HistoryEntry, isoSeconds, promotionStack, subjectOf } from '../../operate/history';
import { trainItems, TrainItem } from '../../operate/train-items';

/**
 * The planners of single changes, given by the command (promote.ts, rollback.ts), so that each item of
 * a train is planned exactly as `rings promote <module> --from R1 --to R2` (or `rings rollback <module>
 * --ring R`) would plan it, with every gate those planners check.
 */
export interface ItemPlanners {
  readonly module: (loaded: LoadedRegistry, module: string) => SingleMutation | { nothing: string };
  readonly image: (loaded: LoadedRegistry, component: RingImageComponent) => SingleMutation | { nothing: string };
}

/** `20261123T120000Z`: the clock in an id (no colons, sorts by time). */
function compactTime(d: Date): string {
  return isoSeconds(d).replace(/[-:]/g, '');
}

/**
 * A train id: `<from>-<to>-<time>` for a promotion (`canary-edge-20261123T120000Z`),
 * `rollback-<ring>-<time>` for a rollback, with `-2`, `-3`… when the history already has it.
 */
export function newTrainId(history: readonly HistoryEntry[], now: Date, prefix: string): string {
  const taken = new Set(history.flatMap((e) => (e.train !== undefined ? [e.train] : [])));
  const base = `${prefix}-${compactTime(now)}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The registry as it is once `files` are written by a change of `subject` in `ring` to `pin` (in memory: no parse, no validation). */
function applied(loaded: LoadedRegistry, files: Readonly<Record<string, string | null>>, change: { ring: string; module: string; version: string | null; sha256: string | null } | { ring: string; component: RingImageComponent; ref: string | null }): LoadedRegistry {
  const sources = new Map(loaded.sources);
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) sources.delete(rel);
    else sources.set(rel, text);
  }
  const reg = loaded.registry;
  if ('module' in change) {
    const lock = reg.locks[change.ring];
    const modules = { ...lock.modules };
    const hashes = { ...(lock.hashes ?? {}) };
    if (change.version === null) {
      delete modules[change.module];
      delete hashes[change.module];
    } else {
      modules[change.module] = change.version;
      if (lock.format === 'hashed' && change.sha256 !== null) hashes[change.module] = change.sha256;
    }
    const next: LockEntry = { ...lock, modules, ...(lock.hashes !== undefined || lock.format === 'hashed' ? { hashes } : {}) };
    return { ...loaded, sources, registry: { ...reg, locks: { ...reg.locks, [change.ring]: next } } };
  }
  const rings = reg.rings.map((r) => {
    if (r.spec.name !== change.ring) return r;
    const images: Record<string, string> = { ...((r.spec.images as Record<string, string> | undefined) ?? {}) };
    if (change.ref === null) delete images[change.component];
    else images[change.component] = change.ref;
    return { ...r, spec: { ...r.spec, images } };
  });
  return { ...loaded, sources, registry: { ...reg, rings } };
}

/** How an item is named in a refusal line: `orders 1.6.1`, `image api`. */
function itemName(item: TrainItem): string {
  return item.kind === 'image' ? `image ${item.component}` : item.label;
}

/** One refusal line per refused item: the first refusal as a single promote prints it, and any further gate that refused. */
function refusalLine(name: string, e: CliError): string {
  const also = e instanceof GateRefusal && e.refused.length > 1 ? `; also refused by the ${e.refused.slice(1).map((r) => r.gate).join(', ')} gate${e.refused.length > 2 ? 's' : ''}` : '';
  return `${name}: ${e.message}${also}`;
}

/** Merges the item mutations into one train, or refuses with every refused item. */
function assemble(
  what: string,
  loaded: LoadedRegistry,
  count: number,
  plans: ReadonlyArray<{ name: string; plan: (cur: LoadedRegistry) => { m: SingleMutation; next: (cur: LoadedRegistry) => LoadedRegistry } | undefined }>,
  train: string,
  extra: Partial<PlannedEntry>,
): { files: Record<string, string | null>; entries: PlannedEntry[]; describe: string[] } {
  let cur = loaded;
  const files: Record<string, string | null> = {};
  const entries: PlannedEntry[] = [];
  const describe: string[] = [];
  const refused: string[] = [];
  for (const { name, plan } of plans) {
    try {
      const planned = plan(cur);
      if (!planned) continue;
      Object.assign(files, planned.m.files);
      entries.push({ ...planned.m.entry, train, ...extra });
      describe.push(...planned.m.describe);
      cur = planned.next(cur);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      refused.push(refusalLine(name, e));
    }
  }
  if (refused.length) {
    throw new CliError(`refused: ${refused.length} of the ${count} changes of ${what} cannot be made, so none is; nothing was written`, refused);
  }
  return { files, entries, describe };
}

/** `rings promote --all --from R1 --to R2`; `planners` plan one promotion from R1 to R2 each. */
export function planTrainPromotion(ctx: { now: Date }, loaded: LoadedRegistry, o: { from: string; to: string }, planners: ItemPlanners): TrainMutation | { nothing: string } {
  ringByName(loaded.registry, o.from);
  ringByName(loaded.registry, o.to);
  const { items, left } = trainItems(loaded.registry, o.from, o.to);
  if (items.length === 0) return { nothing: `${o.to} already runs every module version and image ${o.from} runs; nothing to promote` };
  const train = newTrainId(loaded.history, ctx.now, `${o.from}-${o.to}`);
  const plans = items.map((item) => ({
    name: itemName(item),
    plan: (cur: LoadedRegistry) => {
      if (item.kind === 'module') {
        const m = planners.module(cur, item.module);
        if ('nothing' in m) return undefined;
        return { m, next: (c: LoadedRegistry) => applied(c, m.files, { ring: o.to, module: item.module, version: m.entry.new, sha256: m.entry.new_sha256 ?? null }) };
      }
      const m = planners.image(cur, item.component);
      if ('nothing' in m) return undefined;
      return { m, next: (c: LoadedRegistry) => applied(c, m.files, { ring: o.to, component: item.component, ref: m.entry.new }) };
    },
  }));
  const { files, entries, describe } = assemble(`the train ${o.from} → ${o.to}`, loaded, items.length, plans, train, {});
  const n = `${entries.length} change${entries.length === 1 ? '' : 's'}`;
  const head = [`train ${train}: ${n} from ${o.from} to ${o.to}, promoted as one unit`];
  if (left.length) head.push(`  not carried: ${left.join(', ')} (${o.to} pins ${left.length === 1 ? 'it' : 'them'} and ${o.from} does not; a promotion never unpins)`);
  return { files, entries, train, describe: [...head, ...describe], summary: `promote train ${train}: ${n} from ${o.from} to ${o.to}` };
}

/** The ring a train promoted into (what `planTrainRollback`'s planners roll back in); refuses an unknown train or a rollback train. */
export function trainRing(history: readonly HistoryEntry[], id: string): string {
  const lines = history.filter((e) => e.train === id);
  if (lines.length === 0) {
    const known = [...new Set(history.filter((e) => e.train !== undefined && e.action === 'promote').map((e) => e.train!))].slice(-5);
    throw new CliError(`refused: history has no train ${JSON.stringify(id)}${known.length ? ` (latest trains: ${known.join(', ')})` : ''}`);
  }
  if (lines[0].action !== 'promote') {
    throw new CliError(`refused: train ${id} is a rollback${lines[0].rolls_back ? ` (of train ${lines[0].rolls_back})` : ''}; to run those versions again, promote them (rings promote --all …)`);
  }
  return lines[0].to;
}

/** `rings rollback --train ID`: every item of that train, in its ring, as one unit; `planners` plan one rollback in that ring each. */
export function planTrainRollback(ctx: { now: Date }, loaded: LoadedRegistry, id: string, planners: ItemPlanners): TrainMutation {
  const { history, registry } = loaded;
  const target = trainRing(history, id);
  const lines = history.filter((e) => e.train === id);
  ringByName(registry, target);
  const undone = history.find((e) => e.rolls_back === id);
  if (undone) throw new CliError(`refused: train ${id} was already rolled back by train ${undone.train} (${undone.time} by ${undone.actor}); nothing to do`);
  const train = newTrainId(history, ctx.now, `rollback-${target}`);
  const plans = lines.map((line) => {
    const subject = subjectOf(line)!;
    const name = line.image !== undefined ? `image ${line.image}` : `${line.module} ${line.new}`;
    return {
      name,
      plan: (cur: LoadedRegistry) => {
        const stack = promotionStack(cur.history, subject, target);
        const top = stack[stack.length - 1];
        if (top !== line) {
          const why = stack.includes(line)
            ? `${target} has had ${subject} promoted again since (${top.time}${top.train ? `, train ${top.train}` : ''}, ${top.new}); roll that back first`
            : `already rolled back (history shows no promotion of this train left to undo for ${line.image !== undefined ? `the ${line.image} image` : line.module} in ${target})`;
          throw new CliError(`refused: ${why}`);
        }
        if (line.image !== undefined) {
          const component = line.image as RingImageComponent;
          const m = planners.image(cur, component);
          if ('nothing' in m) return undefined;
          return { m, next: (c: LoadedRegistry) => applied(c, m.files, { ring: target, component, ref: m.entry.new }) };
        }
        const m = planners.module(cur, line.module!);
        if ('nothing' in m) return undefined;
        return { m, next: (c: LoadedRegistry) => applied(c, m.files, { ring: target, module: line.module!, version: m.entry.new, sha256: m.entry.new_sha256 ?? null }) };
      },
    };
  });
  const { files, entries, describe } = assemble(`train ${id}`, loaded, lines.length, plans, train, { rolls_back: id });
  const n = `${entries.length} change${entries.length === 1 ? '' : 's'}`;
  return {
    files,
    entries,
    train,
    describe: [`train ${train}: rolls back train ${id} (${lines[0].time} by ${lines[0].actor}): ${n} in ${target}, as one unit`, ...describe],
    summary: `rollback train ${train}: ${n} in ${target}, undoing train ${id}`,
  };
}
