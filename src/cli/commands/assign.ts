import * as path from 'path';
import { isDnsLabel } from '../../model/kubernetes-names';
import { parseToml } from '../../registry/toml';
import { stringFlag } from '../args';
import { CliError, Command, DRY_RUN_FLAGS, mutate } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';
import { setTenantRing } from '../../registry/edit/toml-edit';

const TENANTS = 'tenants.toml';

export const assign: Command = {
  name: 'assign',
  summary: "move a tenant to a ring (edits tenants.toml in place, keeping comments and formatting)",
  usage: `rings assign <tenant> <ring> [--reason TEXT] [--dry-run [--diff] [--at TIME]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]`,
  help: 'Refuses an unknown or inactive ring. A tenant not yet in tenants.toml is added to the [tenants] table. Both hosts follow the tenant: <tenant>.<segment>.<domain> and <tenant>.<domain>.' + `\n${COMMIT_HELP}`,
  positionals: ['tenant', 'ring'],
  flags: { reason: 'string', yes: 'boolean', json: 'boolean', ...DRY_RUN_FLAGS, ...COMMIT_FLAGS },
  run(ctx, args) {
    const [tenant, ring] = args.positionals;
    const reason = stringFlag(args, 'reason') ?? null;
    const hooks = commitHooks(ctx, args);
    return mutate(ctx, ({ registry, sources }) => {
      if (!isDnsLabel(tenant)) {
        throw new CliError(`invalid tenant name ${JSON.stringify(tenant)}: expected a DNS label (lower-case letters, digits and '-', at most 63 characters)`);
      }
      const target = registry.rings.find((r) => r.spec.name === ring);
      if (!target) throw new CliError(`unknown ring "${ring}"; active rings: ${registry.rings.filter((r) => r.spec.active).map((r) => r.spec.name).join(', ')}`);
      if (!target.spec.active) {
        throw new CliError(`ring "${ring}" is inactive (active = false in ${target.file}); assign to an active ring: ${registry.rings.filter((r) => r.spec.active).map((r) => r.spec.name).join(', ')}`);
      }
      const current = registry.tenants[tenant];
      if (current === ring) return { nothing: `${tenant} is already on ${ring}; nothing changed` };

      const before = sources.get(TENANTS) ?? '';
      const edit = setTenantRing(before, tenant, ring);
      // The line edit must mean exactly this one change, or nothing is written.
      const parsed = parseToml(edit.text);
      const expected = { ...registry.tenants, [tenant]: ring };
      const got = parsed.ok ? (parsed.value.tenants as Record<string, string> | undefined) ?? {} : undefined;
      if (!got || Object.keys(got).length !== Object.keys(expected).length || Object.entries(expected).some(([t, r]) => got[t] !== r)) {
        throw new CliError(`could not edit ${path.join(ctx.registry, TENANTS)} safely (the [tenants] table is not in the one-line-per-tenant form); edit it by hand`);
      }
      const seg = target.spec.hostname_segment;
      const domain = registry.platform.domain;
      return {
        files: { [TENANTS]: edit.text },
        entry: { action: 'assign', tenant, from: current ?? null, to: ring, previous: null, new: null, reason, gates_checked: ['active-ring'], gates_waived: [] },
        describe: [
          `${path.join(ctx.registry, TENANTS)}: ${tenant} = ${current ? `"${current}"` : '(new tenant)'} → "${ring}"`,
          `  ${tenant}.${domain} and ${tenant}.${seg}.${domain} will be served by ${ring} (namespace ${target.spec.namespace}) after the next synth and deploy`,
        ],
      };
    }, hooks);
  },
};
