/**
 * One record per candidate (candidate-record.ts): parsing `--candidate`, which entries name it, and the
 * per-stage result (identity, revision or digest, target, checks run, pass/fail, evidence, rollback
 * target, approver or "not required") on the example registry and on fixture history lines in the
 * shapes the metrics (verify --metrics --record) and approvals (rings approve) helpers write; then
 * `rings history --candidate` through the built CLI.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { candidateRecord, CandidateQuery, formatMeasured, namesCandidate, parseCandidate } from '../../src/operate/candidate-record';
import { HistoryEntry, parseHistory } from '../../src/operate/history';
import { exampleSources, parse } from '../support/registry-fixture';

const ROOT = path.resolve(__dirname, '../..');
const NOW = new Date('2026-11-23T12:00:00Z');
const reg = parse(exampleSources());
const example = parseHistory(fs.readFileSync(path.join(ROOT, 'rings/history.jsonl'), 'utf8')).entries;
const q = (s: string) => parseCandidate(s) as CandidateQuery;

const base = { from: null, previous: null, new: null, reason: null, gates_checked: [], gates_waived: [] };
const verifyOf = (time: string, ring: string, lock: Record<string, string>, passed: boolean, metrics: unknown[] = []): HistoryEntry =>
  ({ ...base, time, actor: 'ci <ci@acme.io>', action: 'verify', to: ring, passed, checks: ['deployment', 'rollout'], findings: passed ? [] : ['edge: [rollout] Deployment autocom-edge/api: 1 old pod'], lock_checksums: ['sha256:abc'], lock, images: {}, metrics }) as HistoryEntry;

describe('parseCandidate', () => {
  test('module@version, image:component@sha256:digest (a ≥ 12 hex prefix), image:component@tag', () => {
    expect(parseCandidate('orders@1.6.0')).toMatchObject({ kind: 'module', module: 'orders', version: '1.6.0', subject: 'orders' });
    expect(parseCandidate('image:api@sha256:0239e49dd8b1')).toMatchObject({ kind: 'image', component: 'api', digest: 'sha256:0239e49dd8b1', subject: 'image:api' });
    expect(parseCandidate('image:nginx@1.29.3-alpine')).toMatchObject({ kind: 'image', component: 'nginx', tag: '1.29.3-alpine' });
  });
  test('refused, one sentence each: no @, an unknown component, a short or malformed digest', () => {
    expect(parseCandidate('orders')).toBe('expected <module>@<version> or image:<component>@sha256:<digest>, got "orders"');
    expect(parseCandidate('image:php@sha256:0239e49dd8b1')).toBe('unknown image component "php" (components: api, horizon, nginx)');
    expect(parseCandidate('image:api@sha256:0239')).toBe('expected a digest sha256:<at least 12 lower-case hex digits>, got "sha256:0239"');
  });
});

describe('candidateRecord on the example history', () => {
  test('orders@1.6.0: its stages ring by ring (replaced in experimental and canary, running in edge with soak left), the next promotion', () => {
    const r = candidateRecord(reg, example, q('orders@1.6.0'), NOW);
    expect(r.identity).toEqual({ platform: 'autocom', kind: 'module', name: 'orders' });
    expect(r.revision).toEqual({ version: '1.6.0', sha256: '06f4cc1ac1261f0bfb16f4d0d8cbf082a0738113f00de4d275325e7dcd899692' });
    expect(r.stages.map((s) => [s.target.ring, s.status, s.arrived.from, s.rollback_target])).toEqual([
      ['experimental', 'replaced', null, '1.5.0'],
      ['canary', 'replaced', 'experimental', '1.5.0'],
      ['edge', 'running', 'canary', '1.5.0'],
    ]);
    const edge = r.stages[2];
    expect(edge).toMatchObject({ target: { ring: 'edge', namespace: 'autocom-edge' }, soak: { required: '7d', until: '2026-11-25T09:00:00Z', remaining: '1d 21h' }, passed: null, approver: 'not required', checks_run: ['order', 'soak'] });
    expect(r.stages[0].left).toMatchObject({ time: '2026-11-19T08:00:00Z', to: '1.6.1' });
    expect(r.running_in).toEqual(['edge']);
    expect(r.next).toEqual({ from: 'edge', to: 'stable', command: 'rings promote orders --from edge --to stable', approval_required: true });
    expect(r.entries.map((e) => e.time)).toEqual(['2026-11-09T09:00:00Z', '2026-11-10T10:00:00Z', '2026-11-18T09:00:00Z', '2026-11-19T08:00:00Z', '2026-11-20T10:00:00Z']);
  });
  test('a rolled-back candidate: catalog@3.5.0 in canary and experimental', () => {
    const r = candidateRecord(reg, example, q('catalog@3.5.0'), NOW);
    expect(r.stages.map((s) => [s.target.ring, s.status])).toEqual([['experimental', 'rolled back'], ['canary', 'rolled back']]);
    expect(r.running_in).toEqual([]);
    expect(r.next).toBeUndefined();
  });
  test('an image by digest prefix: the api image in experimental and canary, next to edge', () => {
    const r = candidateRecord(reg, example, q('image:api@sha256:0239e49dd8b12c'), NOW);
    expect(r.digest).toEqual({ digest: 'sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606', ref: 'registry.gitlab.com/autocommerce/main/api-octane:2026.12.0@sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606' });
    expect(r.stages.map((s) => s.target.ring)).toEqual(['experimental', 'canary']);
    expect(r.next?.command).toBe('rings promote image api --from canary --to edge');
  });
  test('an artifact no entry names: an empty record, no stage', () => {
    expect(candidateRecord(reg, example, q('orders@9.9.9'), NOW)).toMatchObject({ stages: [], entries: [], running_in: [] });
  });
});

describe('candidateRecord on evidence of every kind', () => {
  const orders161 = example.filter((e) => e.module === 'orders' || e.action !== 'promote');
  const canaryLock = { orders: '1.6.1', payments: '3.2.0' };
  const metrics = [
    { name: 'error-rate', query: 'sum(rate(x[5m]))', window: '30m', step: '60s', points: 31, series: 1, worst: 0.0499, worst_at: '2026-11-22T10:45:00Z', max: 0.01, result: 'fail' },
    { name: 'p99', query: 'q', window: '30m', step: '60s', points: 0, series: 0, worst: null, worst_at: null, max: 0.5, result: 'no-data', on_no_data: 'pass', reason: 'no traffic at night', nan_points: 0 },
  ];
  const history: HistoryEntry[] = [
    ...orders161,
    verifyOf('2026-11-21T11:00:00Z', 'canary', canaryLock, true),
    verifyOf('2026-11-21T12:00:00Z', 'canary', { ...canaryLock, orders: '1.6.0' }, false), // saw another version: not this candidate's
    verifyOf('2026-11-22T11:00:00Z', 'canary', canaryLock, false, metrics),
    {
      ...base, time: '2026-11-23T10:00:00Z', actor: 'Bob <bob@acme.io>', action: 'approve', module: 'orders', from: 'edge', to: 'stable', new: '1.6.1',
      approval: { approver: 'bob@acme.io', candidates: [{ candidate: 'orders@1.6.1', sha256: '8ddb4507907498a9c9626a81deb49ba038404b0c9f6867fecfee390a465a5444', rollback_target: '1.5.0', window: 'edge 2026-11-16/2026-11-23', waived: [] }] },
    } as unknown as HistoryEntry,
    {
      ...base, time: '2026-11-23T11:00:00Z', actor: 'Priya <priya@acme.io>', action: 'promote', module: 'orders', from: 'canary', to: 'edge', previous: '1.6.0', new: '1.6.1', reason: 'INC-9 hotfix',
      gates_checked: ['order', 'soak', 'verified'], gates_waived: ['verified'], rollback_target: '1.6.0', evidence: [{ gate: 'soak', arrived: '2026-11-20T10:00:00Z' }, { gate: 'verified', waived: true }], train: 'canary-edge-20261123T110000Z',
    },
  ];
  const r = candidateRecord(reg, history, q('orders@1.6.1'), NOW);
  test('verify and metric evidence while it ran: only the verifies that saw it; the latest decides pass/fail', () => {
    const canary = r.stages.find((s) => s.target.ring === 'canary')!;
    const verifies = canary.evidence.filter((e) => 'kind' in e && e.kind === 'verify');
    expect(verifies.map((v) => (v as { time: string }).time)).toEqual(['2026-11-21T11:00:00Z', '2026-11-22T11:00:00Z']);
    expect(canary.passed).toBe(false);
    expect(canary.checks_run).toEqual(['order', 'soak', 'deployment', 'rollout', 'metric:error-rate', 'metric:p99']);
    expect((verifies[1] as { metrics: readonly unknown[] }).metrics).toHaveLength(2);
  });
  test('a waiver, a train, the rollback target, and an approval recorded for the next stage', () => {
    const edge = r.stages.find((s) => s.target.ring === 'edge')!;
    expect(edge).toMatchObject({ waived: ['verified'], rollback_target: '1.6.0', passed: false, approver: 'not required', arrived: { train: 'canary-edge-20261123T110000Z', reason: 'INC-9 hotfix' } });
    expect(edge.evidence).toEqual([{ gate: 'soak', arrived: '2026-11-20T10:00:00Z' }, { gate: 'verified', waived: true }]);
    expect(r.approvals).toEqual([{ kind: 'approval', time: '2026-11-23T10:00:00Z', to: 'stable', approver: 'bob@acme.io', from: 'edge', window: 'edge 2026-11-16/2026-11-23', rollback_target: '1.5.0', waived: [] }]);
    // where it runs (and so the next step) is what the registry pins, not what the history says: here canary
    expect(r.running_in).toEqual(['experimental', 'canary']);
    expect(r.next).toMatchObject({ from: 'canary', to: 'edge' });
  });
  test('into a ring that requires approval: the approver the gate verified, or null (missing), or the emergency waiver', () => {
    const into = (evidence: unknown[], waived: string[] = []): HistoryEntry =>
      ({ ...base, time: '2026-11-23T11:30:00Z', actor: 'Alice <alice@acme.io>', action: 'promote', module: 'payments', from: 'edge', to: 'stable', previous: '3.1.0', new: '3.2.0', gates_checked: ['order', 'soak', 'approval'], gates_waived: waived, rollback_target: '3.1.0', evidence }) as HistoryEntry;
    const stage = (e: HistoryEntry) => candidateRecord(reg, [...example, e], q('payments@3.2.0'), NOW).stages.find((s) => s.target.ring === 'stable')!;
    expect(stage(into([{ gate: 'approval', approver: 'bob@acme.io', commit: 'c'.repeat(40), approved_at: '2026-11-23T10:00:00Z' }])).approver).toBe('bob@acme.io');
    expect(stage(into([])).approver).toBeNull();
    expect(stage(into([{ gate: 'approval', waived: true }], ['approval'])).approver).toBe('waived (emergency)');
  });
  test('namesCandidate: pin changes to and from it, verifies that saw it, approvals of it; nothing else', () => {
    const c = q('orders@1.6.1');
    expect(history.filter((e) => namesCandidate(c, e)).map((e) => `${e.action} ${e.to}`)).toEqual([
      'promote experimental', 'promote canary', 'verify canary', 'verify canary', 'approve stable', 'promote edge',
    ]);
  });
  test('formatMeasured: the line verify --metrics prints (its own formatter), and a no-data pass with its reason', () => {
    expect(formatMeasured(metrics[0] as never)).toBe('error-rate: worst 0.0499 (max 0.01) over 30m, 31 points: fail');
    expect(formatMeasured(metrics[1] as never)).toBe('p99: no data over 30m (no series): pass (on_no_data = "pass": no traffic at night)');
  });
});

describe('with [clusters]: the target names the cluster each ring runs on', () => {
  test('the ring\'s cluster, else the home cluster', () => {
    const withClusters = { ...reg, platform: { ...reg.platform, clusters: { eu: {}, us: {} }, home_cluster: 'eu' }, rings: reg.rings.map((r) => (r.spec.name === 'edge' ? { ...r, spec: { ...r.spec, cluster: 'us' } } : r)) } as typeof reg;
    const r = candidateRecord(withClusters, example, q('orders@1.6.0'), NOW);
    expect(r.stages.map((s) => s.target.cluster)).toEqual(['eu', 'eu', 'us']);
    expect(candidateRecord(reg, example, q('orders@1.6.0'), NOW).stages.every((s) => s.target.cluster === undefined)).toBe(true);
  });
});

describe('rings history --candidate (the built CLI)', () => {
  const rings = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/rings.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RINGS_NOW: '2026-11-23T12:00:00Z' } });
  test('text: one line per stage, the next command, every entry naming it', () => {
    const r = rings('history', '--candidate', 'orders@1.6.0');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('orders@1.6.0  module orders 1.6.0 (sha256 06f4cc1ac1261f0bfb16f4d0d8cbf082a0738113f00de4d275325e7dcd899692) of autocom; runs in edge');
    expect(lines[3]).toBe('  edge          arrived 2026-11-18T09:00:00Z from canary by Marco Rossi <marco.rossi@acme.io>; soak 7d: 1d 21h left (until 2026-11-25T09:00:00Z); not verified; approver: not required; rollback target 1.5.0; running');
    expect(lines[4]).toBe('  next: rings promote orders --from edge --to stable (stable requires a signed approval of it by someone else first: rings approve orders --to stable)');
    expect(r.stdout).toContain('\n5 history entries name it:\n2026-11-09T09:00:00Z  ci-bot <ci@acme.io>  promote orders 1.6.0 to experimental (was 1.5.0)');
  });
  test('--json: one document with the lifecycle\'s fields; bad input is a usage error', () => {
    const doc = JSON.parse(rings('history', '--candidate', 'orders@1.6.0', '--json').stdout);
    expect(Object.keys(doc)).toEqual(['candidate', 'identity', 'revision', 'stages', 'running_in', 'approvals', 'next', 'entries']);
    expect(Object.keys(doc.stages[0])).toEqual(['target', 'status', 'arrived', 'left', 'soak', 'checks_run', 'passed', 'evidence', 'rollback_target', 'approver', 'waived']);
    const bad = rings('history', '--candidate', 'orders');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--candidate: expected <module>@<version> or image:<component>@sha256:<digest>, got "orders"');
    expect(rings('history', '--candidate', 'orders@1.6.0', '--ring', 'edge').stderr).toContain('--candidate shows one artifact across every ring; drop --ring');
  });
});


