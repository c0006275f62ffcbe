import * as path from 'path';
import { SHA256, VERSION } from '../../registry/schema/schema';
import { boolFlag, ParsedArgs, stringFlag, UsageError } from '../args';
import { CliError, Command, Ctx, DRY_RUN_FLAGS, GateRefusal, gateRings, knownModule, knownModules, LoadedRegistry, mutate, ringByName, SingleMutation } from '../context';
import { didYouMean } from '../../registry/errors';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';
import { analysisGates } from '../../operate/analysis-gate';
import { verifiedGate } from '../../operate/evidence-gate';
import { decide, entryGate, GateResult, orderGate, soakGate } from '../../operate/gates';
import { promotionEvidence } from '../../operate/history';
import { checkedLockEdit } from './lock-change';
import { planImagePromotion } from './image-change';
import { planTrainPromotion } from './train';
import { approvalGate, ApprovalEnv, promoterIdentities } from '../approval-gate';
import { moduleCandidate } from '../../operate/approvals';

const USAGE =
  `rings promote <module> (--from <ring> | --with-version <v> [--sha256 <hash>]) --to <ring> [--reason TEXT] [--emergency] [--dry-run [--diff] [--at TIME]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]\n` +
  '       rings promote image <api|horizon|nginx> (--from <ring> | --with-image <ref>) --to <ring> [same options]\n' +
  '       rings promote --all --from <ring> --to <ring> [same options]   (a release train)';

export const promote: Command = {
  name: 'promote',
  summary: 'pin a module version (or a ring image) into a ring: from the next less conservative ring, or a new one into the entry ring',
  usage: USAGE,
  help: [
    'Gates (each refusal exits 1 with one line naming the gate and what would satisfy it):',
    '  order  --from/--to moves exactly one step toward the conservative end (the next active ring with a lower promotion_order)',
    "  soak   the version has run in --from for at least that ring's soak, measured from history.jsonl; no record of its arrival = refused",
    '  entry  --with-version / --with-image pins only into the least conservative active ring (highest promotion_order)',
    '  verified  (only from a ring with require_verified = true) a passing `rings verify --ring <from> --record` that saw the',
    "            version (or image), recorded at least the ring's soak after it arrived, and no failing verify since",
    '  analysis  (only from a ring with [[analysis.checks]]) a passing `rings verify --ring <from> --metrics --record` that',
    "            measured the version (or image) with every declared check, recorded at least the ring's soak (and window) after it",
    '            arrived, and no failing metric verify since',
    '  approval  (only into a ring with require_approval = true) a signed approval commit of this exact candidate',
    '            (rings approve) by an approver in rings/approvers other than the promoter, younger than approval_valid;',
    '            --emergency waives it only where the ring sets emergency_waives_approval = true',
    'Each promote entry records its rollback target (the previous pin) and the evidence its gates relied on.',
    '--emergency --reason TEXT waives the gates that refuse; the waiver is recorded in the history.',
    "Only the changed entry of the destination lock is rewritten; every other byte stays. A lock in the hashed form",
    '(version + sha256) gets the pair: from --from, or --with-version <v> --sha256 <64 hex>.',
    "`promote image` pins an image in the destination ring file's [images] table (one line).",
    '--all --from R1 --to R2 promotes, as one unit (a release train), every module pin and ring image where R1 differs',
    'from R2: each item through every gate above, as its single promote would; if any item is refused nothing is written',
    'and the refusal lists every refused item. Each item gets its own history line, all sharing one `train` id',
    '(<from>-<to>-<time>); --commit makes one commit (`promote(edge): 5 changes from canary`). Undo it with',
    'rings rollback --train <id>.',
    COMMIT_HELP,
  ].join('\n'),
  positionals: [],
  optionalPositionals: 2,
  flags: {
    all: 'boolean',
    from: 'string',
    to: 'string',
    'with-version': 'string',
    'with-image': 'string',
    sha256: 'string',
    reason: 'string',
    emergency: 'boolean',
    yes: 'boolean',
    json: 'boolean',
    ...DRY_RUN_FLAGS,
    ...COMMIT_FLAGS,
  },
  run(ctx, args) {
    if (boolFlag(args, 'all')) return promoteTrain(ctx, args);
    if (args.positionals.length === 0) throw new UsageError('missing <module> (or --all for a release train)', USAGE);
    const image = args.positionals.length === 2;
    if (image && args.positionals[0] !== 'image') throw new UsageError(`unexpected argument "${args.positionals[1]}"`, USAGE);
    const subject = image ? args.positionals[1] : args.positionals[0];
    const from = stringFlag(args, 'from');
    const to = stringFlag(args, 'to');
    const withVersion = stringFlag(args, image ? 'with-image' : 'with-version');
    const sha256 = stringFlag(args, 'sha256');
    const reason = stringFlag(args, 'reason') ?? null;
    const emergency = boolFlag(args, 'emergency');
    if (!to) throw new UsageError('missing --to <ring>', USAGE);
    if (image && stringFlag(args, 'with-version') !== undefined) throw new UsageError('promote image takes --with-image <ref>, not --with-version', USAGE);
    if (!image && stringFlag(args, 'with-image') !== undefined) throw new UsageError('--with-image is for rings promote image <component>', USAGE);
    const newFlag = image ? '--with-image <ref>' : '--with-version <v>';
    if ((from === undefined) === (withVersion === undefined)) throw new UsageError(`give exactly one of --from <ring> and ${newFlag}`, USAGE);
    if (sha256 !== undefined && (image || withVersion === undefined)) throw new UsageError('--sha256 goes with --with-version (a promotion --from carries the source ring\'s sha256)', USAGE);
    if (emergency && !reason) throw new UsageError('--emergency needs --reason TEXT (the waiver is recorded)', USAGE);

    const hooks = commitHooks(ctx, args);
    const approval = approvalEnvOf(ctx, boolFlag(args, 'commit'));
    return mutate(ctx, (loaded) => {
      if (image) return planImagePromotion(ctx, loaded, { component: subject, from, to, withImage: withVersion, reason, emergency, approval });
      return planModulePromotion(ctx, loaded, { module: subject, from, to, withVersion, sha256, reason, emergency, approval });
    }, hooks);
  },
};

