/**
 * `rings approve`: records an approval of a promotion into a ring with `require_approval = true` as
 * an SSH-signed git commit on the current branch (the command signs with `-S` itself), with trailers
 * naming the candidate, the stage, the observation window, the rollback target, any waived gate and
 * the approval time, and appends an `approve` line to the history (informational: the approval gate
 * trusts only the verified commit). The candidate is computed by the same planner `promote` runs, so
 * it is exactly what that promote would pin.
 */
import { boolFlag, ParsedArgs, stringFlag, UsageError } from '../args';
import { ApprovalDraft, ApprovalItem, approvalMessage, Candidate, imageCandidate, moduleCandidate, parseApprovers, principalsOfKey } from '../../operate/approvals';
import { emailOf, ringApproval } from '../approval-gate';
import { CliError, Command, Ctx, DRY_RUN_FLAGS, gateRings, knownModule, LoadedRegistry, Mutation, mutate, MutateHooks, ringByName, SingleMutation } from '../context';
import { formatDuration, GateName, nextConservativeRing } from '../../operate/gates';
import { ApprovalHistoryCandidate, arrivalTime, HISTORY_FILE, HistoryEntry, imageSubject, isoSeconds } from '../../operate/history';
import { LOCK_FILE, JOURNAL_FILE } from '../transaction';
import { effectiveImage, imageComponent, planImagePromotion } from './image-change';
import { planModulePromotion } from './promote';
import { trainItems } from '../../operate/train-items';
import { approversPath, GitError, headApprovers, promoteCommitOf, RegistryRepo, registryRepo, runGit, signingKey, readApprovalRecords } from '../../operate/signed-approvals';

const USAGE =
  'rings approve <module> --to <ring> [--from <ring> | --with-version <v> [--sha256 <hash>]] [--waive GATE,…] [--reason TEXT] [--dry-run [--at TIME]] [--yes] [--json] [--registry DIR]\n' +
  '       rings approve image <api|horizon|nginx> --to <ring> [--from <ring> | --with-image <ref>] [same options]\n' +
  '       rings approve --all --from <ring> --to <ring> [same options]      (a release train: every module pin and image that differs)\n' +
  '       rings approve (<module> | image <component>) --to <ring> --retrospective [--reason TEXT] …   (after an emergency promote)';

/** Gates an approval may knowingly waive (`approval` itself never). */
const WAIVABLE = /^[a-z][a-z-]*$/;

export const approve: Command = {
  name: 'approve',
  summary: 'approve a promotion into a ring with require_approval = true: an SSH-signed git commit naming the exact candidate',
  usage: USAGE,
  help: [
    'The approval is a git commit on the current branch, signed with your SSH key (git config gpg.format ssh and',
    'user.signingkey; the command passes -S itself), with trailers naming the candidate (module@version + sha256, or',
    'image:<component>@<digest>), the stage (--to, and --from), the observation window, the rollback target, any waived gate',
    'and the approval time (the clock: RINGS_NOW, or now). It also appends an `approve` line to history.jsonl. Push it (or',
    'merge it without rewriting: a rebase or squash drops the signature) before the promote.',
    'The approval gate of `rings promote` counts it only when git verifies the signature against rings/approvers as',
    'committed before this commit (%G? = G), the signer is not the promoter, and it is younger than approval_valid.',
    '--from defaults to the ring that promotes into --to. The promotion\'s other gates are checked now, as promote would:',
    'a refusing gate refuses the approval, unless you name it in --waive GATE[,GATE] --reason TEXT (the promote then still',
    'needs --emergency, and its approval gate checks the approval waived every gate the promote waives).',
    '--all --from R1 --to R2 approves every item of the release train (every module pin and ring image where R1 differs',
    'from R2) in one commit. --retrospective approves the latest emergency promote into --to that waived the approval gate,',
    'linking its history entry (time) and its commit. Refused (nothing written) outside a git work tree, when the registry',
    'has uncommitted changes, or when your signing key is in no line of rings/approvers.',
  ].join('\n'),
  positionals: [],
  optionalPositionals: 2,
  flags: {
    to: 'string',
    from: 'string',
    all: 'boolean',
    'with-version': 'string',
    'with-image': 'string',
    sha256: 'string',
    waive: 'string',
    reason: 'string',
    retrospective: 'boolean',
    yes: 'boolean',
    json: 'boolean',
    ...DRY_RUN_FLAGS,
  },
  run(ctx, args) {
    const o = options(args);
    const state: { approver: string | null; repo?: RegistryRepo; draft?: ApprovalDraft } = { approver: null };
    return mutate(ctx, (loaded) => plan(ctx, loaded, o, state), hooks(ctx, state));
  },
};

