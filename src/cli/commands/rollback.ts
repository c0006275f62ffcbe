import * as path from 'path';
import { ParsedArgs, stringFlag, UsageError } from '../args';
import { CliError, Command, Ctx, DRY_RUN_FLAGS, knownModule, LoadedRegistry, mutate, ringByName, SingleMutation } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';
import { rollbackPlan } from '../../operate/history';
import { planImageRollback } from './image-change';
import { checkedLockEdit } from './lock-change';
import { planTrainRollback, trainRing } from './train';

const USAGE =
  `rings rollback <module> --ring <ring> [--reason TEXT] [--dry-run [--diff] [--at TIME]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]\n` +
  '       rings rollback image <api|horizon|nginx> --ring <ring> [same options]\n' +
  '       rings rollback --train <id> [same options]   (every item of a release train, as one unit)';

export const rollback: Command = {
  name: 'rollback',
  summary: 'restore the version (or ring image) a ring pinned before its last promotion (from the history)',
  usage: USAGE,
  help:
    "Repeated rollbacks walk back through earlier promotions. Refused when the lock (or ring file) no longer pins what the last recorded promotion set (it was edited outside rings). No gates apply: rolling back is always allowed. In the hashed lock form the (version, sha256) pair is restored." +
    '\n--train <id> rolls back every item of that release train in the ring it promoted into, as one unit: each item as its single rollback would, ' +
    "refused (nothing written, one line per item) when any item is no longer the ring's last promotion of it. Its lines share a new train id " +
    '(rollback-<ring>-<time>) and name the train they undo (rolls_back).' +
    `\n${COMMIT_HELP}`,
  positionals: [],
  optionalPositionals: 2,
  flags: { train: 'string', ring: 'string', reason: 'string', yes: 'boolean', json: 'boolean', ...DRY_RUN_FLAGS, ...COMMIT_FLAGS },
  run(ctx, args) {
    const train = stringFlag(args, 'train');
    if (train !== undefined) return rollbackTrain(ctx, args, train);
    if (args.positionals.length === 0) throw new UsageError('missing <module> (or --train <id>)', USAGE);
    const image = args.positionals.length === 2;
    if (image && args.positionals[0] !== 'image') throw new UsageError(`unexpected argument "${args.positionals[1]}"`, USAGE);
    const module = image ? args.positionals[1] : args.positionals[0];
    const ring = stringFlag(args, 'ring');
    if (!ring) throw new UsageError('missing --ring <ring>', USAGE);
    const reason = stringFlag(args, 'reason') ?? null;
    const hooks = commitHooks(ctx, args);
    return mutate(ctx, (loaded) => {
      if (image) return planImageRollback(ctx, loaded, module, ring, reason);
      return planModuleRollback(ctx, loaded, module, ring, reason);
    }, hooks);
  },
};

/** `rings rollback --train ID`: train.ts, each item planned by the single planners. */
function rollbackTrain(ctx: Ctx, args: ParsedArgs, id: string): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`--train rolls back every item of the train; drop "${args.positionals.join(' ')}"`, USAGE);
  const ring = stringFlag(args, 'ring');
  const reason = stringFlag(args, 'reason') ?? null;
  const hooks = commitHooks(ctx, args);
  return mutate(
    ctx,
    (loaded) => {
      const target = trainRing(loaded.history, id);
      if (ring !== undefined && ring !== target) throw new CliError(`refused: train ${id} promoted into ${target}, not ${ring}`);
      return planTrainRollback(ctx, loaded, id, {
        module: (cur, module) => planModuleRollback(ctx, cur, module, target, reason),
        image: (cur, component) => planImageRollback(ctx, cur, component, target, reason),
      });
    },
    hooks,
  );
}

/** `rings rollback <module> --ring R`: the pin (and sha256) R had before its last promotion of the module. */
export function planModuleRollback(ctx: { registry: string }, loaded: LoadedRegistry, module: string, ring: string, reason: string | null): SingleMutation {
  const { registry, history } = loaded;
  ringByName(registry, ring);
  const lock = registry.locks[ring];
  const objectForm = lock.format === 'hashed';
  const current = lock.modules[module];
  const currentSha = lock.hashes?.[module] ?? null;
  if (current === undefined) knownModule(loaded, module);
  const plan = rollbackPlan(history, module, ring, current);
  if (!plan.ok) throw new CliError(`refused: ${plan.message}`);
  if (objectForm && plan.undoing.new_sha256 !== undefined && plan.undoing.new_sha256 !== currentSha) {
    throw new CliError(
      `refused: ${ring} pins ${module} ${current} with sha256 ${currentSha} but the last promotion recorded ${plan.undoing.new_sha256}; the lock was changed outside rings, so restore it by hand`,
    );
  }
  if (objectForm && plan.target !== null && !plan.targetSha256) {
    throw new CliError(`refused: the history does not record the sha256 ${ring} pinned ${module} ${plan.target} with, and ${lock.file} needs one; restore it by hand`);
  }
  const rel = `locks/${ring}.lock.json`;
  const text = checkedLockEdit(path.join(ctx.registry, rel), loaded.sources.get(rel)!, lock, module, plan.target === null ? null : { version: plan.target, sha256: objectForm ? plan.targetSha256! : undefined });
  return {
    files: { [rel]: text },
    entry: {
      action: 'rollback',
      module,
      from: null,
      to: ring,
      previous: current ?? null,
      new: plan.target,
      ...(objectForm ? { previous_sha256: currentSha, new_sha256: plan.target === null ? null : plan.targetSha256 } : {}),
      reason,
      gates_checked: [],
      gates_waived: [],
    },
    describe: [
      `${path.join(ctx.registry, rel)}: ${module} ${current} → ${plan.target ?? '(removed)'}`,
      `  undoing the promotion of ${plan.undoing.time} by ${plan.undoing.actor}${plan.undoing.reason ? ` (${plan.undoing.reason})` : ''}`,
    ],
  };
}
