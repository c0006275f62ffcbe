import { Command, loadAll, renderSources } from '../context';
import { json } from '../output';

export const check: Command = {
  name: 'check',
  summary: 'validate everything synth validates (and history.jsonl), writing nothing; exit 0 valid, 1 invalid',
  usage: 'rings check [--json] [--registry DIR]',
  positionals: [],
  flags: { json: 'boolean' },
  run(ctx) {
    // A RegistryError propagates to main, which prints one line per problem and exits 1.
    const { sources, registry, history } = loadAll(ctx.registry);
    const { result } = renderSources(ctx.registry, sources);
    const summary = {
      valid: true,
      rings: registry.rings.length,
      tenants: Object.keys(registry.tenants).length,
      objects: result.charts.reduce((n, ch) => n + ch.objects.length, 0),
      historyEntries: history.length,
    };
    if (ctx.json) ctx.io.stdout(json(summary));
    else ctx.io.stdout(`${ctx.c.green('ok')}: ${ctx.registry} is valid: ${summary.rings} rings, ${summary.tenants} tenants, ${summary.objects} objects, ${summary.historyEntries} history entries\n`);
    return 0;
  },
};
