import { ringDataJson, ringDataSql } from '../../operate/ring-data-export';
import { ringDataOf } from '../../resolve/ring-data-of';
import { stringFlag, UsageError } from '../args';
import { checkSources, Command, loadAll } from '../context';

const USAGE = 'rings export --format json|sql [--registry DIR]';

export const exportCommand: Command = {
  name: 'export',
  summary: "write the app's ring data to stdout: module_rings rows and tenant → ring, as JSON or as idempotent PostgreSQL upserts",
  usage: USAGE,
  help: [
    'From the validated registry (everything rings check validates), to stdout; nothing is written.',
    '  --format json  {"module_rings": [...], "tenants": [{"name", "ring", "api_host"}]}: keys in a fixed order, rings by',
    '                 promotion order, tenants by name, so two exports diff line by line',
    '  --format sql   one PostgreSQL transaction: INSERT … ON CONFLICT (name) DO UPDATE for module_rings (only rows',
    '                 that differ change), tenants by name → ring by name, and rings no longer in the registry',
    '                 deleted, unless a tenant is still assigned to one: then it raises an error and changes nothing.',
    '                 Run with: psql -v ON_ERROR_STOP=1 -f ring-data.sql',
  ].join('\n'),
  positionals: [],
  flags: { format: 'string' },
  run(ctx, args) {
    const format = stringFlag(args, 'format');
    if (format !== 'json' && format !== 'sql') {
      throw new UsageError(format === undefined ? 'missing --format json|sql' : `--format: expected json or sql, got ${JSON.stringify(format)}`, USAGE);
    }
    // A RegistryError propagates to main: one line per problem, exit 1, nothing printed on stdout.
    const { registry, sources } = loadAll(ctx.registry);
    checkSources(ctx.registry, sources);
    const data = ringDataOf(registry);
    ctx.io.stdout(format === 'json' ? ringDataJson(data) : ringDataSql(data, `the ring registry ${ctx.registry}/`));
    return 0;
  },
};
