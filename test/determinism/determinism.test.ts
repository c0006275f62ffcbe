/**
 * Deterministic output (issue 3 §4): the same registry gives byte-identical dist/, run after run and
 * whatever the order of its entries; the committed dist/ is exactly a fresh synth of rings/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readDir } from '../../src/render/dist';
import { readRegistryDir } from '../../src/registry/load';
import { synthToDir } from '../../src/render/pipeline';
import { DIST, EXAMPLE_REGISTRY, renderDir } from '../support/render';
import { seededRng, shuffleRegistry } from '../support/shuffle';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-determinism-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes an in-memory registry to a folder. */
function writeRegistry(dir: string, sources: ReadonlyMap<string, string>): void {
  fs.mkdirSync(path.join(dir, 'locks'), { recursive: true });
  for (const [rel, text] of sources) fs.writeFileSync(path.join(dir, rel), text);
}

const asObject = (m: ReadonlyMap<string, string>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

test('synthesizing twice writes byte-identical dist/ folders', () => {
  synthToDir(EXAMPLE_REGISTRY, path.join(tmp, 'out1'));
  synthToDir(EXAMPLE_REGISTRY, path.join(tmp, 'out2'));
  const a = readDir(path.join(tmp, 'out1'));
  const b = readDir(path.join(tmp, 'out2'));
  expect(a.size).toBeGreaterThan(1);
  expect(asObject(b)).toEqual(asObject(a));
});

test('the committed dist/ equals a fresh synth of rings/ (on failure: run `npm run synth` and commit dist/)', () => {
  expect(asObject(readDir(DIST))).toEqual(asObject(renderDir(EXAMPLE_REGISTRY).result.files));
});

describe('a reordered registry gives byte-identical output', () => {
  const original = readRegistryDir(EXAMPLE_REGISTRY).sources;
  const expected = asObject(renderDir(EXAMPLE_REGISTRY).result.files);

  test.each([1, 2, 3, 4, 5, 6])('seed %i: keys, tables, tenants, [[shared.*]] entries and lock keys shuffled', (seed) => {
    const dir = path.join(tmp, `shuffled-${seed}`);
    const sources = shuffleRegistry(original, seededRng(seed));
    // The shuffle really reorders: otherwise this test could not fail.
    for (const rel of ['tenants.toml', 'platform.toml', 'locks/canary.lock.json']) expect(sources.get(rel)).not.toEqual(original.get(rel));
    writeRegistry(dir, sources);
    expect(asObject(renderDir(dir).result.files)).toEqual(expected);
  });

  test('reversing the [[shared.services]] and [[shared.external]] entries alone changes nothing', () => {
    const dir = path.join(tmp, 'reversed-shared');
    const sources = new Map(original);
    let platform = sources.get('platform.toml')!;
    for (const kind of ['shared.services', 'shared.external']) {
      // Entries are consecutive blocks starting at `[[kind]]`, each up to the next table header.
      const blocks = platform.split(/(?=^\[)/m);
      const idx = blocks.map((b, i) => (b.startsWith(`[[${kind}]]`) ? i : -1)).filter((i) => i >= 0);
      expect(idx.length).toBeGreaterThan(1);
      const run = idx.map((i) => `${blocks[i].trimEnd()}\n\n`);
      blocks.splice(idx[0], idx.length, ...run.reverse());
      expect(idx[idx.length - 1] - idx[0]).toBe(idx.length - 1);
      platform = blocks.join('');
    }
    expect(platform).not.toEqual(original.get('platform.toml'));
    sources.set('platform.toml', platform);
    writeRegistry(dir, sources);
    expect(asObject(renderDir(dir).result.files)).toEqual(expected);
  });
});
