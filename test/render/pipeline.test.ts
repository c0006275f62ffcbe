/** The hooks the CLI builds on: per-ring progress during synth, and check without rendering. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkRegistry, renderRegistry } from '../../src/render/pipeline';
import { RegistryError } from '../../src/registry/errors';

describe('onProgress', () => {
  it('is called once per ring, in promotion order, after its chart is rendered', () => {
    const calls: [string, number, number][] = [];
    const { plan, result } = renderRegistry('rings', { onProgress: (ring, i, total) => calls.push([ring, i, total]) });
    expect(calls).toEqual(plan.rings.map((r, i) => [r.name, i, plan.rings.length]));
    // plus the shared layer and the cluster-scoped layer
    expect(result.charts).toHaveLength(plan.rings.length + 2);
  });
});

describe('checkRegistry', () => {
  it('summarizes a valid registry like synth does, without rendering', () => {
    const checked = checkRegistry('rings');
    const { summary } = renderRegistry('rings');
    expect(checked.map((c) => [c.ring, c.namespace, c.hosts, c.apiMemoryLimitMib])).toEqual(summary.map((s) => [s.ring, s.namespace, s.hosts, s.apiMemoryLimitMib]));
  });

  it('refuses what synth refuses, with the same problems', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-check-'));
    try {
      fs.cpSync('rings', dir, { recursive: true });
      const file = path.join(dir, 'canary.toml');
      fs.writeFileSync(file, `ingress_shards = 0\n${fs.readFileSync(file, 'utf8')}`);
      const problems = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return e instanceof RegistryError ? e.lines() : [String(e)];
        }
        return [];
      };
      const fromCheck = problems(() => checkRegistry(dir));
      expect(fromCheck).toContain(`${path.join(dir, 'canary.toml')}: ingress_shards: expected a whole number from 1 to 999, got 0`);
      expect(problems(() => renderRegistry(dir))).toEqual(fromCheck);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
