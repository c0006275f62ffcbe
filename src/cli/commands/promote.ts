import * as path from 'path';
import { VERSION } from '../../registry/schema';
import { boolFlag, stringFlag, UsageError } from '../args';
import { CliError, Command, gateRings, mutate, ringByName } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';
import { verifiedGate } from '../evidence-gate';
import { decide, entryGate, GateResult, orderGate, soakGate } from '../gates';
import { arrivalTime, PromotionEvidence } from '../history';
import { formatLock, setLockVersion } from '../toml-edit';

const USAGE =
  `rings promote <module> (--from <ring> | --with-version <v>) --to <ring> [--reason TEXT] [--emergency] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]`;

export const promote: Command = {
  name: 'promote',
  summary: "pin a module version into a ring: from the next less conservative ring, or --with-version into the entry ring",
  usage: USAGE,
  help: [
    'Gates (each refusal exits 1 with one line naming the gate and what would satisfy it):',
    '  order  --from/--to moves exactly one step toward the conservative end (the next active ring with a lower promotion_order)',
    "  soak   the version has run in --from for at least that ring's soak, measured from history.jsonl; no record of its arrival = refused",
    '  entry  --with-version pins only into the least conservative active ring (highest promotion_order)',
    '  verified  (only from a ring with require_verified = true) a passing `rings verify --ring <from> --record` of the',
    "            version, recorded at least the ring's soak after it arrived, and no failing verify since",
    'Each promote entry records its rollback target (the previous pin) and the evidence its gates relied on.',
    '--emergency --reason TEXT waives the gates that refuse; the waiver is recorded in the history.',
    'Only the destination lock is rewritten (sorted keys, 2-space JSON, trailing newline).',
    COMMIT_HELP,
  ].join('\n'),
  positionals: ['module'],
  flags: { from: 'string', to: 'string', 'with-version': 'string', reason: 'string', emergency: 'boolean', yes: 'boolean', json: 'boolean', ...COMMIT_FLAGS },
  run(ctx, args) {
    const module = args.positionals[0];
    const from = stringFlag(args, 'from');
    const to = stringFlag(args, 'to');
    const withVersion = stringFlag(args, 'with-version');
    const reason = stringFlag(args, 'reason') ?? null;
    const emergency = boolFlag(args, 'emergency');
    if (!to) throw new UsageError('missing --to <ring>', USAGE);
    if ((from === undefined) === (withVersion === undefined)) throw new UsageError('give exactly one of --from <ring> and --with-version <v>', USAGE);
    if (emergency && !reason) throw new UsageError('--emergency needs --reason TEXT (the waiver is recorded)', USAGE);

    const hooks = commitHooks(ctx, args);
    return mutate(ctx, ({ registry, history }) => {
      const rings = gateRings(registry);
      const dest = ringByName(registry, to);
      let version: string;
      let results: GateResult[];
      if (from !== undefined) {
        const src = ringByName(registry, from);
        const v = registry.locks[from].modules[module];
        if (v === undefined) throw new CliError(`${from} does not pin ${module} (${registry.locks[from].file}); nothing to promote`);
        version = v;
        results = [orderGate(rings, src, dest), soakGate(history, module, src, version, ctx.now)];
        if (src.requireVerified) results.push(verifiedGate(history, module, src, version, ctx.now));
      } else {
        if (!VERSION.test(withVersion!)) throw new CliError(`invalid version ${JSON.stringify(withVersion)}: expected a semantic version such as "1.6.0"`);
        version = withVersion!;
        results = [entryGate(rings, dest)];
      }
      const lock = registry.locks[to];
      const previous = lock.modules[module] ?? null;
      if (previous === version) return { nothing: `${to} already pins ${module} ${version}; nothing changed` };

      const outcome = decide(results, emergency);
      if (outcome.refusal) throw new CliError(`refused by the ${outcome.refusal.gate} gate: ${outcome.refusal.message}`);

      const evidence: PromotionEvidence[] = [];
      for (const r of results) {
        if (!r.ok) evidence.push({ gate: r.gate, waived: true });
        else if (r.gate === 'soak' && from !== undefined) {
          const arrived = arrivalTime(history, module, from, version);
          if (arrived) evidence.push({ gate: 'soak', arrived });
        } else if ('evidence' in r && r.evidence) evidence.push(r.evidence as PromotionEvidence);
      }
      const rel = `locks/${to}.lock.json`;
      const describe = [`${path.join(ctx.registry, rel)}: ${module} ${previous ?? '(not pinned)'} → ${version}`];
      for (const r of results) describe.push(`  gate ${r.gate}: ${r.ok ? 'passed' : 'WAIVED (--emergency)'}: ${r.message}`);
      return {
        files: { [rel]: formatLock(setLockVersion(lock.modules, module, version)) },
        entry: {
          action: 'promote',
          module,
          from: from ?? null,
          to,
          previous,
          new: version,
          reason,
          gates_checked: outcome.checked,
          gates_waived: outcome.waived,
          rollback_target: previous,
          evidence,
        },
        describe,
      };
    }, hooks);
  },
};
