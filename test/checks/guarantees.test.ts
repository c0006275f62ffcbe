/**
 * The hardening guarantees (src/checks/guarantees.ts) and the in-process Pod Security check
 * (src/checks/pod-security.ts): each with a passing and a failing case, and the PSA check held to the
 * conformance gate's own fixtures (the Go evaluator's compliant and violating pods).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  budgetsSelectExactlyTheirPods,
  checkGuarantees,
  containersBoundEphemeralStorage,
  emptyDirsHaveSizeLimits,
  podsIsolatedByNetworkPolicies,
  podsRestricted,
  replicatedDeploymentsHaveBudgets,
  replicatedDeploymentsSpread,
  selects,
} from '../../src/checks/guarantees';
import { restrictedViolations } from '../../src/checks/pod-security';
import { EXAMPLE_REGISTRY, parseYamlObjects, renderDir } from '../support/render';

const good = renderDir(EXAMPLE_REGISTRY).objects as any[];
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const find = (objs: any[], kind: string, ns: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name)!;
const podSpec = (objs: any[], ns: string, name: string) => find(objs, 'Deployment', ns, name).spec.template.spec;

test('the example platform keeps every guarantee', () => expect(checkGuarantees(good)).toEqual([]));

test('selects: matchLabels and every matchExpressions operator', () => {
  const labels = { a: '1', b: '2' };
  expect(selects({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['2'] }, { key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  expect(selects({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['2'] }] }, labels)).toBe(false);
  expect(selects({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels)).toBe(false);
  expect(selects({}, labels)).toBe(true);
  expect(selects(undefined, labels)).toBe(false);
});

describe('containersBoundEphemeralStorage', () => {
  test('passes: every container (init containers too) requests and limits it', () => expect(containersBoundEphemeralStorage(good)).toEqual([]));
  test('fails: a container without a limit, an init container without a request', () => {
    const bad = clone(good);
    delete podSpec(bad, 'autocom-edge', 'api').containers[0].resources.limits['ephemeral-storage'];
    delete podSpec(bad, 'autocom-edge', 'api').initContainers[0].resources.requests['ephemeral-storage'];
    expect(containersBoundEphemeralStorage(bad)).toEqual([
      'Deployment/autocom-edge/api: container prepare-writable-paths sets no ephemeral-storage request',
      'Deployment/autocom-edge/api: container api sets no ephemeral-storage limit',
    ]);
  });
});

describe('emptyDirsHaveSizeLimits', () => {
  test('passes', () => expect(emptyDirsHaveSizeLimits(good)).toEqual([]));
  test('fails: an emptyDir without sizeLimit', () => {
    const bad = clone(good);
    podSpec(bad, 'autocom', 'frontend').volumes[0].emptyDir = {};
    expect(emptyDirsHaveSizeLimits(bad)).toEqual(['Deployment/autocom/frontend: emptyDir writable-tmp has no sizeLimit']);
  });
});

describe('replicatedDeploymentsSpread', () => {
  test('passes: api, nginx, horizon (edge), frontend, indian-post spread; single replicas need not', () => {
    expect(replicatedDeploymentsSpread(good)).toEqual([]);
    const keys = (ns: string, n: string) => (podSpec(good, ns, n).topologySpreadConstraints ?? []).map((c: any) => `${c.topologyKey}:${c.whenUnsatisfiable}`);
    expect(keys('autocom-edge', 'horizon')).toEqual(['topology.kubernetes.io/zone:ScheduleAnyway', 'kubernetes.io/hostname:ScheduleAnyway']);
    expect(keys('autocom', 'frontend')).toHaveLength(2);
    expect(keys('autocom-experimental', 'api')).toEqual([]);
  });
  test('fails: no zone constraint; a constraint that selects other pods', () => {
    const bad = clone(good);
    podSpec(bad, 'autocom-edge', 'nginx').topologySpreadConstraints.splice(0, 1);
    podSpec(bad, 'autocom-edge', 'api').topologySpreadConstraints[1].labelSelector = { matchLabels: { 'app.kubernetes.io/name': 'nginx' } };
    expect(replicatedDeploymentsSpread(bad)).toEqual([
      'Deployment/autocom-edge/api: its spread constraint over kubernetes.io/hostname does not select its own pods',
      'Deployment/autocom-edge/nginx: runs 2 replicas but does not spread over topology.kubernetes.io/zone',
    ]);
  });
  test('an HPA minimum of 2 counts as 2 replicas', () => {
    const bad = clone(good).filter((o: any) => !(o.kind === 'Deployment' && o.metadata.name === 'frontend'));
    const d = clone(find(good, 'Deployment', 'autocom-experimental', 'api'));
    delete d.spec.template.spec.topologySpreadConstraints;
    bad.push(d, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: 'autocom-experimental' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 4 } });
    expect(replicatedDeploymentsSpread(bad)).toContain('Deployment/autocom-experimental/api: runs 2 replicas but does not spread over kubernetes.io/hostname');
  });
});

describe('replicatedDeploymentsHaveBudgets', () => {
  test('passes', () => expect(replicatedDeploymentsHaveBudgets(good)).toEqual([]));
  test('fails: edge horizon (2 replicas) without its budget', () => {
    const bad = good.filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.namespace === 'autocom-edge' && o.metadata.name === 'horizon'));
    expect(replicatedDeploymentsHaveBudgets(bad)).toEqual(['Deployment/autocom-edge/horizon: runs 2 replicas but no PodDisruptionBudget selects its pods']);
  });
});

describe('budgetsSelectExactlyTheirPods', () => {
  test('passes: one workload each, AlwaysAllow everywhere', () => expect(budgetsSelectExactlyTheirPods(good)).toEqual([]));
  test('fails: a selector over two workloads, a budget without AlwaysAllow', () => {
    const bad = clone(good);
    const b = find(bad, 'PodDisruptionBudget', 'autocom-edge', 'api');
    b.spec.selector = { matchLabels: { ring: 'edge' } };
    delete find(bad, 'PodDisruptionBudget', 'autocom-edge', 'nginx').spec.unhealthyPodEvictionPolicy;
    expect(budgetsSelectExactlyTheirPods(bad)).toEqual([
      'PodDisruptionBudget/autocom-edge/api: selects the pods of 3 workloads (Deployment/autocom-edge/api, Deployment/autocom-edge/horizon, Deployment/autocom-edge/nginx), expected exactly one',
      'PodDisruptionBudget/autocom-edge/nginx: unhealthyPodEvictionPolicy is null, expected "AlwaysAllow" (a crash-looping pod must not block drains)',
    ]);
  });
});

describe('podsIsolatedByNetworkPolicies', () => {
  test('passes: ring pods and shared-layer pods alike', () => expect(podsIsolatedByNetworkPolicies(good)).toEqual([]));
  test('fails: the shared layer without its default deny (issue 11: redis open to the cluster)', () => {
    const bad = good.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('shared-')));
    const lines = podsIsolatedByNetworkPolicies(bad);
    expect(lines).toContain('Deployment/autocom/redis: no NetworkPolicy isolates its pods for ingress');
    expect(lines).toContain('Deployment/autocom/redis: no NetworkPolicy isolates its pods for egress');
    expect(lines).toHaveLength(8);
  });
});

describe('podsRestricted', () => {
  test('passes', () => expect(podsRestricted(good)).toEqual([]));
  test('fails: an init container allowed to escalate', () => {
    const bad = clone(good);
    podSpec(bad, 'autocom', 'api').initContainers[0].securityContext.allowPrivilegeEscalation = true;
    expect(podsRestricted(bad)).toEqual(['Deployment/autocom/api: allowPrivilegeEscalation != false: containers "prepare-writable-paths" must set securityContext.allowPrivilegeEscalation=false']);
  });
});

describe('restrictedViolations agrees with the conformance gate\'s fixtures (k8s.io/pod-security-admission)', () => {
  const dir = path.join(__dirname, '..', 'conformance', 'fixtures');
  const templates = (file: string) =>
    parseYamlObjects(fs.readFileSync(file, 'utf8'), file).map((o: any) => (o.kind === 'Pod' ? o.spec : (o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec))).filter(Boolean);
  test('the compliant fixture passes', () => {
    for (const t of templates(path.join(dir, 'compliant.yaml'))) expect(restrictedViolations(t)).toEqual([]);
  });
  test.each(fs.readdirSync(path.join(dir, 'violations')).filter((f) => f.endsWith('.yaml')))('%s is reported with the gate\'s reason', (f) => {
    const file = path.join(dir, 'violations', f);
    const expect_ = /^# expect: *(.+)$/m.exec(fs.readFileSync(file, 'utf8'))![1].trim();
    const found = templates(file).flatMap((t) => restrictedViolations(t));
    expect(found.some((v) => v.startsWith(`${expect_}:`))).toBe(true);
  });
  test('baseline checks: host namespaces, privileged, hostPort, sysctls, procMount', () => {
    const c = { name: 'c', securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, capabilities: { drop: ['ALL'] } } };
    expect(restrictedViolations({ containers: [c] })).toEqual([]);
    const v = restrictedViolations({
      hostNetwork: true,
      securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
      containers: [{ ...c, ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { ...c.securityContext, privileged: true, procMount: 'Unmasked' } }],
    });
    expect(v.map((x) => x.slice(0, x.indexOf(':')))).toEqual(['host namespaces', 'privileged', 'hostPort', 'procMount', 'forbidden sysctls']);
  });
});
