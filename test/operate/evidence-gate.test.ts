/** The `verified` gate (require_verified = true): evidence from `rings verify --record`, pure. */
import { verifiedGate } from '../../src/operate/evidence-gate';
import { GateRing } from '../../src/operate/gates';
import { formatHistoryLine, HistoryEntry, imageSubject, parseHistory } from '../../src/operate/history';
import { summarise } from '../../src/cli/context';

const canary: GateRing = { name: 'canary', promotionOrder: 20, soak: '24h', active: true, requireVerified: true };
const base = { actor: 'a', from: null, previous: null, new: null, reason: null, gates_checked: [], gates_waived: [] };
const arrived = (time: string, version = '1.6.0'): HistoryEntry => ({ ...base, time, action: 'promote', module: 'orders', to: 'canary', previous: '1.5.0', new: version });
const verified = (time: string, passed = true, version = '1.6.0'): HistoryEntry => ({
  ...base,
  time,
  action: 'verify',
  to: 'canary',
  passed,
  checks: ['deployment', 'rollout'],
  findings: passed ? [] : ['canary: [restarts] Pod autocom-canary/api-1: CrashLoopBackOff in api (12 restarts)'],
  lock_checksums: ['sha256:abc'],
  pod_template_hashes: { api: ['5d9f'] },
  lock: { orders: version },
});
const NOW = new Date('2026-11-25T12:00:00Z');
const gate = (h: HistoryEntry[], now = NOW) => verifiedGate(h, 'orders', canary, '1.6.0', now);

describe('verified gate: a passing verify at the version, at least the soak after it arrived', () => {
  test('passes, and names the evidence it relied on', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), verified('2026-11-24T11:00:00Z')]);
    expect(r.ok).toBe(true);
    expect(r.evidence).toEqual({ gate: 'verified', verified_at: '2026-11-24T11:00:00Z', lock_checksums: ['sha256:abc'] });
  });
  test('refuses without any verify, naming the command that produces the evidence', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z')]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      'no verify of canary recorded since 2026-11-24T10:00:00Z; run rings verify --ring canary --record now (needed any time after 2026-11-24T10:00:00Z: orders 1.6.0 arrived 2026-11-23T10:00:00Z, soak 24h), or pass --emergency --reason TEXT',
    );
  });
  test('refuses a verify taken before the soak was over (it cannot have seen the soak window)', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), verified('2026-11-23T12:00:00Z')], new Date('2026-11-23T13:00:00Z'));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^no verify of canary recorded since 2026-11-24T10:00:00Z; run rings verify --ring canary --record after 2026-11-24T10:00:00Z/);
  });
  test('refuses when the latest verify failed, quoting its first finding', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), verified('2026-11-24T11:00:00Z'), verified('2026-11-25T09:00:00Z', false)]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      'the latest verify of canary (2026-11-25T09:00:00Z) failed with 1 finding (first: canary: [restarts] Pod autocom-canary/api-1: CrashLoopBackOff in api (12 restarts)); fix them and run rings verify --ring canary --record, or pass --emergency --reason TEXT',
    );
  });
  test('refuses a verify of another version', () => {
    const r = gate([arrived('2026-11-23T10:00:00Z'), verified('2026-11-24T11:00:00Z', true, '1.5.0')]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/compared the cluster with orders 1.5.0, not 1.6.0/);
  });
  test('refuses when the arrival is not in the history', () => {
    const r = gate([verified('2026-11-24T11:00:00Z')]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/history has no record of orders 1.6.0 arriving in canary/);
  });
  test('a verify of another ring does not count', () => {
    expect(gate([arrived('2026-11-23T10:00:00Z'), { ...verified('2026-11-24T11:00:00Z'), to: 'edge' }]).ok).toBe(false);
  });
});

describe('verify entries in the history', () => {
  test('round-trip through the file format, with their own keys only', () => {
    const line = formatHistoryLine(verified('2026-11-24T11:00:00Z'));
    expect(Object.keys(JSON.parse(line))).toEqual(['time', 'actor', 'action', 'to', 'passed', 'checks', 'findings', 'lock_checksums', 'pod_template_hashes', 'lock', 'images']);
    const { entries, problems } = parseHistory(`${line}\n`);
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({ action: 'verify', to: 'canary', passed: true, from: null, gates_checked: [] });
  });
  test('a verify entry without passed is a problem', () => {
    expect(parseHistory('{"time":"2026-11-24T11:00:00Z","actor":"a","action":"verify","to":"canary"}\n').problems).toEqual([{ line: 1, message: 'passed: expected true or false' }]);
  });
  test('summaries: verify result, promote rollback target and evidence', () => {
    expect(summarise(verified('2026-11-24T11:00:00Z'))).toBe('verify canary: passed [deployment, rollout], lock sha256:abc');
    expect(summarise(verified('2026-11-24T11:00:00Z', false))).toBe('verify canary: failed (1 finding) [deployment, rollout], lock sha256:abc');
    expect(
      summarise({ ...arrived('2026-11-25T12:00:00Z'), from: 'canary', to: 'edge', rollback_target: '1.5.0', evidence: [{ gate: 'soak', arrived: '2026-11-23T10:00:00Z' }, { gate: 'verified', verified_at: '2026-11-24T11:00:00Z' }] }),
    ).toBe('promote orders 1.6.0 from canary to edge (was 1.5.0; rollback target 1.5.0; evidence: soaked since 2026-11-23T10:00:00Z, verified 2026-11-24T11:00:00Z)');
  });
});

describe('verified gate for promote image: the verify must have compared the image', () => {
  const img = 'registry.gitlab.com/autocommerce/main/api-octane:2026.11.4';
  const arrivedImage: HistoryEntry = { ...base, time: '2026-11-23T10:00:00Z', action: 'promote', image: 'api', to: 'canary', previous: null, new: img };
  const sawImage = (image: string): HistoryEntry => ({ ...verified('2026-11-24T11:00:00Z'), images: { api: image } });
  const what = { label: 'image api', seen: (e: HistoryEntry) => e.images?.api };
  test('passes when the verify saw the promoted image', () => {
    expect(verifiedGate([arrivedImage, sawImage(img)], imageSubject('api'), canary, img, NOW, what).ok).toBe(true);
  });
  test('refuses when it saw another image', () => {
    const r = verifiedGate([arrivedImage, sawImage('registry.gitlab.com/autocommerce/main/api-octane:2026.11.3')], imageSubject('api'), canary, img, NOW, what);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/compared the cluster with image api registry\.gitlab\.com\/autocommerce\/main\/api-octane:2026\.11\.3, not/);
  });
});
