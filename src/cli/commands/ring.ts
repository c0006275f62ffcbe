/**
 * `rings ring add <name> --after|--before <ring>` and `rings ring retire <name>`: a ring's files, written or
 * removed as one recorded, validated change.
 */
import * as path from 'path';
import { isDnsLabel } from '../../model/kubernetes-names';
import { componentNames } from '../../registry/schema/presets';
import { stringFlag, UsageError } from '../args';
import { CliError, Command, DRY_RUN_FLAGS, LoadedRegistry, Mutation, mutate, unknownRing } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';

const USAGE = `rings ring add <name> (--after <ring> | --before <ring>) [--soak DURATION] [--reason TEXT] [--dry-run [--diff]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]\n       rings ring retire <name> [--reason TEXT] [--dry-run [--diff]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]`;

export const ring: Command = {
  name: 'ring',
  summary: 'add a ring next to another in the promotion path (ring file and lock, validated first) or retire an empty one',
  usage: USAGE,
  help: [
    'add: the new ring lands next to the ring named, in the promotion path (versions move from the least conservative ring,',
    '     highest promotion_order, toward the most conservative, 0):',
    '       --after R   one step less conservative than R: versions reach the new ring just before R (… → new → R → …)',
    '       --before R  one step more conservative than R: versions reach it right after R (… → R → new → …)',
    '     Its promotion_order lies between its two neighbours; the confirmation prints where it lands (between which rings,',
    '     and the whole path). Its lock is a byte-for-byte copy of its more conservative neighbour\'s lock (of R for --before R',
    '     at the conservative end), namespace <platform>-<name>, hostname segment <name>, replicas as that neighbour, images',
    '     the platform defaults.',
    '     --soak DURATION (e.g. 24h, 7d): how long a version runs in the new ring before it may be promoted on. Without it the',
    '     new ring takes the soak of its less conservative neighbour (the ring that promotes into it), never the most',
    '     conservative ring\'s; a ring added at the less conservative end has no such neighbour and needs --soak.',
    '     Nothing is written unless the registry stays valid.',
    'retire: refused while tenants are assigned to the ring or previews point at it; removes its ring file and lock, and',
    '     records the retirement. The next synth removes its namespace from dist/.',
    COMMIT_HELP,
  ].join('\n'),
  positionals: ['action', 'name'],
  flags: { after: 'string', before: 'string', soak: 'string', reason: 'string', yes: 'boolean', json: 'boolean', ...DRY_RUN_FLAGS, ...COMMIT_FLAGS },
  run(ctx, args) {
    const [action, name] = args.positionals;
    const reason = stringFlag(args, 'reason') ?? null;
    if (action === 'add') {
      const after = stringFlag(args, 'after');
      const before = stringFlag(args, 'before');
      if (after !== undefined && before !== undefined) throw new UsageError('give one of --after <ring> and --before <ring>, not both', USAGE);
      if (!after && !before) {
        throw new UsageError('missing --after <ring> (the new ring is one step less conservative than it) or --before <ring> (one step more conservative)', USAGE);
      }
      const where: Placement = after ? { side: 'after', ring: after } : { side: 'before', ring: before! };
      const soak = stringFlag(args, 'soak');
      const hooks = commitHooks(ctx, args);
      return mutate(ctx, (loaded) => planAdd(ctx.registry, loaded, name, where, soak, reason), hooks);
    }
    if (action === 'retire') {
      for (const f of ['after', 'before', 'soak']) if (stringFlag(args, f) !== undefined) throw new UsageError(`--${f} is for ring add`, USAGE);
      const hooks = commitHooks(ctx, args);
      return mutate(ctx, (loaded) => planRetire(ctx.registry, loaded, name, reason), hooks);
    }
    throw new UsageError(`unknown ring action "${action}" (add, retire)`, USAGE);
  },
};

