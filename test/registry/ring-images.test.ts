/** Images pinned per ring: the rules on references, require_digests, and what renders. */
import { imagePinProblem, ringImages } from '../../src/model/images';
import { synthesize } from '../../src/render/synth';
import { edit, exampleSources, planOf, problemsOf } from '../support/registry-fixture';
import { parseYamlObjects } from '../support/render';

const D = `sha256:${'a'.repeat(64)}`;

describe('image references: a tag other than latest, or a digest, or both', () => {
  test.each([`registry.example/api:2026.11.3`, `registry.example/api@${D}`, `registry.example/api:2026.11.3@${D}`, `localhost:5000/api:1.0`])('passes: %s', (ref) => {
    expect(imagePinProblem(ref)).toBeUndefined();
  });
  test.each([
    ['registry.example/api:latest', 'expected an image pinned by a tag other than latest, or a digest'],
    ['registry.example/api', 'expected an image pinned by a tag or a digest (without a tag it floats to latest)'],
    ['localhost:5000/api', 'expected an image pinned by a tag or a digest (without a tag it floats to latest)'],
    [`registry.example/api:latest@${D}`, 'expected an image pinned by a tag other than latest, or a digest'],
    ['registry.example/api@sha256:ABC', 'expected a digest of the form sha256:<64 lower-case hex characters> after @'],
    ['registry.example/api:1.0@md5:abc', 'expected a digest of the form sha256:<64 lower-case hex characters> after @'],
  ])('fails: %s', (ref, problem) => {
    expect(imagePinProblem(ref)).toBe(problem);
  });
  test('a ring file pin is checked like any other reference', () => {
    expect(problemsOf(edit('edge.toml', /api = "[^"]+"/, 'api = "registry.example/api:latest"'))).toEqual([
      'rings/edge.toml: images.api: expected an image pinned by a tag other than latest, or a digest, got "registry.example/api:latest"',
    ]);
  });
});

describe('digestsRequired: require_digests = true refuses tag-only references everywhere', () => {
  const strict = (s: Map<string, string>) => {
    s.set('platform.toml', s.get('platform.toml')!.replace('# require_digests = true ', 'require_digests = true #'));
    return s;
  };
  test('passes: every reference carries a digest', () => {
    let p = exampleSources().get('platform.toml')!;
    p = p.replace(/image = "([^"@]+)"/g, `image = "$1@${D}"`);
    const s = strict(new Map([...exampleSources(), ['platform.toml', p]]));
    expect(() => planOf(s)).not.toThrow();
  });
  test('fails: one line per tag-only reference (shared services here, and a ring pin)', () => {
    const s = strict(edit('edge.toml', /nginx = "[^"]+"/, 'nginx = "nginxinc/nginx-unprivileged:1.29.3-alpine"'));
    const lines = problemsOf(s);
    expect(lines).toContain('rings/edge.toml: images.nginx: expected an image pinned by digest (require_digests = true in rings/platform.toml), got "nginxinc/nginx-unprivileged:1.29.3-alpine"');
    expect(lines.filter((l) => l.startsWith('rings/platform.toml: shared.services[name='))).toHaveLength(exampleSources().get('platform.toml')!.match(/^image = /gm)!.length);
    expect(lines.every((l) => / expected an image pinned by digest /.test(l))).toBe(true);
  });
});

describe('what a ring renders', () => {
  const platform = { api: 'r/api:1', nginx: 'n/nginx-unprivileged:1' };
  test('its own pin; else the platform default; horizon follows the ring api', () => {
    expect(ringImages(platform, {})).toEqual({ api: 'r/api:1', horizon: 'r/api:1', nginx: 'n/nginx-unprivileged:1' });
    expect(ringImages(platform, { api: 'r/api:2' })).toEqual({ api: 'r/api:2', horizon: 'r/api:2', nginx: 'n/nginx-unprivileged:1' });
    expect(ringImages({ ...platform, horizon: 'r/hz:1' }, {})).toMatchObject({ horizon: 'r/hz:1' });
    expect(ringImages(platform, { api: 'r/api:2', horizon: 'r/hz:3' })).toMatchObject({ horizon: 'r/hz:3' });
  });
  test('the example: canary and experimental run the new api build, stable and edge the old one', () => {
    const plan = planOf(exampleSources());
    const api = Object.fromEntries(plan.rings.map((r) => [r.name, r.images.api.replace(/@.*/, '')]));
    expect(api).toEqual({
      stable: 'registry.gitlab.com/autocommerce/main/api-octane:2026.11.3',
      edge: 'registry.gitlab.com/autocommerce/main/api-octane:2026.11.3',
      canary: 'registry.gitlab.com/autocommerce/main/api-octane:2026.12.0',
      experimental: 'registry.gitlab.com/autocommerce/main/api-octane:2026.12.0',
    });
    for (const r of plan.rings) expect(r.images.api).toMatch(/@sha256:[0-9a-f]{64}$/);
  });
  test('changing one ring\'s api image changes that ring\'s api and horizon only; the platform default changes no pinned ring', () => {
    const files = (s: Map<string, string>) => synthesize(planOf(s)).files;
    const before = files(exampleSources());
    const newRef = `registry.gitlab.com/autocommerce/main/api-octane:2026.12.0@sha256:${'0'.repeat(64)}`;
    const after = files(edit('edge.toml', /api = "[^"]+"/, `api = "${newRef}"`));
    const changed = [...before.keys()].filter((f) => before.get(f) !== after.get(f));
    expect(changed).toEqual(['ring-edge/ring-edge.yaml']);
    const images = (text: string) =>
      parseYamlObjects(text, 'x')
        .filter((o) => o.kind === 'Deployment')
        .map((d) => `${d.metadata.name}=${d.spec.template.spec.containers[0].image}`);
    expect(images(after.get('ring-edge/ring-edge.yaml')!).filter((x) => x.includes(newRef)).map((x) => x.split('=')[0])).toEqual(['api', 'horizon']);
    const platformChanged = files(edit('platform.toml', /api = "[^"]+"/, `api = "${newRef}"`));
    expect([...before.keys()].filter((f) => before.get(f) !== platformChanged.get(f))).toEqual([]);
  });
});
