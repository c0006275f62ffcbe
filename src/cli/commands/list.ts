import { resolvePlan } from '../../resolve/resolve-plan';
import { Command, loadAll } from '../context';
import { json, table } from '../output';
import type { RingSummaryOf } from '../../model/ring-summary';


export const list: Command = {
  name: 'list',
  summary: 'every ring: namespace, promotion order, default/active, tenants, modules, api memory limit',
  usage: 'rings list [--json] [--registry DIR]',
  positionals: [],
  flags: { json: 'boolean' },
  run(ctx) {
    const { registry } = loadAll(ctx.registry);
    const plan = resolvePlan(registry);
    const rows: RingSummaryOf<'promotionOrder' | 'default' | 'active' | 'soak' | 'tenants' | 'modules' | 'apiMemoryLimitMib'>[] = plan.rings.map((r) => ({
      ring: r.name,
      ...(r.cluster !== undefined ? { cluster: r.cluster } : {}),
      namespace: r.namespace,
      promotionOrder: r.promotionOrder,
      default: r.isDefault ?? false,
      active: r.active,
      soak: r.soak,
      tenants: Object.values(registry.tenants).filter((t) => t === r.name).length,
      modules: r.modules,
      apiMemoryLimitMib: r.apiMemoryLimitMib,
    }));
    if (ctx.json) {
      ctx.io.stdout(json(rows));
      return 0;
    }
    const c = ctx.c;
    // The CLUSTER column only with [clusters]: a single-cluster registry lists as it always did.
    const multi = plan.clusters !== undefined;
    ctx.io.stdout(
      table(
        [
          ['RING', 'NAMESPACE', ...(multi ? ['CLUSTER'] : []), 'ORDER', 'DEFAULT', 'ACTIVE', 'SOAK', 'TENANTS', 'MODULES', 'API MEMORY'],
          ...rows.map((r) => [
            c.bold(r.ring),
            r.namespace,
            ...(multi ? [r.cluster!] : []),
            String(r.promotionOrder),
            r.default ? c.green('yes') : 'no',
            r.active ? 'yes' : c.red('no'),
            r.soak,
            String(r.tenants),
            String(r.modules),
            `${r.apiMemoryLimitMib}Mi`,
          ]),
        ],
        c.dim,
      ),
    );
    return 0;
  },
};