interface Options {
  readonly to: string;
  readonly all: boolean;
  readonly image: boolean;
  readonly subject?: string;
  readonly from?: string;
  readonly withVersion?: string;
  readonly sha256?: string;
  readonly waive: readonly string[];
  readonly reason: string | null;
  readonly retrospective: boolean;
}

function options(args: ParsedArgs): Options {
  const all = boolFlag(args, 'all');
  const image = args.positionals[0] === 'image';
  const to = stringFlag(args, 'to');
  const from = stringFlag(args, 'from');
  const withVersion = stringFlag(args, image ? 'with-image' : 'with-version');
  const sha256 = stringFlag(args, 'sha256');
  const reason = stringFlag(args, 'reason') ?? null;
  const retrospective = boolFlag(args, 'retrospective');
  const waiveText = stringFlag(args, 'waive');
  const waive = waiveText === undefined ? [] : waiveText.split(',').map((g) => g.trim()).filter(Boolean);
  if (!to) throw new UsageError('missing --to <ring>', USAGE);
  if (all) {
    if (args.positionals.length) throw new UsageError(`--all approves a whole train; drop "${args.positionals.join(' ')}"`, USAGE);
    if (!from) throw new UsageError('--all needs --from <ring> (the train is what --from runs ahead of --to)', USAGE);
    if (retrospective) throw new UsageError('--retrospective approves one emergency promotion: name its module or image', USAGE);
  } else {
    if (args.positionals.length === 0) throw new UsageError('missing <module> (or image <component>, or --all)', USAGE);
    if (image && args.positionals.length !== 2) throw new UsageError('missing <component> after image', USAGE);
    if (!image && args.positionals.length !== 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`, USAGE);
  }
  if (image && stringFlag(args, 'with-version') !== undefined) throw new UsageError('approve image takes --with-image <ref>, not --with-version', USAGE);
  if (!image && stringFlag(args, 'with-image') !== undefined) throw new UsageError('--with-image is for rings approve image <component>', USAGE);
  if ((all || image) && sha256 !== undefined) throw new UsageError('--sha256 goes with --with-version', USAGE);
  if (from !== undefined && withVersion !== undefined) throw new UsageError(`give at most one of --from and ${image ? '--with-image' : '--with-version'}`, USAGE);
  if (sha256 !== undefined && withVersion === undefined) throw new UsageError('--sha256 goes with --with-version (an approval --from carries the source ring\'s sha256)', USAGE);
  if (retrospective && (from !== undefined || withVersion !== undefined || waive.length)) {
    throw new UsageError('--retrospective takes the candidate, source and waived gates from the emergency promote it approves: drop --from, --with-version/--with-image and --waive', USAGE);
  }
  for (const g of waive) {
    if (g === 'approval') throw new UsageError('--waive approval: an approval cannot waive itself (emergency_waives_approval in the ring file decides whether --emergency may)', USAGE);
    if (!WAIVABLE.test(g)) throw new UsageError(`--waive: expected gate names such as soak,verified, got ${JSON.stringify(g)}`, USAGE);
  }
  if (waive.length && !reason) throw new UsageError('--waive needs --reason TEXT (why the gate may be waived is part of the approval)', USAGE);
  return { to, all, image, subject: all ? undefined : image ? args.positionals[1] : args.positionals[0], from, withVersion, sha256, waive, reason, retrospective };
}

/** The ring that promotes into `to` (the one whose next more conservative active ring it is). */
function sourceRing(loaded: LoadedRegistry, to: string): string {
  const rings = gateRings(loaded.registry);
  const dest = ringByName(loaded.registry, to);
  const src = rings
    .filter((r) => r.active && r.promotionOrder > dest.promotionOrder)
    .sort((a, b) => a.promotionOrder - b.promotionOrder)
    .find((r) => nextConservativeRing(rings, r)?.name === to);
  if (!src) throw new CliError(`no active ring promotes into ${to}; name the candidate with --with-version (or --with-image)`);
  return src.name;
}

interface Planned {
  readonly item: ApprovalItem;
  readonly history: ApprovalHistoryCandidate;
  readonly previous: string | null;
  readonly describe: readonly string[];
}

const refusedGate = (e: unknown) => (e instanceof CliError ? /^refused by the (\w[\w-]*) gate: /.exec(e.message)?.[1] : undefined);

function windowOf(loaded: LoadedRegistry, subject: string, from: string | null, version: string, now: Date): string {
  if (from === null) return 'none (a new pin, no source ring)';
  const arrived = arrivalTime(loaded.history, subject, from, version);
  const soak = loaded.registry.rings.find((r) => r.spec.name === from)?.spec.soak ?? '0h';
  if (!arrived) return `${from} unrecorded/${isoSeconds(now)} (history has no arrival; soak ${soak})`;
  return `${from} ${arrived}/${isoSeconds(now)} (${formatDuration(now.getTime() - Date.parse(arrived))}; soak ${soak})`;
}

/** Plans the promotion this approves (without the approval gate), honouring --waive; returns what it would pin. */
function planOne(ctx: Ctx, loaded: LoadedRegistry, o: Options, what: { image: boolean; subject: string; from: string | null }): Planned {
  const promoteOpts = (emergency: boolean) => ({
    from: what.from ?? undefined,
    to: o.to,
    reason: o.reason,
    emergency,
  });
  const run = (emergency: boolean): SingleMutation | { nothing: string } =>
    what.image
      ? planImagePromotion(ctx, loaded, { component: what.subject, withImage: what.from === null ? o.withVersion : undefined, ...promoteOpts(emergency) })
      : planModulePromotion(ctx, loaded, { module: what.subject, withVersion: what.from === null ? o.withVersion : undefined, sha256: o.sha256, ...promoteOpts(emergency) });
  const label = what.image ? `image ${what.subject}` : what.subject;
  let m: SingleMutation | { nothing: string };
  try {
    m = run(o.waive.length > 0);
  } catch (e) {
    const gate = refusedGate(e);
    if (gate) throw new CliError(`${(e as CliError).message}; approve once it passes, or approve with that gate waived: --waive ${gate} --reason TEXT`);
    throw e;
  }
  if ('nothing' in m) throw new CliError(`${m.nothing.replace(/; nothing changed$/, '')}: nothing to approve`);
  const e = m.entry;
  const waived = [...e.gates_waived];
  for (const g of waived) {
    if (!o.waive.includes(g)) {
      const why = m.describe.find((l) => l.startsWith(`  gate ${g}: WAIVED`))?.replace(/^ {2}gate \S+: WAIVED \(--emergency\): /, '');
      throw new CliError(`refused by the ${g} gate: ${why ?? `it refuses this promotion of ${label}`}; approve once it passes, or add it to --waive`);
    }
  }
  for (const g of o.waive) {
    if (!waived.includes(g as GateName) && !o.all) throw new CliError(`--waive ${g}: the ${g} gate does not refuse this promotion of ${label}; drop it`);
  }
  const version = e.new!;
  let candidate: Candidate;
  let rollbackTarget: string;
  if (what.image) {
    candidate = imageCandidate(imageComponent(what.subject, loaded.registry.platform), version);
    if (!candidate.digest) throw new CliError(`${label} ${version} is not pinned by digest, and an approval names an exact artifact; pin it as repo:tag@sha256:…`);
    rollbackTarget = e.previous ?? `the platform default ${effectiveImage(loaded, o.to, imageComponent(what.subject, loaded.registry.platform))}`;
  } else {
    candidate = moduleCandidate(what.subject, version, e.new_sha256 ?? undefined);
    rollbackTarget = e.previous === null ? `(not pinned: a rollback unpins ${what.subject})` : `${what.subject}@${e.previous}${e.previous_sha256 ? ` sha256:${e.previous_sha256}` : ''}`;
  }
  const window = windowOf(loaded, candidate.subject, what.from, version, ctx.now);
  const item: ApprovalItem = { candidate, window, rollbackTarget, waived };
  return {
    item,
    history: { candidate: candidate.id, ...(candidate.sha256 ? { sha256: candidate.sha256 } : {}), ...(what.image ? { ref: version } : {}), rollback_target: rollbackTarget, window, waived },
    previous: e.previous,
    describe: [
      `approve ${o.to} ← ${candidate.id}${candidate.sha256 ? ` sha256:${candidate.sha256}` : ''}${what.from ? ` from ${what.from}` : ''}`,
      `  observed ${window}; rollback target ${rollbackTarget}`,
      ...m.describe.filter((l) => l.startsWith('  gate ')),
    ],
  };
}

/** --retrospective: the latest promote into --to of the subject that waived the approval gate. */
function planRetrospective(ctx: Ctx, loaded: LoadedRegistry, o: Options, state: { approver: string | null; repo?: RegistryRepo }): { planned: Planned; of: HistoryEntry } {
  const subject = o.image ? imageSubject(imageComponent(o.subject!, loaded.registry.platform)) : o.subject!;
  const label = o.image ? `image ${o.subject}` : o.subject!;
  const e = [...loaded.history]
    .reverse()
    .find((x) => x.action === 'promote' && x.to === o.to && (x.image !== undefined ? imageSubject(x.image) : x.module) === subject && x.gates_waived.includes('approval'));
  if (!e && !o.image) knownModule(loaded, o.subject!);
  if (!e) throw new CliError(`history records no emergency promotion of ${label} into ${o.to} that waived the approval gate; nothing to approve retrospectively`);
  const promoter = emailOf(e.actor);
  if (promoter && state.approver && state.approver.split(', ').includes(promoter)) {
    throw new CliError(`refused: ${promoter} made the emergency promotion of ${e.time}; a retrospective approval must come from someone else`);
  }
  const version = e.new!;
  const candidate = o.image ? imageCandidate(imageComponent(o.subject!, loaded.registry.platform), version) : moduleCandidate(o.subject!, version, e.new_sha256 ?? undefined);
  const rollbackTarget = o.image
    ? (e.previous ?? 'the platform default')
    : e.previous === null
      ? `(not pinned: a rollback unpins ${o.subject})`
      : `${o.subject}@${e.previous}${e.previous_sha256 ? ` sha256:${e.previous_sha256}` : ''}`;
  const window = `${o.to} ${e.time}/${isoSeconds(ctx.now)} (running since the emergency promotion)`;
  const waived = [...e.gates_waived];
  const item: ApprovalItem = { candidate, window, rollbackTarget, waived };
  return {
    of: e,
    planned: {
      item,
      history: { candidate: candidate.id, ...(candidate.sha256 ? { sha256: candidate.sha256 } : {}), ...(o.image ? { ref: version } : {}), rollback_target: rollbackTarget, window, waived },
      previous: e.previous,
      describe: [
        `approve ${o.to} ← ${candidate.id} retrospectively: the emergency promotion of ${e.time} by ${e.actor}${e.reason ? ` (${e.reason})` : ''}, which waived ${waived.join(', ')}`,
        `  observed ${window}; rollback target ${rollbackTarget}`,
      ],
    },
  };
}

function plan(ctx: Ctx, loaded: LoadedRegistry, o: Options, state: { approver: string | null; repo?: RegistryRepo; draft?: ApprovalDraft }): Mutation {
  ringByName(loaded.registry, o.to);
  const ring = ringApproval(loaded, o.to);
  const toFile = loaded.registry.rings.find((r) => r.spec.name === o.to)!.file;
  if (!ring) throw new CliError(`${o.to} does not require approval (require_approval = false in ${toFile}); nothing to approve`);
  let planned: Planned[];
  let from: string | null;
  let retrospective: ApprovalDraft['retrospective'];
  if (o.retrospective) {
    const r = planRetrospective(ctx, loaded, o, state);
    planned = [r.planned];
    from = r.of.from;
    retrospective = { time: r.of.time, actor: r.of.actor, commit: state.repo ? promoteCommitOf(state.repo, r.of.time, o.to) : null };
  } else if (o.all) {
    from = o.from!;
    ringByName(loaded.registry, from);
    const { items } = trainItems(loaded.registry, from, o.to);
    if (items.length === 0) throw new CliError(`${from} runs nothing that ${o.to} does not: the train is empty, nothing to approve`);
    planned = [];
    const refusals: string[] = [];
    for (const it of items) {
      try {
        planned.push(planOne(ctx, loaded, o, { image: it.kind === 'image', subject: it.kind === 'image' ? it.component : it.module, from }));
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        refusals.push(`${it.kind === 'image' ? `image ${it.component}` : it.module}: ${e.message}`);
      }
    }
    if (refusals.length) throw new CliError(`refused: ${refusals.length} of the train's ${items.length} items cannot be approved; nothing was written`, refusals);
    const unused = o.waive.filter((g) => !planned.some((p) => p.item.waived.includes(g)));
    if (unused.length) throw new CliError(`--waive ${unused.join(',')}: no item of the train is refused by ${unused.length === 1 ? 'that gate' : 'those gates'}; drop it`);
  } else {
    from = o.withVersion !== undefined ? null : (o.from ?? sourceRing(loaded, o.to));
    planned = [planOne(ctx, loaded, o, { image: o.image, subject: o.subject!, from })];
  }
  const draft: ApprovalDraft = {
    to: o.to,
    from,
    items: planned.map((p) => p.item),
    approvedAt: isoSeconds(ctx.now),
    approver: state.approver,
    actor: ctx.actor(),
    reason: o.reason,
    ...(retrospective ? { retrospective } : {}),
  };
  state.draft = draft;
  const single = planned.length === 1 ? planned[0] : undefined;
  const subjectField = single ? (o.image || single.item.candidate.subject.startsWith('image:') ? { image: single.item.candidate.subject.slice('image:'.length) } : { module: single.item.candidate.subject }) : {};
  const waived = [...new Set(planned.flatMap((p) => p.item.waived))];
  return {
    files: {},
    entry: {
      action: 'approve',
      ...subjectField,
      from,
      to: o.to,
      previous: single ? single.previous : null,
      new: single ? single.item.candidate.version : null,
      reason: o.reason,
      gates_checked: [],
      gates_waived: waived,
      approval: {
        approver: state.approver,
        candidates: planned.map((p) => p.history),
        ...(retrospective ? { retrospective_of: retrospective } : {}),
      },
    },
    describe: [
      ...planned.flatMap((p) => p.describe),
      `  signed by ${state.approver ?? 'your signing key'}; counts for ${ring.validText} (approval_valid of ${o.to})`,
      ...(ctx.dryRun ? ['would commit, signed (-S):', ...approvalMessage(draft).trimEnd().split('\n').map((l) => `  | ${l}`)] : []),
    ],
  };
}

/** Before: a git work tree, a clean registry, SSH signing set up with a key rings/approvers lists. After: the signed commit. */
function hooks(ctx: Ctx, state: { approver: string | null; repo?: RegistryRepo; draft?: ApprovalDraft }): MutateHooks {
  let historyRel = '';
  return {
    before: () => {
      const repo = registryRepo(ctx.registry);
      if (!repo) throw new CliError(`refused: an approval is a signed git commit, and ${ctx.registry} is not in a git work tree; nothing was written`);
      if (!repo.head) throw new CliError('refused: the branch has no commit yet, so there is no rings/approvers committed before an approval; nothing was written');
      state.repo = repo;
      historyRel = `${repo.prefix}${HISTORY_FILE}`;
      const own = [LOCK_FILE, JOURNAL_FILE].map((f) => `:(exclude,top)${repo.prefix}${f}`);
      const dirty = runGit(repo.root, ['status', '--porcelain=v1', '--untracked-files=all', '--', `:(top)${repo.prefix || '.'}`, ...own, ':(exclude,glob)**/.*.tmp-*'])
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(3));
      if (dirty.length) {
        throw new CliError(
          `refused: an approval names what is committed, but ${repo.prefix || './'} has uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ` and ${dirty.length - 5} more` : ''}); commit or stash them first; nothing was written`,
        );
      }
      const key = signingKey(repo.root);
      if (!key.ok) throw new CliError(`refused: ${key.problem}; nothing was written`);
      const file = approversPath(repo);
      const head = headApprovers(repo);
      if (!head.text) throw new CliError(`refused: no ${file} is committed, so no approval can count; commit the approvers (git's allowed_signers format) first; nothing was written`);
      if (!head.chain.ok) throw new CliError(`refused: ${file} is not trusted: ${head.chain.problem}; nothing was written`);
      const parsed = parseApprovers(head.text);
      if (parsed.problems.length) throw new CliError(`refused: ${file} is malformed; nothing was written`, parsed.problems.map((p) => `${file}: line ${p.line}: ${p.message}`));
      if (key.fingerprint) {
        const principals = principalsOfKey(parsed.entries, key.fingerprint);
        if (principals.length === 0) {
          throw new CliError(`refused: your signing key (${key.fingerprint}, git user.signingkey) is in no line of ${file}, so an approval signed with it would not count; nothing was written`);
        }
        state.approver = principals.join(', ');
      }
    },
    after: () => {
      const repo = state.repo!;
      const message = approvalMessage(state.draft!);
      const date = isoSeconds(ctx.now);
      const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
      try {
        runGit(repo.root, ['add', '--', historyRel]);
        runGit(repo.root, ['-c', 'gpg.format=ssh', 'commit', '-q', '-S', '-F', '-', '--', historyRel], { input: message, env });
      } catch (e) {
        // An approval that is not a signed commit is none: take its history line back out.
        try {
          runGit(repo.root, ['checkout', 'HEAD', '--', historyRel]);
        } catch {
          /* reported below */
        }
        if (e instanceof GitError) throw new CliError(`refused: git could not make the signed approval commit (${e.message}); the history line was taken back out, nothing is recorded`);
        throw e;
      }
      const sha = runGit(repo.root, ['rev-parse', 'HEAD']).trim();
      const check = registryRepo(ctx.registry)!;
      const record = readApprovalRecords(check).find((r) => r.claim.commit === sha);
      if (!record || record.status !== 'G' || !record.chain.ok) {
        throw new CliError(
          `the approval is committed as ${sha.slice(0, 12)}, but git does not verify it against ${approversPath(repo)} (%G? = ${record?.status ?? '?'}), so it will not count; undo it with git reset --hard HEAD~1`,
        );
      }
      const subject = message.split('\n')[0];
      return {
        commit: { sha, subject, approver: record.principals.join(', ') },
        text: `committed ${sha.slice(0, 12)}: ${subject}\nsigned by ${record.principals.join(', ')} (verified by git against ${approversPath(repo)}); push it before promoting`,
      };
    },
  };
}

