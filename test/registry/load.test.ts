/** load.ts: per-service problem lines name the service (sharedEntriesByName), on the file path and the in-code path alike. */
import { RegistryProblem } from '../../src/registry/errors';
import { sharedEntriesByName } from '../../src/registry/load';
import { registryDataProblems } from '../../src/registry/validate-object';
import { edit, exampleSources, problemsOf } from '../support/registry-fixture';
import { parseToml } from '../../src/registry/toml';

const P = 'rings/platform.toml';
const platform = {
  shared: {
    services: [{ name: 'redis' }, { name: 'docs' }, {}, { name: 'twin' }, { name: 'twin' }, { name: 'Not A Label' }],
    external: [{ name: 'minio' }],
  },
};
const problem = (file: string, p: string): RegistryProblem => ({ file, path: p, message: 'm' });
const paths = (ps: RegistryProblem[]) => ps.map((p) => p.path);

describe('sharedEntriesByName: shared.services.1.host is reported as shared.services[name=docs].host', () => {
  test('passes: services and external entries by their name, the rest of the path kept', () => {
    expect(paths(sharedEntriesByName([problem(P, 'shared.services.1.host'), problem(P, 'shared.services.0'), problem(P, 'shared.external.0.pod_selector."a/b"'), problem(P, 'shared.services.0.args.2')], P, platform))).toEqual([
      'shared.services[name=docs].host',
      'shared.services[name=redis]',
      'shared.external[name=minio].pod_selector."a/b"',
      'shared.services[name=redis].args.2',
    ]);
  });
  test('fails to name (keeps the index): no name, a name two entries share, a name that is no DNS label, an index past the end; other files and paths untouched', () => {
    expect(paths(sharedEntriesByName([problem(P, 'shared.services.2.port'), problem(P, 'shared.services.4.name'), problem(P, 'shared.services.5.image'), problem(P, 'shared.services.9.host')], P, platform))).toEqual([
      'shared.services.2.port',
      'shared.services.4.name',
      'shared.services.5.image',
      'shared.services.9.host',
    ]);
    expect(paths(sharedEntriesByName([problem('rings/edge.toml', 'shared.services.1.host'), problem(P, 'shared.servicesx.1'), problem(P, 'redis.host')], P, platform))).toEqual(['shared.services.1.host', 'shared.servicesx.1', 'redis.host']);
    expect(paths(sharedEntriesByName([problem(P, 'shared.services.1.host')], P, undefined))).toEqual(['shared.services.1.host']);
  });
  test('every per-service line of a registry loaded from files has the named form (rules and schema alike)', () => {
    // a rule's problem (two services claim one host) and a schema problem (a port out of range)
    const rule = problemsOf(edit('platform.toml', 'host = "docs"', 'host = "app"'));
    const schema = problemsOf(edit('platform.toml', /(name = "redis"[\s\S]*?)port = 6379/, '$1port = 70000'));
    for (const lines of [rule, schema]) expect(lines.filter((l) => /shared\.(services|external)\.\d/.test(l))).toEqual([]);
    expect(rule).toEqual([expect.stringMatching(/^rings\/platform\.toml: shared\.services\[name=docs\]\.host: /)]);
    expect(schema).toEqual([expect.stringMatching(/^rings\/platform\.toml: shared\.services\[name=redis\]\.port: /)]);
  });
  test('validateRegistry (a registry built in code) names them the same way', () => {
    const parsed = parseToml(exampleSources().get('platform.toml')!);
    if (!parsed.ok) throw new Error('example platform.toml does not parse');
    const p = JSON.parse(JSON.stringify(parsed.value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))) as { shared: { services: { name: string; port: number }[] } };
    p.shared.services.find((x) => x.name === 'redis')!.port = 70000;
    const lines = registryDataProblems({ platform: p, rings: [], locks: {} });
    expect(lines).toContain('<registry>/platform.toml: shared.services[name=redis].port: expected a whole number from 1 to 65535, got 70000');
  });
});