/** Where `ring add` puts the new ring: one step less conservative than `ring` (after) or one step more (before). */
export interface Placement {
  readonly side: 'after' | 'before';
  readonly ring: string;
}

/** The promotion path, least conservative first, as the confirmation prints it: `experimental → canary → beta → edge → stable`. */
export function promotionPath(rings: readonly { name: string; order: number; active: boolean }[]): string {
  return [...rings]
    .sort((a, b) => b.order - a.order)
    .map((r) => (r.active ? r.name : `${r.name} (inactive)`))
    .join(' → ');
}

export function planAdd(dir: string, loaded: LoadedRegistry, name: string, where: Placement, soakFlag: string | undefined, reason: string | null): Mutation {
  const { registry, sources } = loaded;
  if (!isDnsLabel(name)) throw new CliError(`invalid ring name ${JSON.stringify(name)}: expected a DNS label (lower-case letters, digits and '-', at most 63 characters)`);
  if (registry.rings.some((r) => r.spec.name === name)) throw new CliError(`ring "${name}" exists already (${path.join(dir, `${name}.toml`)})`);
  const named = registry.rings.find((r) => r.spec.name === where.ring);
  if (!named) throw unknownRing(where.ring, registry.rings.map((r) => r.spec.name));
  const byOrder = [...registry.rings].sort((a, b) => a.spec.promotion_order - b.spec.promotion_order);
  const at = byOrder.indexOf(named);
  // The neighbours in promotion order: `more` is one step more conservative (lower order), `less` one step less.
  const more = where.side === 'after' ? named : byOrder[at - 1];
  const less = where.side === 'after' ? byOrder[at + 1] : named;
  let order: number;
  if (more && less) {
    const lo = more.spec.promotion_order;
    const hi = less.spec.promotion_order;
    if (hi - lo < 2) {
      throw new CliError(`no free promotion_order between ${more.spec.name} (${lo}) and ${less.spec.name} (${hi}); give the rings room (e.g. orders 0, 10, 20…) by editing their files, then add the ring`);
    }
    order = Math.floor((lo + hi) / 2);
  } else if (more) order = more.spec.promotion_order + 10;
  else {
    const hi = less!.spec.promotion_order;
    if (hi < 1) throw new CliError(`no free promotion_order below ${less!.spec.name} (${hi}, the lowest there is); give the rings room (e.g. orders 10, 20, 30…) by editing their files, then add the ring`);
    order = Math.max(0, hi - 10);
  }
  // Soak: how long a version runs here before it moves on. Never copied from the conservative side (stable's is 0h).
  const soak = soakFlag ?? less?.spec.soak;
  if (soak === undefined) {
    throw new UsageError(
      `missing --soak DURATION: ${name} would be the least conservative ring (after ${more!.spec.name}, ${more!.spec.promotion_order}), so no ring promotes into it to take a soak from; say how long a version runs in ${name} before it may be promoted to ${more!.spec.name} (e.g. --soak 24h)`,
      USAGE,
    );
  }
  const soakFrom = soakFlag !== undefined ? 'from --soak' : `as ${less!.spec.name}, the ring that promotes into it`;
  const source = more ?? less!;
  const p = registry.platform;
  const namespace = `${p.name}-${name}`.slice(0, 63).replace(/-+$/, '');
  // Every component of the platform: the Octane three, or the declared ones.
  const components = componentNames(p);
  const img = (c: string) => (p.images as Readonly<Record<string, string | undefined>>)[c];
  const replicas = source.spec.replicas as Readonly<Record<string, number>>;
  const toml = [
    `name = ${JSON.stringify(name)}`,
    `description = ""`,
    `namespace = ${JSON.stringify(namespace)}`,
    `hostname_segment = ${JSON.stringify(name)}`,
    `promotion_order = ${order}`,
    'active = true',
    'default = false',
    `soak = ${JSON.stringify(soak)}`,
    '',
    '[replicas]',
    ...components.map((c) => `${c} = ${replicas[c]}`),
    '',
    '# The images this ring runs; it starts from the platform defaults. Promote new builds with rings promote image.',
    '[images]',
    ...components.filter((c) => img(c) !== undefined).map((c) => `${c} = ${JSON.stringify(img(c))}`),
    '',
  ].join('\n');
  const lockRel = `locks/${source.spec.name}.lock.json`;
  const lockText = sources.get(lockRel);
  if (lockText === undefined) throw new CliError(`${path.join(dir, lockRel)}: expected the lock to copy, found none`);
  const path_ = promotionPath([...registry.rings.map((r) => ({ name: r.spec.name, order: r.spec.promotion_order, active: r.spec.active })), { name, order, active: true }]);
  const lands = more && less
    ? `lands between ${less.spec.name} and ${more.spec.name} in the promotion path: versions go ${less.spec.name} → ${name} → ${more.spec.name}`
    : more
      ? `lands at the less conservative end of the promotion path: new versions enter at ${name}, then go ${name} → ${more.spec.name}`
      : `lands at the conservative end of the promotion path: versions go ${less!.spec.name} → ${name} and end there`;
  return {
    files: { [`${name}.toml`]: toml, [`locks/${name}.lock.json`]: lockText },
    entry: { action: 'ring-add', from: source.spec.name, to: name, previous: null, new: null, reason, gates_checked: [], gates_waived: [] },
    describe: [
      `${path.join(dir, `${name}.toml`)}: new ring ${name}: namespace ${namespace}, hosts <tenant>.${name}.${p.domain}, promotion_order ${order}, soak ${soak} (${soakFrom})`,
      `  ${name} ${lands}`,
      `  promotion path: ${path_}`,
      `${path.join(dir, `locks/${name}.lock.json`)}: a copy of ${path.join(dir, lockRel)} (${Object.keys(registry.locks[source.spec.name].modules).length} modules)`,
    ],
  };
}

