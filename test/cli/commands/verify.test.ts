/**
 * `rings verify`, `rings verify --record` and the evidence-gated promote through the CLI, in-process,
 * with a stand-in kubectl (fake-kubectl.js) answering from a snapshot of a cluster that runs exactly
 * what a fresh synth of the registry says (built here, so the test follows the registry). The real
 * cluster runs are in test/cluster/verify.test.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutMetricChecks } from '../../support/metric-checks';
import { loadAll, renderSources } from '../../../src/cli/context';
import { run } from '../../../src/cli/run';
import { Io } from '../../../src/cli/output';
import { secretRefs } from '../../../src/operate/verify/verify-ring';
import { ringExpectations } from '../../../src/operate/verify/expected';
import { ClusterSnapshot, Obj, NamespaceSnapshot } from '../../../src/operate/verify/snapshot';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function scratch(): { dir: string; registry: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-verify-'));
  dirs.push(dir);
  fs.cpSync('rings', path.join(dir, 'rings'), { recursive: true });
  withoutMetricChecks(path.join(dir, 'rings')); // the analysis gate has its own suite (test/analysis/)
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.copyFileSync(path.join(__dirname, 'fake-kubectl.js'), path.join(bin, 'kubectl'));
  fs.chmodSync(path.join(bin, 'kubectl'), 0o755);
  return { dir, registry: path.join(dir, 'rings') };
}

/** What a cluster that runs the registry exactly would report. */
function perfectSnapshot(registry: string): ClusterSnapshot {
  const { sources } = loadAll(registry);
  const { plan, result } = renderSources(registry, sources);
  const objects: Obj[] = JSON.parse(JSON.stringify(result.charts.flatMap((c) => c.objects)));
  const exps = ringExpectations(plan.rings, plan.homeNamespace, objects);
  const namespaces: Record<string, NamespaceSnapshot> = {};
  for (const ns of objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)) {
    const mine = objects.filter((o) => o.metadata?.namespace === ns);
    const hpa = (d: Obj) => mine.find((h) => h.kind === 'HorizontalPodAutoscaler' && h.spec.scaleTargetRef.name === d.metadata.name);
    const deployments = mine
      .filter((o) => o.kind === 'Deployment')
      .map((d) => {
        const r = d.spec.replicas ?? hpa(d)?.spec.minReplicas ?? 1;
        return { ...d, metadata: { ...d.metadata, generation: 1 }, spec: { ...d.spec, replicas: r }, status: { observedGeneration: 1, replicas: r, updatedReplicas: r, readyReplicas: r, availableReplicas: r } };
      });
    const pods = deployments.flatMap((d) =>
      Array.from({ length: d.spec.replicas }, (_, i) => ({
        kind: 'Pod',
        metadata: { name: `${d.metadata.name}-h-${i}`, namespace: ns, labels: { ...d.spec.template.metadata.labels, 'pod-template-hash': 'h' } },
        spec: d.spec.template.spec,
        status: { phase: 'Running', containerStatuses: d.spec.template.spec.containers.map((c: Obj) => ({ name: c.name, restartCount: 0, state: { running: {} } })) },
      })),
    );
    const services = mine.filter((o) => o.kind === 'Service');
    if (ns === plan.homeNamespace) for (const s of exps[0].aliasTargets) if (!services.some((x) => x.metadata.name === s)) services.push({ kind: 'Service', metadata: { name: s, namespace: ns }, spec: { type: 'ClusterIP' } });
    namespaces[ns] = {
      deployments,
      pods,
      configmaps: mine.filter((o) => o.kind === 'ConfigMap'),
      services,
      secrets: [...new Set(mine.flatMap(secretRefs))].sort(),
      externalsecrets: mine.filter((o) => o.kind === 'ExternalSecret').map((e) => ({ ...e, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] } })),
    };
  }
  return { namespaces, ingresses: objects.filter((o) => o.kind === 'Ingress'), httproutes: objects.filter((o) => o.kind === 'HTTPRoute') };
}

