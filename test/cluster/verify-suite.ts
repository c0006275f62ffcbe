/**
 * `rings verify` and `rings diff --live` on a real control plane: dist/ of rings/ applied with the
 * stand-ins operators provide, verify passes; then one thing broken at a time — a Deployment scaled to
 * zero, a pod reading stable's ring config, an alias target deleted, a rollout stuck on an unschedulable
 * pod — each found with its line and exit 1, `diff --live` showing exactly the tampered field, and the
 * cluster restored and verified clean before the next; `--probe` failing cleanly (KWOK pods answer
 * nothing); an evidence-gated promote refused without evidence and accepted after `verify --record`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLUSTER_DIR, ControlPlane, startControlPlane } from './control-plane';
import { applyFileByFile, applyServerSide, incompleteRollouts, installCrds, provideOperatorPrerequisites, supportMatrix, Workdir, workdir } from './platform';
import { applyStandIns, deploymentStatus, distDocs, recordFixture, ringsCli, until } from './verify-scenarios';
import { withoutMetricChecks } from '../support/metric-checks';

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');
const LONG = 15 * 60_000;
const HOME = 'autocom';
const CANARY = 'autocom-canary';
const ALL = [HOME, 'autocom-edge', CANARY, 'autocom-experimental'];
const ROLLBACK_HINT = /^  the latest promotion into \S+ was /;

export function defineVerifySuite(version: string): void {
  const minor = version.split('.').slice(0, 2).join('.');
  const operators = supportMatrix()[minor];

  describe(`rings verify on Kubernetes ${version}`, () => {
    let cp: ControlPlane;
    let wd: Workdir;
    /** verify's run, its finding and verdict lines apart from the rollback hint a failing ring adds (src/operate/rollback-hint.ts). */
    const verify = (...args: string[]) => {
      const r = ringsCli(wd, ['verify', '--kubeconfig', cp.kubeconfig, ...args]);
      return { ...r, lines: r.lines.filter((l) => !ROLLBACK_HINT.test(l)), hints: r.lines.filter((l) => ROLLBACK_HINT.test(l)) };
    };
    const diffLive = () => ringsCli(wd, ['diff', '--live', '--against', wd.dist, '--kubeconfig', cp.kubeconfig]);
    /** Re-applies one dist/ file as rings' field manager, taking back fields others changed, and waits for the rollouts. */
    const restore = async (file: string) => {
      const r = applyServerSide(cp, { file: path.join(wd.dist, file) }, ['--force-conflicts']);
      expect(r.errors).toEqual([]);
      expect(incompleteRollouts(cp)).toEqual([]);
      await until('verify clean again', () => verify().code === 0);
    };

    beforeAll(async () => {
      cp = await startControlPlane(version);
      wd = workdir(path.join(ROOT, 'rings'));
      wd.synth();
    }, LONG);
    afterAll(async () => {
      await cp?.stop();
      wd?.cleanup();
    });

    test('applied with the stand-ins operators provide (CNPG and MinIO Services, Secrets, ExternalSecrets Ready): verify passes, diff --live shows nothing', async () => {
      expect(installCrds(cp, operators).flatMap((o) => o.errors)).toEqual([]);
      provideOperatorPrerequisites(cp, wd.dist);
      expect(applyFileByFile(cp, wd.dist).flatMap((f) => f.errors)).toEqual([]);
      applyStandIns(cp, wd.dist, HOME);
      expect(incompleteRollouts(cp)).toEqual([]);
      await until('every ready replica reported', () => verify().code === 0);
      const v = verify();
      expect(v.lines).toEqual([
        'ok  stable (autocom): 10 checks passed',
        'ok  edge (autocom-edge): 10 checks passed',
        'ok  canary (autocom-canary): 10 checks passed',
        'ok  experimental (autocom-experimental): 10 checks passed',
      ]);
      const d = diffLive();
      expect({ code: d.code, out: d.stdout, err: d.stderr }).toEqual({ code: 0, out: `the cluster matches ${wd.dist}/: applying it would change nothing\n`, err: '' });
      recordFixture(cp, 'healthy.json', ALL);
      if (process.env.RINGS_RECORD_VERIFY_FIXTURES === '1') {
        const rings = [['stable', HOME], ['edge', 'autocom-edge'], ['canary', CANARY], ['experimental', 'autocom-experimental']].map(([name, namespace]) => ({ name, namespace }));
        const comment = `dist/ of rings/ when the snapshots beside it were recorded from a Kubernetes ${version} control plane (test/cluster/verify-suite.ts)`;
        fs.writeFileSync(path.join(ROOT, 'test', 'fixtures', 'verify', 'expected.json'), `${JSON.stringify({ comment, rings, homeNamespace: HOME, objects: distDocs(wd.dist) })}\n`);
      }
    }, LONG);

    test('a Deployment scaled to zero: two replicas lines, exit 1; diff --live: spec.replicas', async () => {
      cp.kubectlOk(['scale', 'deployment', 'api', '-n', CANARY, '--replicas=0']);
      await until('api scaled down', () => {
        const s = deploymentStatus(cp, CANARY, 'api');
        return s.observed && (s.status.replicas ?? 0) === 0;
      });
      const v = verify('--ring', 'canary');
      expect({ code: v.code, lines: v.lines }).toEqual({
        code: 1,
        lines: [
          'canary: [replicas] Deployment autocom-canary/api: 0 of 2 replicas ready',
          'canary: [replicas] Deployment autocom-canary/api: spec.replicas is 0, dist/ has 2',
          'FAIL  canary (autocom-canary): 2 findings',
        ],
      });
      expect(v.hints).toEqual(['  the latest promotion into canary was ai 2.4.0 (2026-11-23T02:00:00Z); to undo it: rings rollback ai --ring canary']);
      recordFixture(cp, 'canary-api-scaled-to-zero.json', [CANARY], true);
      const d = diffLive();
      expect({ code: d.code, lines: d.lines.slice(0, -1) }).toEqual({ code: 1, lines: ['ring-canary/ring-canary.yaml', '  ~ Deployment autocom-canary/api: spec.replicas'] });
      await restore('ring-canary/ring-canary.yaml');
    }, LONG);

    test("a pod's RING_NAME changed (api reads a copy of stable's ring config): template and ring-env lines, exit 1; diff --live: the envFrom reference", async () => {
      const api = cp.getJson(['get', 'deployment', 'api', '-n', CANARY]);
      const envFrom: any[] = api.spec.template.spec.containers[0].envFrom;
      const idx = envFrom.findIndex((e) => e.configMapRef);
      const stableApi = cp.getJson(['get', 'deployment', 'api', '-n', HOME]);
      const stableCm = stableApi.spec.template.spec.containers[0].envFrom.find((e: any) => e.configMapRef).configMapRef.name;
      const data = cp.getJson(['get', 'configmap', stableCm, '-n', HOME]).data;
      cp.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ring-config-fallback', namespace: CANARY }, data }));
      cp.kubectlOk(['patch', 'deployment', 'api', '-n', CANARY, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: `/spec/template/spec/containers/0/envFrom/${idx}/configMapRef/name`, value: 'ring-config-fallback' }])]);
      expect(cp.kubectl(['rollout', 'status', 'deployment/api', '-n', CANARY, '--timeout=240s']).code).toBe(0);
      const v = verify('--ring', 'canary');
      expect(v.code).toBe(1);
      expect(v.lines[0]).toMatch(/^canary: \[template\] Deployment autocom-canary\/api: pod template reads ConfigMaps .*ring-config-fallback.*, dist\/ has /);
      const env = v.lines.filter((l) => l.includes('[ring-env]'));
      expect(env).toHaveLength(4);
      expect(env.filter((l) => /^canary: \[ring-env\] Pod autocom-canary\/api-\S+: container api: RING_NAME is "stable" \(from ConfigMap ring-config-fallback\), expected "canary"$/.test(l))).toHaveLength(2);
      expect(env.filter((l) => /MODULE_LOCK_PATH is "\/etc\/rings\/stable\.lock\.json" \(from ConfigMap ring-config-fallback\), expected "\/etc\/rings\/canary\.lock\.json"$/.test(l))).toHaveLength(2);
      expect(v.lines[v.lines.length - 1]).toBe('FAIL  canary (autocom-canary): 5 findings');
      recordFixture(cp, 'canary-api-ring-name-stable.json', [CANARY], true);
      const d = diffLive();
      expect({ code: d.code, lines: d.lines.slice(0, -1) }).toEqual({
        code: 1,
        lines: ['ring-canary/ring-canary.yaml', `  ~ Deployment autocom-canary/api: spec.template.spec.containers[name=api].envFrom[${idx}].configMapRef.name`],
      });
      await restore('ring-canary/ring-canary.yaml');
      cp.kubectlOk(['delete', 'configmap', 'ring-config-fallback', '-n', CANARY]);
    }, LONG);

    test('an alias target deleted in the home namespace: one alias line per ring that aliases it, exit 1; diff --live: nothing (dist/ does not create it)', async () => {
      cp.kubectlOk(['delete', 'service', 'autocom-db-ro', '-n', HOME]);
      const v = verify();
      expect({ code: v.code, findings: v.lines.filter((l) => !/^(ok|FAIL) /.test(l)) }).toEqual({
        code: 1,
        findings: [
          'stable: [alias] Service autocom/autocom-db-ro: missing: the aliases of the other rings point at it (an operator or a person creates it, not dist/)',
          'edge: [alias] Service autocom-edge/autocom-db-ro: target Service autocom/autocom-db-ro does not exist',
          'canary: [alias] Service autocom-canary/autocom-db-ro: target Service autocom/autocom-db-ro does not exist',
          'experimental: [alias] Service autocom-experimental/autocom-db-ro: target Service autocom/autocom-db-ro does not exist',
        ],
      });
      expect(diffLive().code).toBe(0);
      applyStandIns(cp, wd.dist, HOME);
      expect(verify().code).toBe(0);
    }, LONG);

    test('a rollout left stuck (a new pod no fake node can take): one rollout line naming the pod and why, exit 1; diff --live: the nodeSelector, kept by apply', async () => {
      cp.kubectlOk(['patch', 'deployment', 'api', '-n', CANARY, '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'rings-test/no-such-node': 'true' } } } } })]);
      await until('a new api pod Unschedulable', () =>
        cp.getJson(['get', 'pods', '-n', CANARY, '-l', 'app.kubernetes.io/name=api']).items.some((p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.status === 'False')),
      );
      const v = verify('--ring', 'canary');
      expect(v.code).toBe(1);
      expect(v.lines).toHaveLength(2);
      expect(v.lines[0]).toMatch(
        /^canary: \[rollout\] Deployment autocom-canary\/api: rollout incomplete: 1 of 2 replicas updated, 2 available, 2 old; pod api-\S+ Pending: Unschedulable \(0\/4 nodes are available: 4 node\(s\) didn't match Pod's node affinity\/selector/,
      );
      recordFixture(cp, 'canary-api-rollout-stuck.json', [CANARY], true);
      const d = diffLive();
      expect({ code: d.code, lines: d.lines.slice(0, -1) }).toEqual({
        code: 1,
        lines: ['ring-canary/ring-canary.yaml', `  ! Deployment autocom-canary/api: spec.template.spec.nodeSelector (set by kubectl-patch; applying ${wd.dist}/ keeps it)`],
      });
      cp.kubectlOk(['patch', 'deployment', 'api', '-n', CANARY, '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/spec/nodeSelector' }])]);
      await restore('ring-canary/ring-canary.yaml');
    }, LONG);

    test('--probe: the API-server proxy request to /api/health gets no answer from a KWOK pod and is reported as one clean line', () => {
      const v = verify('--ring', 'canary', '--probe');
      expect(v.code).toBe(1);
      expect(v.lines).toHaveLength(2);
      expect(v.lines[0]).toMatch(/^canary: \[probe\] Service autocom-canary\/api: GET \/api\/v1\/namespaces\/autocom-canary\/services\/api:http\/proxy\/api\/health failed: \S.*$/);
      expect(v.stderr).toBe('');
    }, LONG);

    test('evidence-gated promote: refused without a recorded verify, accepted after verify --record; the promoted lock is then found missing from the cluster until applied', async () => {
      const f = path.join(wd.registry, 'canary.toml');
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^soak = "24h"$/m, 'soak = "24h"\nrequire_verified = true'));
      withoutMetricChecks(wd.registry); // the cluster evidence alone; the analysis gate has its own suite (test/analysis/)
      const promote = () => ringsCli(wd, ['promote', 'orders', '--from', 'canary', '--to', 'edge', '--yes']);
      const refused = promote();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^refused by the verified gate: no verify of canary recorded since 2026-11-21T10:00:00Z; run rings verify --ring canary --record now/);

      const rec = verify('--ring', 'canary', '--record');
      expect(rec.code).toBe(0);
      const entry = JSON.parse(fs.readFileSync(path.join(wd.registry, 'history.jsonl'), 'utf8').trim().split('\n').pop()!);
      expect(entry).toMatchObject({ action: 'verify', to: 'canary', passed: true, findings: [] });
      expect(Object.keys(entry.pod_template_hashes).sort()).toEqual(['api', 'horizon', 'nginx']);

      const ok = promote();
      expect({ code: ok.code, err: ok.stderr }).toMatchObject({ code: 0 });
      const h = ringsCli(wd, ['history', '--ring', 'edge']);
      expect(h.lines[h.lines.length - 1]).toMatch(/promote orders 1\.6\.1 from canary to edge \(was 1\.6\.0; rollback target 1\.6\.0; evidence: soaked since 2026-11-20T10:00:00Z, verified \S+\)$/);

      // The registry moved on; the cluster has not: verify says so, diff --live says what apply would change.
      wd.synth();
      const stale = verify('--ring', 'edge');
      expect(stale.code).toBe(1);
      expect(stale.lines.some((l) => /^edge: \[template\] Deployment autocom-edge\/api: pod template annotation rings\.cdk8s\.io\/lock-checksum is sha256:/.test(l))).toBe(true);
      const d = diffLive();
      expect(d.code).toBe(1);
      expect(d.lines).toContain('ring-edge/ring-edge.yaml');
      for (const file of ['ring-edge/ring-edge.yaml']) expect(applyServerSide(cp, { file: path.join(wd.dist, file) }).errors).toEqual([]);
      expect(incompleteRollouts(cp)).toEqual([]);
      await until('edge verified on the promoted lock', () => verify('--ring', 'edge').code === 0);
    }, LONG);
  });
}
