/**
 * `rings verify`, `rings diff --live`, `status`, `list`, `show` on the two-cluster fixture, through the
 * CLI, with the stand-in kubectl answering per kubeconfig context from a snapshot of each cluster that
 * runs exactly what a fresh synth places there. The real two-control-plane runs are in
 * test/cluster/multi-cluster-*.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAll, renderSources } from '../../../src/cli/context';
import { run } from '../../../src/cli/run';
import { Io } from '../../../src/cli/output';
import { secretRefs } from '../../../src/operate/verify/verify-ring';
import { ClusterSnapshot, Obj, NamespaceSnapshot } from '../../../src/operate/verify/snapshot';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'registries', 'two-clusters');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function scratch(): { dir: string; registry: string; snapshots: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-verify-clusters-'));
  dirs.push(dir);
  fs.cpSync(FIXTURE, path.join(dir, 'rings'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'rings', 'history.jsonl'), '');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.copyFileSync(path.join(__dirname, 'fake-kubectl.js'), path.join(bin, 'kubectl'));
  fs.chmodSync(path.join(bin, 'kubectl'), 0o755);
  fs.mkdirSync(path.join(dir, 'snapshots'));
  return { dir, registry: path.join(dir, 'rings'), snapshots: path.join(dir, 'snapshots') };
}

/** What a cluster running exactly `objects` reports; `extraHomeServices` stand for what operators run in the home namespace. */
function snapshotOf(objects: Obj[], homeNamespace: string | undefined, extraHomeServices: readonly string[]): ClusterSnapshot {
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
    if (ns === homeNamespace) for (const s of extraHomeServices) if (!services.some((x) => x.metadata.name === s)) services.push({ kind: 'Service', metadata: { name: s, namespace: ns }, spec: { type: 'ClusterIP' } });
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

/** One snapshot per cluster, written as <context>.json (contexts named like the clusters unless renamed). */
function setup(edit?: (snaps: Record<string, ClusterSnapshot>) => void, contextOf: Record<string, string> = {}) {
  const s = scratch();
  const { sources } = loadAll(s.registry);
  const { plan, result } = renderSources(s.registry, sources);
  const snaps: Record<string, ClusterSnapshot> = {};
  for (const c of plan.clusters!) {
    const objects: Obj[] = JSON.parse(JSON.stringify(result.charts.filter((x) => x.cluster === c.name).flatMap((x) => x.objects)));
    snaps[c.name] = snapshotOf(objects, c.home ? plan.homeNamespace : undefined, c.home ? ['autocom-db-rw', 'autocom-db-ro', 'minio'] : []);
  }
  edit?.(snaps);
  for (const [c, snap] of Object.entries(snaps)) fs.writeFileSync(path.join(s.snapshots, `${contextOf[c] ?? c}.json`), JSON.stringify(snap));
  return s;
}

function io(s: { dir: string; snapshots: string }, extra: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const i: Io = {
    stdout: (x) => out.push(x),
    stderr: (x) => err.push(x),
    stdoutIsTty: false,
    stdinIsTty: false,
    env: { PATH: `${path.join(s.dir, 'bin')}:${process.env.PATH}`, RINGS_NOW: '2026-11-23T12:00:00Z', RINGS_ACTOR: 'Tester <t@acme.io>', NO_COLOR: '1', FAKE_KUBE_SNAPSHOT_DIR: s.snapshots, FAKE_KUBE_LOG: path.join(s.dir, 'kubectl.log'), ...extra },
    ask: async () => '',
  };
  return { io: i, out: () => out.join(''), err: () => err.join('') };
}
const contextsUsed = (dir: string) => [...new Set(fs.readFileSync(path.join(dir, 'kubectl.log'), 'utf8').trim().split('\n').map((l) => { const a = JSON.parse(l) as string[]; return a[a.indexOf('--context') + 1]; }))].sort();

describe('rings verify across clusters', () => {
  test('both clusters run the registry: one ok line per ring naming its cluster, each cluster read with the context named like it', async () => {
    const s = setup();
    const t = io(s);
    expect(await run(['verify', '--registry', s.registry], t.io)).toBe(0);
    expect(t.out()).toBe(
      ['ok  stable (autocom on eu-1): 10 checks passed', 'ok  stable-us (autocom on us-1): 10 checks passed', 'ok  edge (autocom-edge on eu-1): 10 checks passed', 'ok  canary (autocom-canary on us-1): 10 checks passed', ''].join('\n'),
    );
    expect(contextsUsed(s.dir)).toEqual(['eu-1', 'us-1']);
  });

  test('--context us-1=NAME reads us-1 with that context', async () => {
    const s = setup(undefined, { 'us-1': 'prod-us' });
    const t = io(s);
    expect(await run(['verify', '--context', 'us-1=prod-us', '--registry', s.registry], t.io)).toBe(0);
    expect(contextsUsed(s.dir)).toEqual(['eu-1', 'prod-us']);
  });

  test('a finding names the ring and its cluster; the namespace of the same name on the other cluster is not confused with it', async () => {
    const s = setup((snaps) => {
      const api = snaps['us-1'].namespaces.autocom.deployments.find((d) => d.metadata.name === 'api')!;
      api.status.readyReplicas = 1;
    });
    const t = io(s);
    expect(await run(['verify', '--registry', s.registry], t.io)).toBe(1);
    expect(t.out()).toBe(
      [
        'stable-us on us-1: [replicas] Deployment autocom/api: 1 of 3 replicas ready',
        'ok  stable (autocom on eu-1): 10 checks passed',
        'FAIL  stable-us (autocom on us-1): 1 finding',
        'ok  edge (autocom-edge on eu-1): 10 checks passed',
        'ok  canary (autocom-canary on us-1): 10 checks passed',
        '',
      ].join('\n'),
    );
  });

  test('--ring reads only that ring\'s cluster; --json and --record carry the cluster', async () => {
    const s = setup();
    const t = io(s);
    expect(await run(['verify', '--ring', 'canary', '--json', '--record', '--registry', s.registry], t.io)).toBe(0);
    expect(contextsUsed(s.dir)).toEqual(['us-1']);
    expect(JSON.parse(t.out()).rings.map((r: Record<string, unknown>) => [r.ring, r.cluster])).toEqual([['canary', 'us-1']]);
    const entry = JSON.parse(fs.readFileSync(path.join(s.registry, 'history.jsonl'), 'utf8').trim());
    expect(entry).toMatchObject({ action: 'verify', to: 'canary', cluster: 'us-1', passed: true });
  });

  test('the home ring checks the home services the other clusters\' aliases point at', async () => {
    const s = setup((snaps) => {
      const home = snaps["eu-1"].namespaces.autocom as unknown as { services: Obj[] };
      home.services = home.services.filter((x) => x.metadata.name !== 'minio');
    });
    const t = io(s);
    expect(await run(['verify', '--ring', 'stable', '--registry', s.registry], t.io)).toBe(1);
    expect(t.out()).toContain('stable on eu-1: [alias] Service autocom/minio: missing: the aliases of the other rings point at it');
  });

  test('one cluster unreachable: exit 2, one line naming the cluster and its context, nothing recorded', async () => {
    const s = setup();
    const t = io(s, { FAKE_KUBE_DOWN_CONTEXT: 'us-1' });
    expect(await run(['verify', '--record', '--registry', s.registry], t.io)).toBe(2);
    expect(t.err()).toBe('error: cluster us-1 (context us-1): cluster unreachable: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n');
    expect(fs.readFileSync(path.join(s.registry, 'history.jsonl'), 'utf8')).toBe('');
  });

  test('usage: a bare --context, an unknown cluster, a cluster twice', async () => {
    const s = setup();
    for (const [args, message] of [
      [['--context', 'prod'], 'usage error: --context prod: expected <cluster>=<context> for one of the clusters (eu-1, us-1); a cluster not named reads the context named like it'],
      [['--context', 'ap-1=x'], 'usage error: --context ap-1=x: expected one of the clusters (eu-1, us-1), got "ap-1"'],
      [['--context', 'us-1=a', '--context', 'us-1=b'], 'usage error: --context us-1=… given twice'],
    ] as const) {
      const t = io(s);
      expect(await run(['verify', ...args, '--registry', s.registry], t.io)).toBe(2);
      expect(t.err().split('\n')[0]).toBe(message);
    }
  });
});

describe('rings diff --live across clusters', () => {
  test('one cluster unreachable names it; a single-cluster --context CLUSTER=NAME is a usage error', async () => {
    const s = setup();
    const dist = path.join(s.dir, 'dist');
    expect(await run(['synth', '--out', dist, '--registry', s.registry], io(s).io)).toBe(0);
    const t = io(s, { FAKE_KUBE_DOWN_CONTEXT: 'eu-1' });
    expect(await run(['diff', '--live', '--against', dist, '--registry', s.registry], t.io)).toBe(2);
    expect(t.err()).toBe('error: cluster eu-1 (context eu-1): cluster unreachable: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n');
    const bad = io(s);
    expect(await run(['diff', '--live', '--against', dist, '--context', 'prod', '--registry', s.registry], bad.io)).toBe(2);
  });
});

describe('where each ring runs: status, list, show, --mermaid', () => {
  test('status has a CLUSTER row; list a CLUSTER column; show a cluster line; --json the cluster of each ring', async () => {
    const s = scratch();
    const st = io(s);
    expect(await run(['status', '--registry', s.registry], st.io)).toBe(0);
    expect(st.out().split('\n').slice(0, 2)).toEqual(['MODULE               stable  stable-us  edge     canary', 'CLUSTER              eu-1    us-1       eu-1     us-1']);
    const ls = io(s);
    expect(await run(['list', '--registry', s.registry], ls.io)).toBe(0);
    expect(ls.out().split('\n')[0]).toMatch(/^RING +NAMESPACE +CLUSTER +ORDER/);
    expect(ls.out()).toMatch(/\nstable-us +autocom +us-1 +5 /);
    const sh = io(s);
    expect(await run(['show', 'canary', '--registry', s.registry], sh.io)).toBe(0);
    expect(sh.out()).toContain('cluster          us-1 (reaches the shared services at their remote_host; server https://us-1.k8s.acme.io)\n');
    const j = io(s);
    expect(await run(['status', '--json', '--registry', s.registry], j.io)).toBe(0);
    const m = JSON.parse(j.out());
    expect(m.clusters).toEqual(['eu-1', 'us-1']);
    expect(m.rings.map((r: Record<string, string>) => `${r.ring}@${r.cluster}`)).toEqual(['stable@eu-1', 'stable-us@us-1', 'edge@eu-1', 'canary@us-1']);
  });

  test('--mermaid: a subgraph per cluster holding its namespaces, aliases from the other cluster marked remote_host', async () => {
    const s = scratch();
    const t = io(s);
    expect(await run(['status', '--mermaid', '--registry', s.registry], t.io)).toBe(0);
    const out = t.out();
    expect(out).toContain('  subgraph cluster_eu_1["cluster eu-1 (home)"]\n    subgraph ns_eu_1_autocom_edge["namespace autocom-edge"]');
    expect(out).toContain('  subgraph cluster_us_1["cluster us-1"]');
    expect(out).toContain('    subgraph ns_us_1_autocom["namespace autocom"]');
    expect(out).toContain('  ring_canary -.->|"7 aliases · remote_host"| ns_eu_1_autocom\n  ring_edge -.->|"7 aliases"| ns_eu_1_autocom');
  });

  test('synth names the cluster beside each ring\'s namespace', async () => {
    const s = scratch();
    const t = io(s);
    expect(await run(['synth', '--out', path.join(s.dir, 'dist'), '--registry', s.registry], t.io)).toBe(0);
    expect(t.out()).toMatch(/^stable-us +autocom on us-1 +\d+ objects/m);
  });
});

describe('bad input across clusters, through the CLI: one line, exit 1, nothing written', () => {
  test('a ring on another cluster needing a shared service without remote_host: synth refuses, dist/ byte-identical', async () => {
    const s = scratch();
    const dist = path.join(s.dir, 'dist');
    expect(await run(['synth', '--out', dist, '--registry', s.registry], io(s).io)).toBe(0);
    const before = fs.readdirSync(dist, { recursive: true }).sort().map((f) => [f, fs.statSync(path.join(dist, String(f))).isFile() ? fs.readFileSync(path.join(dist, String(f)), 'utf8') : '']);
    const toml = path.join(s.registry, 'platform.toml');
    fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace(/^remote_host = "redis\.eu-1\.acme\.internal".*$/m, ''));
    const t = io(s);
    expect(await run(['synth', '--out', dist, '--registry', s.registry], t.io)).toBe(1);
    expect(t.err()).toBe(
      `${s.registry}/platform.toml: shared.services.2.remote_host: missing: expected remote_host on [[shared.services]] redis, the DNS name rings stable-us (cluster us-1), canary (cluster us-1) reach it at on port 6379 (it runs in the home cluster eu-1; *.svc.cluster.local does not reach across clusters)\n1 problem found; nothing was written\n`,
    );
    const after = fs.readdirSync(dist, { recursive: true }).sort().map((f) => [f, fs.statSync(path.join(dist, String(f))).isFile() ? fs.readFileSync(path.join(dist, String(f)), 'utf8') : '']);
    expect(after).toEqual(before);
  });
});
