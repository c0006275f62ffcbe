/** `rings import <dir> --ring NAME=DIR… --shared DIR`: what the command prints and refuses. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthToDir } from '../../../src';
import { rings } from '../../operate/import/support';

const SHOP = path.join(__dirname, '..', '..', 'fixtures', 'kustomize', 'shop');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-import-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('rings import (CLI)', () => {
  test('importPrintsTheMapping: one line per ring and one for the shared layer, then the notes and the summary', async () => {
    const out = path.join(tmp, 'shop');
    const r = await rings(['import', SHOP, '--ring', 'stable=overlays/prod', '--ring', 'canary=overlays/canary', '--shared', 'overlays/shared', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['mapping: ring stable ← overlays/prod (--ring)', 'mapping: ring canary ← overlays/canary (--ring)', 'mapping: shared layer ← overlays/shared (--shared)']);
    expect(lines.slice(3, -1).every((l) => l.startsWith('note: '))).toBe(true);
    expect(lines.at(-1)).toBe(`wrote ${out}/: 2 rings (stable, canary), 3 tenants, 1 shared and 0 external services; ${lines.length - 4} notes above`);
    expect(fs.readdirSync(out).sort()).toEqual(['canary.toml', 'locks', 'platform.toml', 'stable.toml', 'tenants.toml']);
  });

  test('importPrintsTheMapping (detected): without --ring the mapping says what it chose; --json carries it', async () => {
    const r = await rings(['import', SHOP, '--out', path.join(tmp, 'detected'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mapping: ['ring canary ← overlays/canary (detected)', 'ring prod ← overlays/prod (detected)', 'shared layer ← overlays/shared (detected)'], rings: ['prod', 'canary'] });
  });

  test('importRefusesBadRingFlags: NAME=DIR expected, usage error (exit 2); a wrong folder is one problem line (exit 1), nothing written', async () => {
    const usage = await rings(['import', SHOP, '--ring', 'stable', '--out', path.join(tmp, 'x')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toBe('usage error: --ring: expected NAME=DIR (e.g. stable=overlays/prod), got "stable"');
    const twice = await rings(['import', SHOP, '--from', SHOP, '--out', path.join(tmp, 'x')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr.split('\n')[0]).toBe('usage error: give the tree once: <k8s dir> or --from <k8s dir>');
    const out = path.join(tmp, 'wrong');
    const wrong = await rings(['import', SHOP, '--ring', 'stable=overlays/production', '--out', out]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`--ring stable=overlays/production: expected a folder with a kustomization.yaml (${SHOP}/overlays/production), found none\n1 problem found; nothing was written\n`);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--out defaults to --registry: an existing registry is never overwritten', async () => {
    const reg = path.join(tmp, 'existing');
    fs.mkdirSync(reg);
    fs.writeFileSync(path.join(reg, 'platform.toml'), 'name = "x"\n');
    const r = await rings(['import', SHOP, '--registry', reg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${reg}: expected a new or empty folder for the registry, got one holding 1 entry (platform.toml)\n1 problem found; nothing was written\n`);
    expect(fs.readFileSync(path.join(reg, 'platform.toml'), 'utf8')).toBe('name = "x"\n');
  });

  test('compareAfterImport: rings compare with the same --ring flags pairs web/backend/queue with nginx/api/horizon; no replica, image or resource differs', async () => {
    const out = path.join(tmp, 'shop');
    if (!fs.existsSync(out)) await rings(['import', SHOP, '--ring', 'stable=overlays/prod', '--ring', 'canary=overlays/canary', '--shared', 'overlays/shared', '--out', out]);
    const dist = path.join(tmp, 'shop-dist');
    synthToDir(out, dist);
    const r = await rings(['compare', SHOP, dist, '--ring', 'stable=overlays/prod', '--ring', 'canary=overlays/canary', '--shared', 'overlays/shared', '--only', 'values']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    for (const ns of ['shop', 'shop-canary']) {
      expect(lines).toContain(`~ Deployment ${ns}/api  (was backend)`);
      expect(lines).toContain(`~ Deployment ${ns}/horizon  (was queue)`);
      expect(lines).toContain(`~ Deployment ${ns}/nginx  (was web)`);
    }
    expect(lines.filter((l) => /spec\.replicas|\]\.image:|resources\.(requests|limits)\.(cpu|memory)/.test(l))).toEqual([]);
    expect(lines).toContain('- Deployment shop-canary/toolbox  [values]');
    // Failing case: a registry that lost canary's memory cut shows it under --only values, in the tree's and the registry's spelling.
    const edited = path.join(tmp, 'shop-edited');
    fs.cpSync(out, edited, { recursive: true });
    const canary = path.join(edited, 'canary.toml');
    fs.writeFileSync(canary, fs.readFileSync(canary, 'utf8').replace(/\n\[components\.api\][^[]*$/, '\n'));
    const dist2 = path.join(tmp, 'shop-dist-edited');
    synthToDir(edited, dist2);
    const lost = await rings(['compare', SHOP, dist2, '--ring', 'stable=overlays/prod', '--ring', 'canary=overlays/canary', '--shared', 'overlays/shared', '--only', 'values']);
    const memory = lost.stdout.split('\n').filter((l) => /resources\.(requests|limits)\.memory/.test(l));
    expect(memory).toEqual([
      '    ~ spec.template.spec.containers[name=api].resources.limits.memory: "384Mi" → "1024Mi"  [values]',
      '    ~ spec.template.spec.containers[name=api].resources.requests.memory: "256Mi" → "512Mi"  [values]',
    ]);
  });
});