function planRetire(dir: string, loaded: LoadedRegistry, name: string, reason: string | null): Mutation {
  const { registry } = loaded;
  const r = registry.rings.find((x) => x.spec.name === name);
  if (!r) throw unknownRing(name, registry.rings.map((x) => x.spec.name));
  const tenants = Object.entries(registry.tenants).filter(([, ring]) => ring === name).map(([t]) => t);
  if (tenants.length) {
    throw new CliError(`refused: ${tenants.length} tenant${tenants.length === 1 ? ' is' : 's are'} assigned to ${name} (${tenants.slice(0, 5).join(', ')}${tenants.length > 5 ? ', …' : ''}); move them first with rings assign <tenant> <ring>`);
  }
  const previews = Object.entries(registry.previews).filter(([, pv]) => pv.ring === name).map(([t]) => t);
  if (previews.length) throw new CliError(`refused: previews point at ${name} (${previews.join(', ')} in ${path.join(dir, 'tenants.toml')} [previews]); remove them first`);
  if (registry.platform.home_ring === name) throw new CliError(`refused: ${name} is the home ring (home_ring in ${path.join(dir, 'platform.toml')}); the shared layer runs in its namespace`);
  if (r.spec.default) throw new CliError(`refused: ${name} is the default ring (default = true in ${r.file}); make another ring the default first`);
  const lockRel = `locks/${name}.lock.json`;
  return {
    files: { [`${name}.toml`]: null, [lockRel]: null },
    entry: { action: 'ring-retire', from: null, to: name, previous: null, new: null, reason, gates_checked: ['no-tenants', 'no-previews'], gates_waived: [] },
    describe: [
      `${r.file}: removed (ring ${name}, namespace ${r.spec.namespace})`,
      `${path.join(dir, lockRel)}: removed`,
      `  the next synth drops ${name}'s chart from dist/; GitOps pruning then deletes namespace ${r.spec.namespace}`,
    ],
  };
}
