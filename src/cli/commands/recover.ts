import { Command } from '../context';
import { json } from '../output';
import { acquireLock, recover as rollForward } from '../transaction';
import { summariseLine } from '../context';

export const recover: Command = {
  name: 'recover',
  summary: 'complete a command that was interrupted (its journal, .pending.json), or say there is none',
  usage: 'rings recover [--json] [--registry DIR]',
  help: 'Every mutating command also does this first. check and synth refuse while a journal exists.',
  positionals: [],
  flags: { json: 'boolean' },
  run(ctx) {
    const release = acquireLock(ctx.registry);
    try {
      const line = rollForward(ctx.registry);
      if (ctx.json) ctx.io.stdout(json({ recovered: line ? JSON.parse(line) : null }));
      else ctx.io.stdout(line ? `${ctx.c.green('recovered')}: completed ${summariseLine(line)}\n` : 'nothing to recover\n');
      return 0;
    } finally {
      release();
    }
  },
};
