/**
 * The hardening guarantees, as checks over rendered objects (plain JSON, as in dist/): each is a
 * pure function returning one line per violation. Synth runs them after `[[patches]]` (a patch may
 * not switch a guarantee off silently); the tests run them on every output, next to the invariants.
 */
import { podTemplateOf, restrictedViolations } from './pod-security';
import type { Obj } from '../model/objects';

export type Guarantee = (objects: readonly Obj[]) => string[];

const idOf = (o: Obj) => (o.metadata?.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata?.name}` : `${o.kind}/${o.metadata?.name}`);
const nsOf = (o: Obj) => o.metadata?.namespace ?? 'default';
const containersOf = (spec: Obj): Obj[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

/** Whether a LabelSelector (matchLabels and matchExpressions) selects `labels`. An empty selector selects everything. */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

interface Pods {
  readonly owner: Obj;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly spec: Obj;
  readonly annotations: Obj;
}

function pods(objects: readonly Obj[]): Pods[] {
  const out: Pods[] = [];
  for (const o of objects) {
    const t = podTemplateOf(o);
    if (!t) continue;
    const labels = o.kind === 'Pod' ? (o.metadata?.labels ?? {}) : o.kind === 'CronJob' ? (o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {}) : (o.spec?.template?.metadata?.labels ?? {});
    out.push({ owner: o, namespace: nsOf(o), labels, spec: t.spec, annotations: t.annotations });
  }
  return out;
}

/** Replicas a Deployment keeps at the least: its HPA's minimum when one scales it, else spec.replicas (default 1). */
function minimumReplicas(d: Obj, objects: readonly Obj[]): number {
  const hpa = objects.find((h) => h.kind === 'HorizontalPodAutoscaler' && nsOf(h) === nsOf(d) && h.spec?.scaleTargetRef?.kind === d.kind && h.spec?.scaleTargetRef?.name === d.metadata?.name);
  return hpa ? Number(hpa.spec.minReplicas ?? 1) : Number(d.spec?.replicas ?? 1);
}

/** Every container and init container requests and limits `ephemeral-storage`. */
export const containersBoundEphemeralStorage: Guarantee = (objects) =>
  pods(objects).flatMap((p) =>
    containersOf(p.spec).flatMap((c) =>
      (['requests', 'limits'] as const)
        .filter((k) => c.resources?.[k]?.['ephemeral-storage'] === undefined)
        .map((k) => `${idOf(p.owner)}: container ${c.name} sets no ephemeral-storage ${k === 'requests' ? 'request' : 'limit'}`),
    ),
  );

/** Every emptyDir has a sizeLimit. */
export const emptyDirsHaveSizeLimits: Guarantee = (objects) =>
  pods(objects).flatMap((p) => (p.spec.volumes ?? []).filter((v: Obj) => v.emptyDir && v.emptyDir.sizeLimit === undefined).map((v: Obj) => `${idOf(p.owner)}: emptyDir ${v.name} has no sizeLimit`));

/** Every Deployment of ≥ 2 replicas (or an HPA minimum ≥ 2) spreads over hostname and zone, with a selector that selects its pods. */
export const replicatedDeploymentsSpread: Guarantee = (objects) => {
  const out: string[] = [];
  for (const p of pods(objects).filter((x) => x.owner.kind === 'Deployment' && minimumReplicas(x.owner, objects) >= 2)) {
    for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']) {
      const c = (p.spec.topologySpreadConstraints ?? []).find((t: Obj) => t.topologyKey === key);
      if (!c) out.push(`${idOf(p.owner)}: runs ${minimumReplicas(p.owner, objects)} replicas but does not spread over ${key}`);
      else if (!selects(c.labelSelector, p.labels)) out.push(`${idOf(p.owner)}: its spread constraint over ${key} does not select its own pods`);
    }
  }
  return out;
};

/** Every Deployment of ≥ 2 replicas (or an HPA minimum ≥ 2) has a PodDisruptionBudget selecting its pods. */
export const replicatedDeploymentsHaveBudgets: Guarantee = (objects) => {
  const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  return pods(objects)
    .filter((p) => p.owner.kind === 'Deployment' && minimumReplicas(p.owner, objects) >= 2)
    .filter((p) => !budgets.some((b) => nsOf(b) === p.namespace && selects(b.spec?.selector, p.labels)))
    .map((p) => `${idOf(p.owner)}: runs ${minimumReplicas(p.owner, objects)} replicas but no PodDisruptionBudget selects its pods`);
};

/** Every PodDisruptionBudget selects the pods of exactly one workload and lets unhealthy pods be evicted (AlwaysAllow). */
export const budgetsSelectExactlyTheirPods: Guarantee = (objects) => {
  const all = pods(objects);
  const out: string[] = [];
  for (const b of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const owners = all.filter((p) => p.namespace === nsOf(b) && selects(b.spec?.selector, p.labels)).map((p) => idOf(p.owner));
    if (owners.length !== 1) out.push(`${idOf(b)}: selects the pods of ${owners.length} workloads${owners.length ? ` (${owners.join(', ')})` : ''}, expected exactly one`);
    if (b.spec?.unhealthyPodEvictionPolicy !== 'AlwaysAllow') out.push(`${idOf(b)}: unhealthyPodEvictionPolicy is ${JSON.stringify(b.spec?.unhealthyPodEvictionPolicy ?? null)}, expected "AlwaysAllow" (a crash-looping pod must not block drains)`);
  }
  return out;
};

/** Every pod is isolated by a NetworkPolicy of its namespace for both ingress and egress (default deny, then what it needs). */
export const podsIsolatedByNetworkPolicies: Guarantee = (objects) => {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const out: string[] = [];
  for (const p of pods(objects)) {
    const mine = policies.filter((n) => nsOf(n) === p.namespace && selects(n.spec?.podSelector ?? {}, p.labels));
    for (const type of ['Ingress', 'Egress']) {
      if (!mine.some((n) => (n.spec?.policyTypes ?? ['Ingress']).includes(type))) out.push(`${idOf(p.owner)}: no NetworkPolicy isolates its pods for ${type.toLowerCase()}`);
    }
  }
  return out;
};

/** Every pod passes Pod Security `restricted` v1.29. */
export const podsRestricted: Guarantee = (objects) => pods(objects).flatMap((p) => restrictedViolations(p.spec, p.annotations).map((v) => `${idOf(p.owner)}: ${v}`));

export const GUARANTEES: Readonly<Record<string, Guarantee>> = {
  podsRestricted,
  containersBoundEphemeralStorage,
  emptyDirsHaveSizeLimits,
  replicatedDeploymentsSpread,
  replicatedDeploymentsHaveBudgets,
  budgetsSelectExactlyTheirPods,
  podsIsolatedByNetworkPolicies,
};

/** Every guarantee's violations, each prefixed with its name. */
export function checkGuarantees(objects: readonly Obj[]): string[] {
  return Object.entries(GUARANTEES).flatMap(([name, g]) => g(objects).map((v) => `${name}: ${v}`));
}
