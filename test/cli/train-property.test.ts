/**
 * Property: whatever canary runs ahead of edge (changed pins, modules new to edge, a new api image),
 * `rings promote --all --from canary --to edge` then `rings rollback --train <its id>` gives back edge's
 * lock file and ring file byte for byte, and the train carried exactly the differing items.
 * In-process (src/cli/run.ts `run`), on copies of the example registry.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatHistoryLine, HistoryEntry } from '../../src/operate/history';
import { run } from '../../src/cli/run';
import { Io } from '../../src/cli/output';
import { withoutMetricChecks } from '../support/metric-checks';
import { propertyRuns } from '../support/property';

const ROOT = path.resolve(__dirname, '../..');
const NOW = '2026-11-25T00:00:00Z';
/** After the example's last history line and 36h before NOW: every arrival written here has soaked (canary: 24h). */
const ARRIVED = '2026-11-23T12:00:00Z';

function io(): { io: Io; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s), stdoutIsTty: false, stdinIsTty: false, env: { RINGS_NOW: NOW, RINGS_ACTOR: 'Prop Test <prop@acme.io>', NO_COLOR: '1' }, ask: async () => '' },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const canaryModules = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'rings/locks/canary.lock.json'), 'utf8')).modules as Record<string, unknown>);
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('train promote then train rollback', () => {
  test('property: any set of differing pins → edge.lock.json and edge.toml byte for byte as before', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(canaryModules, { maxLength: 6 }),
        fc.array(hex, { minLength: 6, maxLength: 6 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { maxLength: 3 }).map((a) => a.map((n) => `new-${n}`)),
        fc.option(hex, { nil: undefined }),
        async (changed, shas, added, apiDigest) => {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-train-prop-'));
          dirs.push(dir);
          const reg = path.join(dir, 'rings');
          fs.cpSync(path.join(ROOT, 'rings'), reg, { recursive: true });
          withoutMetricChecks(reg); // the analysis gate has its own suite (test/analysis/)
          const read = (rel: string) => fs.readFileSync(path.join(reg, rel), 'utf8');
          const lock = JSON.parse(read('locks/canary.lock.json'));
          const arrivals: HistoryEntry[] = [];
          const arrive = (module: string, version: string, sha: string, previous: string | null) =>
            arrivals.push({ time: ARRIVED, actor: 'ci <ci@acme.io>', action: 'promote', module, from: null, to: 'canary', previous, new: version, previous_sha256: null, new_sha256: sha, reason: null, gates_checked: [], gates_waived: [] });
          changed.forEach((m, i) => {
            const v = `7.${i}.${shas[i].charCodeAt(0) % 10}`;
            arrive(m, v, shas[i], lock.modules[m].version);
            lock.modules[m] = { version: v, sha256: shas[i] };
          });
          added.forEach((m, i) => {
            const sha = shas[(i + 3) % shas.length].replace(/^./, 'f');
            arrive(m, '0.1.0', sha, null);
            lock.modules[m] = { version: '0.1.0', sha256: sha };
          });
          fs.writeFileSync(path.join(reg, 'locks/canary.lock.json'), `${JSON.stringify(lock, null, 4)}\n`);
          if (apiDigest) {
            const ref = `registry.gitlab.com/autocommerce/main/api-octane:2027.1.0@sha256:${apiDigest}`;
            fs.writeFileSync(path.join(reg, 'canary.toml'), read('canary.toml').replace(/^api = ".*"$/m, `api = "${ref}"`));
            arrivals.push({ time: ARRIVED, actor: 'ci <ci@acme.io>', action: 'promote', image: 'api', from: null, to: 'canary', previous: null, new: ref, reason: null, gates_checked: [], gates_waived: [] });
          }
          fs.appendFileSync(path.join(reg, 'history.jsonl'), arrivals.map((e) => `${formatHistoryLine(e)}\n`).join(''));

          const edgeLock = read('locks/edge.lock.json');
          const edgeRing = read('edge.toml');
          const p = io();
          const code = await run(['promote', '--all', '--from', 'canary', '--to', 'edge', '--yes', '--json', '--registry', reg], p.io);
          if (code !== 0) throw new Error(`promote --all exited ${code}: ${p.err()}${p.out()}`);
          const promoted = JSON.parse(p.out());
          // exactly the items where canary differs from edge: canary's lock is edge's now
          expect(JSON.parse(read('locks/edge.lock.json')).modules).toEqual(lock.modules);
          expect(promoted.entries.every((e: HistoryEntry) => e.train === promoted.train)).toBe(true);
          const r = io();
          const back = await run(['rollback', '--train', promoted.train, '--yes', '--registry', reg], r.io);
          if (back !== 0) throw new Error(`rollback --train exited ${back}: ${r.err()}`);
          expect(read('locks/edge.lock.json')).toBe(edgeLock);
          expect(read('edge.toml')).toBe(edgeRing);
          fs.rmSync(dir, { recursive: true, force: true });
        },
      ),
      propertyRuns(25),
    );
  });
});
