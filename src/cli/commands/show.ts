import { resolvePlan, RingPlan } from '../../resolve/resolve-plan';
import { componentNames } from '../../registry/schema/presets';
import { boolFlag } from '../args';
import { Command, loadAll, unknownRing } from '../context';
import { json, table } from '../output';

/** `us-1 (server https://us-1.k8s.acme.io)`, `eu-1 (home cluster, with the shared layer)`. */
function clusterLine(plan: RingPlan, name: string): string {
  const c = plan.clusters!.find((x) => x.name === name)!;
  return `${name} (${[c.home ? 'home cluster, with the shared layer' : 'reaches the shared services at their remote_host', c.server ? `server ${c.server}` : ''].filter(Boolean).join('; ')})`;
}

export const show: Command = {
  name: 'show',
  summary: "one ring in detail; --tenants lists its tenants and hosts, --modules its pinned versions",
  usage: 'rings show <ring> [--tenants] [--modules] [--json] [--registry DIR]',
  positionals: ['ring'],
  flags: { tenants: 'boolean', modules: 'boolean', json: 'boolean' },
  run(ctx, args) {
    const name = args.positionals[0];
    const { registry } = loadAll(ctx.registry);
    const plan = resolvePlan(registry);
    const r = plan.rings.find((x) => x.name === name);
    if (!r) throw unknownRing(name, plan.rings.map((x) => x.name));
    const spec = registry.rings.find((x) => x.spec.name === name)!.spec;
    const tenants = (r.tenants ?? []).map((t) => ({
      tenant: t,
      hosts: [`${t}.${r.hostnameSegment}.${r.domain}`, `${t}.${r.domain}`],
    }));
    const lock = registry.locks[name].modules;
    const detail = {
      ring: r.name,
      displayName: r.displayName,
      description: r.description,
      namespace: r.namespace,
      ...(r.cluster !== undefined ? { cluster: r.cluster } : {}),
      hostnameSegment: r.hostnameSegment,
      promotionOrder: r.promotionOrder,
      default: r.isDefault ?? false,
      active: r.active,
      soak: r.soak,
      replicas: spec.replicas,
      hpa: spec.hpa ?? null,
      tenantCount: tenants.length,
      moduleCount: r.modules,
      apiMemoryLimitMib: r.apiMemoryLimitMib,
      lockFile: registry.locks[name].file,
      ...(boolFlag(args, 'tenants') ? { tenants } : {}),
      ...(boolFlag(args, 'modules') ? { modules: lock } : {}),
    };
    if (ctx.json) {
      ctx.io.stdout(json(detail));
      return 0;
    }
    const c = ctx.c;
    const rows: [string, string][] = [
      ['ring', `${c.bold(r.name)} (${r.displayName})`],
      ['description', r.description ?? ''],
      ['namespace', r.namespace],
      ...(r.cluster !== undefined ? [['cluster', clusterLine(plan, r.cluster)] as [string, string]] : []),
      ['hosts', `<tenant>.${r.hostnameSegment}.${r.domain} and <tenant>.${r.domain}${r.isDefault ? ` (default ring: unlisted tenants land here)` : ''}`],
      ['promotion order', `${r.promotionOrder}${r.active ? '' : ` ${c.red('(inactive)')}`}`],
      ['soak', r.soak],
      ['replicas', `${componentNames(registry.platform).map((n) => `${n} ${(spec.replicas as Record<string, number>)[n]}`).join(', ')}${spec.hpa ? `; ${registry.platform.preset === 'none' ? registry.platform.entry : 'api'} HPA ${spec.hpa.min}–${spec.hpa.max} at ${spec.hpa.cpu_utilization_percent}% CPU` : ''}`],
      ['tenants', String(tenants.length)],
      ['modules', `${r.modules} (${registry.locks[name].file})`],
      [`${r.memoryComponent} memory`, `limit ${r.apiMemoryLimitMib}Mi`],
    ];
    for (const [k, v] of rows) ctx.io.stdout(`${c.dim(k.padEnd(16))} ${v}\n`);
    if (boolFlag(args, 'tenants')) {
      ctx.io.stdout('\n');
      ctx.io.stdout(table([['TENANT', 'HOSTS'], ...tenants.map((t) => [t.tenant, t.hosts.join(', ')])], c.dim));
    }
    if (boolFlag(args, 'modules')) {
      ctx.io.stdout('\n');
      ctx.io.stdout(table([['MODULE', 'VERSION'], ...Object.keys(lock).sort().map((m) => [m, lock[m]])], c.dim));
    }
    return 0;
  },
};
