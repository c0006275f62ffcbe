/**
 * `rings ring add <name> --after <ring>` and `rings ring retire <name>`: a ring's files, written or
 * removed as one recorded, validated change.
 */
import * as path from 'path';
import { RING_IMAGE_COMPONENTS } from '../../model/images';
import { DNS_LABEL } from '../../registry/schema/schema';
import { stringFlag, UsageError } from '../args';
import { CliError, Command, DRY_RUN_FLAGS, LoadedRegistry, Mutation, mutate } from '../context';
import { COMMIT_FLAGS, COMMIT_HELP, COMMIT_USAGE, commitHooks } from '../git-commit';

const USAGE = `rings ring add <name> --after <ring> [--reason TEXT] [--dry-run [--diff]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]\n       rings ring retire <name> [--reason TEXT] [--dry-run [--diff]] [--yes] [--json] ${COMMIT_USAGE} [--registry DIR]`;

export const ring: Command = {
  name: 'ring',
  summary: 'add a ring after another (ring file and lock, validated first) or retire an empty one',
  usage: USAGE,
  help: [
    'add: the new ring is one step less conservative than --after: its promotion_order lies between --after and the next ring,',
    "     its lock is a byte-for-byte copy of --after's lock (the next more conservative ring), namespace <platform>-<name>,",
    '     hostname segment <name>, soak and replicas as --after, images the platform defaults. Nothing is written unless the',
    '     registry stays valid.',
    'retire: refused while tenants are assigned to the ring or previews point at it; removes its ring file and lock, and',
    '     records the retirement. The next synth removes its namespace from dist/.',
    COMMIT_HELP,
  ].join('\n'),
  positionals: ['action', 'name'],
  flags: { after: 'string', reason: 'string', yes: 'boolean', json: 'boolean', ...DRY_RUN_FLAGS, ...COMMIT_FLAGS },
  run(ctx, args) {
    const [action, name] = args.positionals;
    const reason = stringFlag(args, 'reason') ?? null;
    if (action === 'add') {
      const after = stringFlag(args, 'after');
      if (!after) throw new UsageError('missing --after <ring> (the ring one step more conservative than the new one)', USAGE);
      const hooks = commitHooks(ctx, args);
      return mutate(ctx, (loaded) => planAdd(ctx.registry, loaded, name, after, reason), hooks);
    }
    if (action === 'retire') {
      if (stringFlag(args, 'after') !== undefined) throw new UsageError('--after is for ring add', USAGE);
      const hooks = commitHooks(ctx, args);
      return mutate(ctx, (loaded) => planRetire(ctx.registry, loaded, name, reason), hooks);
    }
    throw new UsageError(`unknown ring action "${action}" (add, retire)`, USAGE);
  },
};

function planAdd(dir: string, loaded: LoadedRegistry, name: string, after: string, reason: string | null): Mutation {
  const { registry, sources } = loaded;
  if (!(name.length <= 63 && DNS_LABEL.test(name))) throw new CliError(`invalid ring name ${JSON.stringify(name)}: expected a DNS label (lower-case letters, digits and '-', at most 63 characters)`);
  if (registry.rings.some((r) => r.spec.name === name)) throw new CliError(`ring "${name}" exists already (${path.join(dir, `${name}.toml`)})`);
  const base = registry.rings.find((r) => r.spec.name === after);
  if (!base) throw new CliError(`unknown ring "${after}" (rings: ${registry.rings.map((r) => r.spec.name).join(', ')})`);
  const lo = base.spec.promotion_order;
  const next = registry.rings.filter((r) => r.spec.promotion_order > lo).sort((a, b) => a.spec.promotion_order - b.spec.promotion_order)[0];
  let order: number;
  if (next) {
    const hi = next.spec.promotion_order;
    if (hi - lo < 2) {
      throw new CliError(`no free promotion_order between ${after} (${lo}) and ${next.spec.name} (${hi}); give the rings room (e.g. orders 0, 10, 20…) by editing their files, then add the ring`);
    }
    order = Math.floor((lo + hi) / 2);
  } else order = lo + 10;
  const p = registry.platform;
  const namespace = `${p.name}-${name}`.slice(0, 63).replace(/-+$/, '');
  const img = (c: (typeof RING_IMAGE_COMPONENTS)[number]) => p.images[c];
  const toml = [
    `name = ${JSON.stringify(name)}`,
    `description = ""`,
    `namespace = ${JSON.stringify(namespace)}`,
    `hostname_segment = ${JSON.stringify(name)}`,
    `promotion_order = ${order}`,
    'active = true',
    'default = false',
    `soak = ${JSON.stringify(base.spec.soak)}`,
    '',
    '[replicas]',
    `api = ${base.spec.replicas.api}`,
    `horizon = ${base.spec.replicas.horizon}`,
    `nginx = ${base.spec.replicas.nginx}`,
    '',
    '# The images this ring runs; it starts from the platform defaults. Promote new builds with rings promote image.',
    '[images]',
    ...RING_IMAGE_COMPONENTS.filter((c) => img(c) !== undefined).map((c) => `${c} = ${JSON.stringify(img(c))}`),
    '',
  ].join('\n');
  const lockRel = `locks/${after}.lock.json`;
  const lockText = sources.get(lockRel);
  if (lockText === undefined) throw new CliError(`${path.join(dir, lockRel)}: expected the lock to copy, found none`);
  return {
    files: { [`${name}.toml`]: toml, [`locks/${name}.lock.json`]: lockText },
    entry: { action: 'ring-add', from: after, to: name, previous: null, new: null, reason, gates_checked: [], gates_waived: [] },
    describe: [
      `${path.join(dir, `${name}.toml`)}: new ring ${name}: namespace ${namespace}, hosts <tenant>.${name}.${p.domain}, promotion_order ${order} (after ${after} ${lo}${next ? `, before ${next.spec.name} ${next.spec.promotion_order}` : ''}), soak ${base.spec.soak}`,
      `${path.join(dir, `locks/${name}.lock.json`)}: a copy of ${path.join(dir, lockRel)} (${Object.keys(registry.locks[after].modules).length} modules)`,
    ],
  };
}

function planRetire(dir: string, loaded: LoadedRegistry, name: string, reason: string | null): Mutation {
  const { registry } = loaded;
  const r = registry.rings.find((x) => x.spec.name === name);
  if (!r) throw new CliError(`unknown ring "${name}" (rings: ${registry.rings.map((x) => x.spec.name).join(', ')})`);
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
