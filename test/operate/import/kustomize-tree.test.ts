/** Which overlays a tree holds (findOverlays): detected layouts, --ring and --shared, one line per problem. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findOverlays, TreeError } from '../../../src/operate/import/kustomize-tree';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-tree-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SHOP = path.join(__dirname, '..', '..', 'fixtures', 'kustomize', 'shop');
const SEED = path.join(__dirname, '..', '..', 'fixtures', 'kustomize', 'autocom', 'k8s');

/** A tree of empty kustomizations: `files` are paths of folders (a trailing `!` makes it a Component, `?` leaves it without a kustomization). */
function tree(name: string, folders: string[]): string {
  const root = path.join(tmp, name);
  for (const f of folders) {
    const dir = path.join(root, f.replace(/[!?]$/, ''));
    fs.mkdirSync(dir, { recursive: true });
    if (!f.endsWith('?')) fs.writeFileSync(path.join(dir, 'kustomization.yaml'), f.endsWith('!') ? 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n' : 'resources: []\n');
  }
  return root;
}

const problems = (f: () => unknown): readonly string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof TreeError) return e.lines;
    throw e;
  }
  throw new Error('expected a TreeError');
};

describe('importDetectsOverlays', () => {
  test('passes: base/ + overlays/<ring>/ (shared, components and _folders left out), and the seed\'s overlays/rings/<ring>/', () => {
    const root = tree('ordinary', ['base', 'overlays/prod', 'overlays/canary', 'overlays/shared', 'overlays/common!', 'overlays/_patches', 'overlays/notes?']);
    const l = findOverlays(root);
    expect(l.rings.map((r) => [r.ring, path.relative(root, r.dir)])).toEqual([
      ['canary', 'overlays/canary'],
      ['prod', 'overlays/prod'],
    ]);
    expect(l.mapping).toEqual(['ring canary ← overlays/canary (detected)', 'ring prod ← overlays/prod (detected)', 'shared layer ← overlays/shared (detected)']);
    expect(findOverlays(SEED).mapping).toEqual([
      'ring canary ← overlays/rings/canary (detected)',
      'ring edge ← overlays/rings/edge (detected)',
      'ring experimental ← overlays/rings/experimental (detected)',
      'ring stable ← overlays/rings/stable (detected)',
      'shared layer ← overlays/shared (detected)',
    ]);
  });

  test('fails: no overlays, or a folder whose name is no ring name: one line each, saying how to name them', () => {
    const none = tree('no-overlays', ['base']);
    expect(problems(() => findOverlays(none))).toEqual([`${none}/overlays: expected one overlay folder per ring (overlays/<ring>/ or overlays/rings/<ring>/), found none; name them with --ring NAME=DIR`]);
    const only = tree('only-shared', ['base', 'overlays/shared']);
    expect(problems(() => findOverlays(only))).toEqual([`${only}/overlays: expected one overlay folder per ring (overlays/<ring>/kustomization.yaml), found none; name them with --ring NAME=DIR`]);
    const odd = tree('odd-names', ['base', 'overlays/Prod_EU', 'overlays/canary']);
    expect(problems(() => findOverlays(odd))).toEqual([`${odd}/overlays/Prod_EU: the folder's name is not a ring name (a DNS label); name the ring with --ring NAME=overlays/Prod_EU`]);
    expect(problems(() => findOverlays(path.join(tmp, 'nowhere')))).toEqual([`${path.join(tmp, 'nowhere')}: expected a kustomize tree (base/ and overlays/<ring>/, or overlays/shared/ and overlays/rings/<ring>/), found no folder`]);
  });
});

describe('importMapsRingsNamedOnTheCommandLine', () => {
  test('passes: --ring in the order given (most conservative first), --shared anywhere in the tree', () => {
    const l = findOverlays(SHOP, { rings: [{ ring: 'stable', dir: 'overlays/prod' }, { ring: 'canary', dir: 'overlays/canary' }], shared: 'overlays/shared' });
    expect(l.detected).toBe(false);
    expect(l.rings.map((r) => r.ring)).toEqual(['stable', 'canary']);
    expect(l.mapping).toEqual(['ring stable ← overlays/prod (--ring)', 'ring canary ← overlays/canary (--ring)', 'shared layer ← overlays/shared (--shared)']);
  });

  test('fails: a bad ring name, a folder without a kustomization, a ring twice, one folder for two rings, the shared overlay as a ring', () => {
    const lines = problems(() =>
      findOverlays(SHOP, {
        shared: 'overlays/shared',
        rings: [
          { ring: 'Stable', dir: 'overlays/prod' },
          { ring: 'stable', dir: 'overlays/prd' },
          { ring: 'canary', dir: 'overlays/canary' },
          { ring: 'canary', dir: 'overlays/prod' },
          { ring: 'beta', dir: 'overlays/canary' },
          { ring: 'edge', dir: 'overlays/shared' },
        ],
      }),
    );
    expect(lines).toEqual([
      '--ring Stable=overlays/prod: expected a ring name (a DNS label: lowercase letters, digits and -), got "Stable"',
      `--ring stable=overlays/prd: expected a folder with a kustomization.yaml (${SHOP}/overlays/prd), found none`,
      '--ring canary=overlays/prod: ring canary is already mapped to overlays/canary; expected each ring once',
      '--ring beta=overlays/canary: overlays/canary is already ring canary; expected one overlay per ring',
      "--ring edge=overlays/shared: overlays/shared is the shared layer's overlay; expected a ring overlay",
    ]);
    expect(problems(() => findOverlays(SHOP, { shared: 'overlays/common' }))).toEqual([`--shared overlays/common: expected a folder with a kustomization.yaml (${SHOP}/overlays/common), found none`]);
  });
});
