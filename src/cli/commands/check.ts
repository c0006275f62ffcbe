import { checkPlan } from '../../render/pipeline';
import { resolvePlan } from '../../resolve/resolve-plan';
import { RegistryError } from '../../registry/errors';
import { loadRegistry } from '../../registry/load';
import { boolFlag } from '../args';
import { CliError, Command, loadHistory } from '../context';
import { pendingJournalRefusal } from '../transaction';
import { newHashes } from '../../operate/new-hashes';
import { json } from '../output';
import { approversFileProblems } from '../approval-gate';

export const check: Command = {
  name: 'check',
  summary: 'validate everything synth validates (and history.jsonl), writing nothing; exit 0 valid, 1 invalid',
  usage: 'rings check [--strict] [--json] [--registry DIR]',
  help: 'Also checks the form of rings/approvers (git\'s allowed_signers format; required when a ring sets require_approval = true).\n--strict also reports every module hash in a lock that no other ring pins and no history line records (a new artifact).',
  positionals: [],
  flags: { json: 'boolean', strict: 'boolean' },
  run(ctx, args) {
    // A RegistryError propagates to main, which prints one line per problem and exits 1.
    // checkRegistry runs every rule and every construct validation synth runs, but renders no YAML.
    const pending = pendingJournalRefusal(ctx.registry);
    if (pending) throw new CliError(pending);
    const history = loadHistory(ctx.registry);
    const registry = loadRegistry(ctx.registry);
    const rings = checkPlan(resolvePlan(registry));
    const approvers = approversFileProblems(ctx.registry, registry);
    if (approvers.length) throw new RegistryError(approvers);
    if (boolFlag(args, 'strict')) {
      const fresh = newHashes(registry, history);
      if (fresh.length) throw new RegistryError(fresh);
    }
    const locks = Object.values(registry.locks);
    const summary = {
      valid: true,
      rings: rings.length,
      tenants: rings.reduce((n, r) => n + r.tenants, 0),
      hosts: rings.reduce((n, r) => n + r.hosts, 0),
      historyEntries: history.length,
      lockFormats: Object.fromEntries(locks.map((l) => [l.ring, l.format ?? 'flat'])),
    };
    const hashed = locks.filter((l) => l.format === 'hashed').length;
    if (ctx.json) ctx.io.stdout(json(summary));
    else
      ctx.io.stdout(
        `${ctx.c.green('ok')}: ${ctx.registry} is valid: ${summary.rings} rings, ${summary.tenants} tenants, ${summary.hosts} hosts, ${summary.historyEntries} history entries; ` +
          `locks: ${hashed} hashed (version + sha256), ${locks.length - hashed} flat\n`,
      );
    return 0;
  },
};
