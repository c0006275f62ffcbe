import * as path from 'path';
import { stringFlag, UsageError } from '../args';
import { CliError, Command, mutate, ringByName } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';
import { rollbackPlan } from '../history';
import { formatLock, setLockVersion } from '../toml-edit';

const USAGE = `rings rollback <module> --ring <ring> [--reason TEXT] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]`;

export const rollback: Command = {
  name: 'rollback',
  summary: 'restore the version a ring pinned before its last promotion of a module (from the history)',
  usage: USAGE,
  help: 'Repeated rollbacks walk back through earlier promotions. Refused when the lock no longer pins what the last recorded promotion set (it was edited outside rings). No gates apply: rolling back is always allowed.' + `\n${COMMIT_HELP}`,
  positionals: ['module'],
  flags: { ring: 'string', reason: 'string', yes: 'boolean', json: 'boolean', ...COMMIT_FLAGS },
  run(ctx, args) {
    const module = args.positionals[0];
    const ring = stringFlag(args, 'ring');
    if (!ring) throw new UsageError('missing --ring <ring>', USAGE);
    const reason = stringFlag(args, 'reason') ?? null;
    const hooks = commitHooks(ctx, args);
    return mutate(ctx, ({ registry, history }) => {
      ringByName(registry, ring);
      const lock = registry.locks[ring];
      const current = lock.modules[module];
      const plan = rollbackPlan(history, module, ring, current);
      if (!plan.ok) throw new CliError(`refused: ${plan.message}`);
      const rel = `locks/${ring}.lock.json`;
      return {
        files: { [rel]: formatLock(setLockVersion(lock.modules, module, plan.target)) },
        entry: { action: 'rollback', module, from: null, to: ring, previous: current ?? null, new: plan.target, reason, gates_checked: [], gates_waived: [] },
        describe: [
          `${path.join(ctx.registry, rel)}: ${module} ${current} → ${plan.target ?? '(removed)'}`,
          `  undoing the promotion of ${plan.undoing.time} by ${plan.undoing.actor}${plan.undoing.reason ? ` (${plan.undoing.reason})` : ''}`,
        ],
      };
    }, hooks);
  },
};
