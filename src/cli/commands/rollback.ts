import * as path from 'path';
import { stringFlag, UsageError } from '../args';
import { CliError, Command, DRY_RUN_FLAGS, mutate, ringByName } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';
import { rollbackPlan } from '../history';
import { planImageRollback } from './image-change';
import { checkedLockEdit } from './lock-change';

const USAGE =
  `rings rollback <module> --ring <ring> [--reason TEXT] [--dry-run [--diff] [--at TIME]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]\n` +
  '       rings rollback image <api|horizon|nginx> --ring <ring> [same options]';

export const rollback: Command = {
  name: 'rollback',
  summary: 'restore the version (or ring image) a ring pinned before its last promotion (from the history)',
  usage: USAGE,
  help: "Repeated rollbacks walk back through earlier promotions. Refused when the lock (or ring file) no longer pins what the last recorded promotion set (it was edited outside rings). No gates apply: rolling back is always allowed. In AutoCom's lock form the (version, sha256) pair is restored." + `\n${COMMIT_HELP}`,
  positionals: ['module'],
  optionalPositionals: 1,
  flags: { ring: 'string', reason: 'string', yes: 'boolean', json: 'boolean', ...DRY_RUN_FLAGS, ...COMMIT_FLAGS },
  run(ctx, args) {
    const image = args.positionals.length === 2;
    if (image && args.positionals[0] !== 'image') throw new UsageError(`unexpected argument "${args.positionals[1]}"`, USAGE);
    const module = image ? args.positionals[1] : args.positionals[0];
    const ring = stringFlag(args, 'ring');
    if (!ring) throw new UsageError('missing --ring <ring>', USAGE);
    const reason = stringFlag(args, 'reason') ?? null;
    const hooks = commitHooks(ctx, args);
    return mutate(ctx, (loaded) => {
      if (image) return planImageRollback(ctx, loaded, module, ring, reason);
      const { registry, history } = loaded;
      ringByName(registry, ring);
      const lock = registry.locks[ring];
      const objectForm = lock.format === 'autocom';
      const current = lock.modules[module];
      const currentSha = lock.hashes?.[module] ?? null;
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
    }, hooks);
  },
};