function io(dir: string, extra: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const i: Io = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    stdoutIsTty: false,
    stdinIsTty: false,
    env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, RINGS_NOW: '2026-11-23T12:00:00Z', RINGS_ACTOR: 'Tester <t@acme.io>', NO_COLOR: '1', FAKE_KUBE_SNAPSHOT: path.join(dir, 'snapshot.json'), FAKE_KUBE_LOG: path.join(dir, 'kubectl.log'), ...extra },
    ask: async () => '',
  };
  return { io: i, out: () => out.join(''), err: () => err.join('') };
}

function setup(edit?: (s: ClusterSnapshot) => void) {
  const s = scratch();
  const snap = perfectSnapshot(s.registry);
  edit?.(snap);
  fs.writeFileSync(path.join(s.dir, 'snapshot.json'), JSON.stringify(snap));
  return s;
}

const historyText = (registry: string) => fs.readFileSync(path.join(registry, 'history.jsonl'), 'utf8');

describe('rings verify through the CLI', () => {
  test('a cluster that runs the registry: exit 0, one ok line per ring, nothing written anywhere', async () => {
    const s = setup();
    const before = historyText(s.registry);
    const t = io(s.dir);
    expect(await run(['verify', '--registry', s.registry], t.io)).toBe(0);
    expect(t.out()).toBe(['ok  stable (autocom): 10 checks passed', 'ok  edge (autocom-edge): 10 checks passed', 'ok  canary (autocom-canary): 10 checks passed', 'ok  experimental (autocom-experimental): 10 checks passed', ''].join('\n'));
    expect(historyText(s.registry)).toBe(before);
    const calls = fs.readFileSync(path.join(s.dir, 'kubectl.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(calls.every((a: string[]) => a.includes('get'))).toBe(true);
  });
  test('a finding: one line, exit 1; --ring limits the rings', async () => {
    const s = setup((snap) => {
      (snap.namespaces['autocom-canary'] as any).deployments = snap.namespaces['autocom-canary'].deployments.filter((d) => d.metadata.name !== 'nginx');
    });
    const t = io(s.dir);
    expect(await run(['verify', '--ring', 'canary', '--registry', s.registry], t.io)).toBe(1);
    // a failing ring prints the command that undoes the last promotion into it
    expect(t.out()).toBe('canary: [deployment] Deployment autocom-canary/nginx: missing\nFAIL  canary (autocom-canary): 1 finding\n  the latest promotion into canary was ai 2.4.0 (2026-11-23T02:00:00Z); to undo it: rings rollback ai --ring canary\n');
  });
  test('--json for machines', async () => {
    const s = setup((snap) => {
      snap.namespaces['autocom-edge'].deployments[0].status.readyReplicas = 0;
    });
    const t = io(s.dir);
    expect(await run(['verify', '--ring', 'edge', '--json', '--registry', s.registry], t.io)).toBe(1);
    const j = JSON.parse(t.out());
    expect(j).toMatchObject({ reachable: true, passed: false, recorded: false });
    expect(j.rings[0]).toMatchObject({ ring: 'edge', namespace: 'autocom-edge', passed: false, rollback: 'rings rollback orders --ring edge' });
    expect(j.rings[0].findings[0]).toEqual({ check: 'replicas', object: 'Deployment autocom-edge/api', message: expect.stringMatching(/^0 of \d+ replicas ready$/) });
  });
  test('--probe: a proxy request nothing answers is one clean finding per ring', async () => {
    const s = setup();
    const t = io(s.dir);
    expect(await run(['verify', '--ring', 'canary', '--probe', '--registry', s.registry], t.io)).toBe(1);
    expect(t.out()).toBe(
      'canary: [probe] Service autocom-canary/api: GET /api/v1/namespaces/autocom-canary/services/api:http/proxy/api/health failed: Error from server (Forbidden): resolve_deny: denied destination\nFAIL  canary (autocom-canary): 1 finding\n  the latest promotion into canary was ai 2.4.0 (2026-11-23T02:00:00Z); to undo it: rings rollback ai --ring canary\n',
    );
  });
  test('cluster unreachable: exit 2, one line, nothing recorded', async () => {
    const s = setup();
    const before = historyText(s.registry);
    const t = io(s.dir, { FAKE_KUBE_DOWN: '1' });
    expect(await run(['verify', '--record', '--registry', s.registry], t.io)).toBe(2);
    expect(t.err()).toBe('error: cluster unreachable: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n');
    expect(historyText(s.registry)).toBe(before);
  });
  test('cluster unreachable with the real kubectl and a kubeconfig pointing at a closed port: exit 2', async () => {
    const has = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (has.status !== 0) throw new Error('kubectl is required for this test (CI installs it)');
    const s = scratch();
    const kc = path.join(s.dir, 'kubeconfig');
    fs.writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: not-a-secret}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const t = io(s.dir, { PATH: process.env.PATH ?? '' });
    expect(await run(['verify', '--kubeconfig', kc, '--context', 'x', '--registry', s.registry], t.io)).toBe(2);
    expect(t.err()).toMatch(/^error: cluster unreachable: .*127\.0\.0\.1:9.*refused/);
    expect(t.err().split('\n').filter(Boolean)).toHaveLength(1);
  });
  test('--help lists every check and the exit codes; the top help lists the command', async () => {
    const t = io(scratch().dir);
    expect(await run(['verify', '--help'], t.io)).toBe(0);
    expect(t.out()).toMatch(/^usage: rings verify \[--ring R\]/);
    for (const c of ['deployment', 'rollout', 'replicas', 'template', 'restarts', 'ring-env', 'routing', 'alias', 'secret', 'external-secret', 'probe']) expect(t.out()).toContain(`  ${c} `);
    expect(t.out()).toContain('2 the cluster cannot be reached or read');
    const top = io(scratch().dir);
    await run(['--help'], top.io);
    expect(top.out()).toMatch(/\n  verify +compare the live cluster with the registry/);
  });
  test('usage: --max-restarts must be a whole number; an unknown ring is refused', async () => {
    const s = setup();
    expect(await run(['verify', '--max-restarts', 'x', '--registry', s.registry], io(s.dir).io)).toBe(2);
    const t = io(s.dir);
    expect(await run(['verify', '--ring', 'nope', '--registry', s.registry], t.io)).toBe(1);
    expect(t.err()).toBe('error: unknown ring "nope" (rings: stable, edge, canary, experimental)\n');
  });
});

describe('rings diff --live through the CLI (its comparison: test/operate/verify/live-object-diff.test.ts; on a cluster: test/cluster/verify-suite.ts)', () => {
  test('cluster unreachable: exit 2, one line; --json says so', async () => {
    const s = setup();
    const dist = path.join(s.dir, 'dist');
    expect(await run(['synth', '--out', dist, '--registry', s.registry], io(s.dir).io)).toBe(0);
    const t = io(s.dir, { FAKE_KUBE_DOWN: '1' });
    expect(await run(['diff', '--live', '--against', dist, '--registry', s.registry], t.io)).toBe(2);
    expect(t.err()).toBe('error: cluster unreachable: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n');
    const j = io(s.dir, { FAKE_KUBE_DOWN: '1' });
    expect(await run(['diff', '--live', '--json', '--against', dist, '--registry', s.registry], j.io)).toBe(2);
    expect(JSON.parse(j.out())).toEqual({ reachable: false, error: expect.stringMatching(/^cluster unreachable: /) });
  });
  test('--kubeconfig without --live is a usage error', async () => {
    const s = setup();
    expect(await run(['diff', '--kubeconfig', 'x', '--against', s.registry, '--registry', s.registry], io(s.dir).io)).toBe(2);
  });
});

describe('evidence-gated promotion: require_verified = true on canary', () => {
  const gated = () => {
    const s = setup();
    const f = path.join(s.registry, 'canary.toml');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^soak = "24h"$/m, 'soak = "24h"\nrequire_verified = true'));
    return s;
  };
  test('refused without evidence, naming what is missing and the command; accepted after verify --record', async () => {
    const s = gated();
    const lock = () => fs.readFileSync(path.join(s.registry, 'locks', 'edge.lock.json'), 'utf8');
    const lockBefore = lock();
    const refused = io(s.dir);
    expect(await run(['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--registry', s.registry], refused.io)).toBe(1);
    expect(refused.err()).toBe(
      'refused by the verified gate: no verify of canary recorded since 2026-11-21T10:00:00Z; run rings verify --ring canary --record now (needed any time after 2026-11-21T10:00:00Z: orders 1.6.1 arrived 2026-11-20T10:00:00Z, soak 24h), or pass --emergency --reason TEXT\n',
    );
    expect(lock()).toBe(lockBefore);

    const v = io(s.dir);
    expect(await run(['verify', '--ring', 'canary', '--record', '--registry', s.registry], v.io)).toBe(0);
    expect(v.out()).toContain(`recorded 1 verify entry in ${path.join(s.registry, 'history.jsonl')}`);
    const entry = JSON.parse(historyText(s.registry).trim().split('\n').pop()!);
    expect(entry).toMatchObject({ time: '2026-11-23T12:00:00Z', actor: 'Tester <t@acme.io>', action: 'verify', to: 'canary', passed: true, findings: [], pod_template_hashes: { api: ['h'], horizon: ['h'], nginx: ['h'] } });
    expect(entry.lock.orders).toBe('1.6.1');
    expect(entry.lock_checksums).toHaveLength(1);
    expect(entry.checks).toContain('ring-env');

    const ok = io(s.dir, { RINGS_NOW: '2026-11-23T12:05:00Z' });
    expect(await run(['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--json', '--registry', s.registry], ok.io)).toBe(0);
    const promoted = JSON.parse(ok.out()).entry;
    expect(promoted).toMatchObject({ gates_checked: ['order', 'soak', 'verified'], gates_waived: [], previous: '1.6.0', new: '1.6.1', rollback_target: '1.6.0' });
    expect(promoted.evidence).toEqual([
      { gate: 'soak', arrived: '2026-11-20T10:00:00Z' },
      { gate: 'verified', verified_at: '2026-11-23T12:00:00Z', lock_checksums: entry.lock_checksums },
    ]);

    const h = io(s.dir);
    expect(await run(['history', '--ring', 'canary', '--registry', s.registry], h.io)).toBe(0);
    const lines = h.out().trim().split('\n');
    expect(lines[lines.length - 2]).toMatch(/^2026-11-23T12:00:00Z  Tester <t@acme.io>  verify canary: passed \[deployment, rollout, replicas, template, restarts, ring-env, routing, alias, secret, external-secret\], lock sha256:[0-9a-f]{12}…$/);
    expect(lines[lines.length - 1]).toBe(
      '2026-11-23T12:05:00Z  Tester <t@acme.io>  promote orders 1.6.1 from canary to edge (was 1.6.0; rollback target 1.6.0; evidence: soaked since 2026-11-20T10:00:00Z, verified 2026-11-23T12:00:00Z)',
    );
  });
  test('a failing verify --record is evidence too: the gate quotes it', async () => {
    const s = gated();
    fs.writeFileSync(
      path.join(s.dir, 'snapshot.json'),
      JSON.stringify(((snap: ClusterSnapshot) => ((snap.namespaces['autocom-canary'].pods[0] as any).status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } }, snap))(perfectSnapshot(s.registry))),
    );
    expect(await run(['verify', '--ring', 'canary', '--record', '--registry', s.registry], io(s.dir).io)).toBe(1);
    const t = io(s.dir);
    expect(await run(['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--registry', s.registry], t.io)).toBe(1);
    expect(t.err()).toMatch(/^refused by the verified gate: the latest verify of canary \(2026-11-23T12:00:00Z\) failed with 1 finding \(first: canary: \[restarts\] Pod autocom-canary\/api-h-0: CrashLoopBackOff in api \(0 restarts\)\)/);
  });
  test('--emergency --reason records the waiver as evidence', async () => {
    const s = gated();
    const t = io(s.dir);
    expect(await run(['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--json', '--emergency', '--reason', 'hotfix for checkout outage', '--registry', s.registry], t.io)).toBe(0);
    expect(JSON.parse(t.out()).entry).toMatchObject({ gates_waived: ['verified'], reason: 'hotfix for checkout outage', evidence: [{ gate: 'soak', arrived: '2026-11-20T10:00:00Z' }, { gate: 'verified', waived: true }] });
  });
  test('require_verified defaults to false: no verified gate', async () => {
    const s = setup();
    const t = io(s.dir);
    expect(await run(['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes', '--json', '--registry', s.registry], t.io)).toBe(0);
    expect(JSON.parse(t.out()).entry.gates_checked).toEqual(['order', 'soak']);
  });
});