/** `rings promote --all --from R1 --to R2`: a release train (train.ts), each item planned by the single planners below. */
function promoteTrain(ctx: Ctx, args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`--all promotes everything --from runs ahead of --to; drop "${args.positionals.join(' ')}"`, USAGE);
  for (const f of ['with-version', 'with-image', 'sha256']) {
    if (stringFlag(args, f) !== undefined) throw new UsageError(`--all promotes what --from runs; --${f} pins a new version into the entry ring and does not go with it`, USAGE);
  }
  const from = stringFlag(args, 'from');
  const to = stringFlag(args, 'to');
  if (!from) throw new UsageError('--all needs --from <ring>', USAGE);
  if (!to) throw new UsageError('missing --to <ring>', USAGE);
  const reason = stringFlag(args, 'reason') ?? null;
  const emergency = boolFlag(args, 'emergency');
  if (emergency && !reason) throw new UsageError('--emergency needs --reason TEXT (the waiver is recorded)', USAGE);
  const hooks = commitHooks(ctx, args);
  const common = { from, to, reason, emergency, approval: approvalEnvOf(ctx, boolFlag(args, 'commit')) };
  return mutate(
    ctx,
    (loaded) =>
      planTrainPromotion(ctx, loaded, { from, to }, {
        module: (cur, module) => planModulePromotion(ctx, cur, { ...common, module }),
        image: (cur, component) => planImagePromotion(ctx, cur, { ...common, component }),
      }),
    hooks,
  );
}

/** The approval gate's view of this promote (approval-gate.ts): its clock and who is promoting. */
export function approvalEnvOf(ctx: { registry: string; now: Date; actor: () => string }, withCommit: boolean): ApprovalEnv {
  let ids: readonly string[] | undefined;
  return { registry: ctx.registry, now: ctx.now, promoters: () => (ids ??= promoterIdentities(ctx.registry, ctx.actor(), withCommit)) };
}

export interface ModulePromotion {
  readonly module: string;
  readonly from?: string;
  readonly to: string;
  readonly withVersion?: string;
  readonly sha256?: string;
  readonly reason: string | null;
  readonly emergency: boolean;
  /** The approval gate's inputs; without it the gate is not run (`rings approve` plans the promotion it approves). */
  readonly approval?: ApprovalEnv;
}

