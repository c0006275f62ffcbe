import { stringFlag } from '../args';
import { Command, loadHistory, summarise } from '../context';
import { filterHistory } from '../history';
import { json } from '../output';

export const history: Command = {
  name: 'history',
  summary: 'the audit trail of assign, promote and rollback (rings/history.jsonl), filtered',
  usage: 'rings history [--module M] [--ring R] [--tenant T] [--train ID] [--json] [--registry DIR]',
  positionals: [],
  flags: { module: 'string', ring: 'string', tenant: 'string', train: 'string', json: 'boolean' },
  run(ctx, args) {
    const entries = filterHistory(loadHistory(ctx.registry), {
      module: stringFlag(args, 'module'),
      ring: stringFlag(args, 'ring'),
      tenant: stringFlag(args, 'tenant'),
      train: stringFlag(args, 'train'),
    });
    if (ctx.json) {
      ctx.io.stdout(json(entries));
      return 0;
    }
    const c = ctx.c;
    for (const e of entries) {
      const reason = e.reason ? c.dim(` — ${e.reason}`) : '';
      ctx.io.stdout(`${c.dim(e.time)}  ${e.actor}  ${summarise(e)}${reason}\n`);
    }
    if (entries.length === 0) ctx.io.stdout('no history entries match\n');
    return 0;
  },
};
