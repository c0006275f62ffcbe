import { checkRegistry } from '../../pipeline';
import { Command, loadHistory } from '../context';
import { json } from '../output';

export const check: Command = {
  name: 'check',
  summary: 'validate everything synth validates (and history.jsonl), writing nothing; exit 0 valid, 1 invalid',
  usage: 'rings check [--json] [--registry DIR]',
  positionals: [],
  flags: { json: 'boolean' },
  run(ctx) {
    // A RegistryError propagates to main, which prints one line per problem and exits 1.
    // checkRegistry runs every rule and every construct validation synth runs, but renders no YAML.
    const history = loadHistory(ctx.registry);
    const rings = checkRegistry(ctx.registry);
    const summary = {
      valid: true,
      rings: rings.length,
      tenants: rings.reduce((n, r) => n + r.tenants, 0),
      hosts: rings.reduce((n, r) => n + r.hosts, 0),
      historyEntries: history.length,
    };
    if (ctx.json) ctx.io.stdout(json(summary));
    else ctx.io.stdout(`${ctx.c.green('ok')}: ${ctx.registry} is valid: ${summary.rings} rings, ${summary.tenants} tenants, ${summary.hosts} hosts, ${summary.historyEntries} history entries\n`);
    return 0;
  },
};