export function planModulePromotion(ctx: { registry: string; now: Date }, loaded: LoadedRegistry, o: ModulePromotion): SingleMutation | { nothing: string } {
  const { registry, history } = loaded;
  const { module, from, to } = o;
  const rings = gateRings(registry);
  const dest = ringByName(registry, to);
  const lock = registry.locks[to];
  const objectForm = lock.format === 'hashed';
  let version: string;
  let sha: string | undefined;
  let results: GateResult[];
  if (from !== undefined) {
    const src = ringByName(registry, from);
    const v = registry.locks[from].modules[module];
    if (v === undefined) knownModule(loaded, module);
    if (v === undefined) throw new CliError(`${from} does not pin ${module} (${registry.locks[from].file}); nothing to promote`);
    version = v;
    sha = registry.locks[from].hashes?.[module];
    if (objectForm && sha === undefined) {
      throw new CliError(
        `${lock.file} pins each module with its sha256, but ${registry.locks[from].file} (flat form) has none for ${module} ${v}; pin it with --with-version ${v} --sha256 <hash> --emergency --reason TEXT, or move ${from}'s lock to the hashed form`,
      );
    }
    results = [orderGate(rings, src, dest), soakGate(history, module, src, version, ctx.now)];
    if (src.requireVerified) results.push(verifiedGate(history, module, src, version, ctx.now));
    results.push(...analysisGates(registry, history, module, from, version, ctx.now));
  } else {
    if (!VERSION.test(o.withVersion!)) throw new CliError(`invalid version ${JSON.stringify(o.withVersion)}: expected a semantic version such as "1.6.0"`);
    version = o.withVersion!;
    sha = o.sha256;
    if (objectForm && sha === undefined) {
      throw new UsageError(`${lock.file} is in the hashed form (version + sha256): --with-version needs --sha256 <64 lower-case hex>`, USAGE);
    }
    if (sha !== undefined && !SHA256.test(sha)) throw new CliError(`invalid sha256 ${JSON.stringify(sha)}: expected 64 lower-case hex characters`);
    if (sha !== undefined && !objectForm) throw new CliError(`${lock.file} is in the flat form (module → version) and has no place for a sha256; drop --sha256, or move the lock to the hashed form`);
    results = [entryGate(rings, dest)];
  }
  // A new pin of an alias no ring pins adds a module: said in the confirmation, with the likely typo.
  const known = from === undefined ? knownModules(registry, history) : [];
  const newModule = from === undefined && !known.includes(module) ? `  note: no ring pins ${module} yet, so this adds a new module${didYouMean(module, known)}` : undefined;
  const previous = lock.modules[module] ?? null;
  const previousSha = lock.hashes?.[module] ?? null;
  if (previous === version && (!objectForm || previousSha === sha)) return { nothing: `${to} already pins ${module} ${version}; nothing changed` };

  // approval gate (approval-gate.ts): into a ring with require_approval = true
  const approval = o.approval && approvalGate(o.approval, loaded, { candidate: moduleCandidate(module, version, objectForm ? sha : undefined), from: from ?? null, to, others: results, emergency: o.emergency });
  if (approval) results.push(approval);
  const outcome = decide(results, o.emergency);
  if (outcome.refusal) throw new GateRefusal(results.filter((r) => !r.ok));

  const rel = `locks/${to}.lock.json`;
  const text = checkedLockEdit(path.join(ctx.registry, rel), loaded.sources.get(rel)!, lock, module, { version, sha256: objectForm ? sha : undefined });
  const hashNote = objectForm ? ` (sha256 ${previousSha ? `${previousSha.slice(0, 12)}… → ` : ''}${sha!.slice(0, 12)}…)` : '';
  const describe = [`${path.join(ctx.registry, rel)}: ${module} ${previous ?? '(not pinned)'} → ${version}${hashNote}`];
  for (const r of results) describe.push(`  gate ${r.gate}: ${r.ok ? 'passed' : 'WAIVED (--emergency)'}: ${r.message}`);
  if (newModule) describe.push(newModule);
  return {
    files: { [rel]: text },
    entry: {
      action: 'promote',
      module,
      from: from ?? null,
      to,
      previous,
      new: version,
      ...(objectForm ? { previous_sha256: previousSha, new_sha256: sha ?? null } : {}),
      reason: o.reason,
      gates_checked: outcome.checked,
      gates_waived: outcome.waived,
      rollback_target: previous,
      evidence: promotionEvidence(results, history, module, from, version),
    },
    describe,
  };
}
