/** trainItems: what `rings promote --all` / `rings approve --all` carry, on the example registry and edited copies. */
import { trainItems } from '../../src/operate/train-items';
import { parse, sourcesWith, exampleSources } from '../support/registry-fixture';

const API_CANARY = 'registry.gitlab.com/autocommerce/main/api-octane:2026.12.0@sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606';

describe('trainItems', () => {
  test('canary → edge: every differing module (by name), then the api image; horizon follows api, so it is no item of its own', () => {
    const t = trainItems(parse(exampleSources()), 'canary', 'edge');
    expect(t.items.map((i) => i.label)).toEqual(['ai 2.4.0', 'orders 1.6.1', 'wms 1.9.0-rc.1', 'workflows 1.7.0', `image api ${API_CANARY}`]);
    expect(t.items[1]).toMatchObject({
      kind: 'module', subject: 'orders', from: 'canary', to: 'edge', version: '1.6.1',
      sha256: '8ddb4507907498a9c9626a81deb49ba038404b0c9f6867fecfee390a465a5444',
      previous: '1.6.0', previousSha256: '06f4cc1ac1261f0bfb16f4d0d8cbf082a0738113f00de4d275325e7dcd899692',
      command: 'rings promote orders --from canary --to edge',
    });
    expect(t.items[4]).toMatchObject({
      kind: 'image', subject: 'image:api', component: 'api', ref: API_CANARY,
      digest: 'sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606',
      previous: expect.stringContaining('2026.11.3'), command: 'rings promote image api --from canary --to edge',
    });
    expect(t.left).toEqual([]);
  });
  test('rings that run the same carry nothing', () => {
    const reg = parse(exampleSources());
    expect(trainItems(reg, 'edge', 'edge').items).toEqual([]);
  });
  test('a module only the destination pins is left alone, and one only the source pins is carried (new to the ring)', () => {
    const edge = JSON.parse(exampleSources().get('locks/edge.lock.json')!);
    edge.modules.legacy = { version: '0.9.0', sha256: 'a'.repeat(64) };
    delete edge.modules.orders;
    const t = trainItems(parse(sourcesWith({ 'locks/edge.lock.json': JSON.stringify(edge, null, 4) })), 'canary', 'edge');
    expect(t.left).toEqual(['legacy']);
    expect(t.items.find((i) => i.subject === 'orders')).toMatchObject({ previous: null, previousSha256: null });
  });
  test('AutoCom form: the same version with another sha256 is a difference (validation refuses such a registry; the train does not rely on it)', () => {
    const reg = parse(exampleSources());
    const canary = reg.locks.canary;
    const edge = { ...canary, ring: 'edge', hashes: { ...canary.hashes, catalog: 'b'.repeat(64) } };
    const t = trainItems({ ...reg, locks: { ...reg.locks, edge } }, 'canary', 'edge');
    expect(t.items.filter((i) => i.kind === 'module').map((i) => i.label)).toEqual([`catalog ${canary.modules.catalog}`]);
  });
  test('horizon is an item of its own when pinned apart from api', () => {
    const canary = exampleSources().get('canary.toml')!.replace(/^(nginx = "nginxinc.*)$/m, `$1\nhorizon = "registry.gitlab.com/autocommerce/main/api-octane:2026.12.0-horizon"`);
    const t = trainItems(parse(sourcesWith({ 'canary.toml': canary })), 'canary', 'edge');
    expect(t.items.filter((i) => i.kind === 'image').map((i) => i.subject)).toEqual(['image:api', 'image:horizon']);
  });
});
