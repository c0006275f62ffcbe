import { Command } from '../context';
import { json } from '../output';
import { acquireLock, recover as rollForward } from '../transaction';
import { summariseLines } from '../context';

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
      const lines = line?.split('\n') ?? [];
      // One line: the entry (as before); a train: every entry it recorded.
      if (ctx.json) ctx.io.stdout(json({ recovered: lines.length === 0 ? null : lines.length === 1 ? JSON.parse(lines[0]) : lines.map((l) => JSON.parse(l)) }));
      else ctx.io.stdout(line ? `${ctx.c.green('recovered')}: completed ${summariseLines(line)}\n` : 'nothing to recover\n');
      return 0;
    } finally {
      release();
    }
  },
};
