/**
 * constructs → manifests: builds the cdk8s App from a plan and renders one folder per unit of
 * delivery (one chart each) with its own kustomization.yaml, in memory. Writing is `dist.ts`'s
 * job, so nothing touches the disk until everything succeeded.
 */
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { ArgoCdDelivery, ArgoCdRootApplication, ClusterLayer, deliveredKinds, DeliveryCluster, deliveryUnits, FluxDelivery, FluxUnitAccess, isClusterUnit, Ring, SharedLayer, unitAccess } from '../../constructs';
import { arrangeForApply, inApplyOrder } from './apply-order';
import { CLUSTER_KUSTOMIZATIONS_DIR, clusterKustomizationPath, clusterUnitName } from '../model/clusters';
import { applyPatches, PatchableChart } from './patches';
import { RegistryError } from '../registry/errors';
import type { RingPlan } from '../resolve/resolve-plan';
import { stringifyManifests } from './yaml';

export interface RenderedChart {
  /** The unit of delivery: its folder in dist/ ("cluster", "shared", "ring-canary", "gitops"). */
  readonly unit: string;
  /** Path in dist/, e.g. `ring-canary/ring-canary.yaml`. */
  readonly file: string;
  readonly objects: readonly Record<string, any>[];
  readonly yaml: string;
  /** With `[clusters]`: the cluster the unit is applied to. @default none (one implicit cluster) */
  readonly cluster?: string;
}

export interface SynthResult {
  /** The platform's units, in dist/'s order: cluster, shared layer, rings (most conservative first). */
  readonly charts: readonly RenderedChart[];
  /** `[gitops]`'s delivery objects (dist/gitops/); empty without `[gitops]`. */
  readonly delivery: readonly RenderedChart[];
  /** Path in dist/ → content: every chart, each folder's `kustomization.yaml` and the top-level one. */
  readonly files: ReadonlyMap<string, string>;
  readonly rings: readonly Ring[];
}

export const SHARED_CHART_ID = 'shared';
/** Cluster-scoped objects and every Namespace: `cluster/cluster.yaml`, the first unit of dist/. */
export const CLUSTER_CHART_ID = 'cluster';
export const ringChartId = (ring: string) => `ring-${ring}`;
/** dist/'s folder of delivery objects (not part of the top-level kustomization: it is applied once, or by the tool itself). */
export const GITOPS_UNIT = 'gitops';
/** A unit's manifest file in dist/: `<unit>/<unit>.yaml`. */
export const unitFile = (unit: string) => `${unit}/${unit}.yaml`;

/**
 * Builds the App for a plan; the charts are in a fixed order (the cluster unit, or with `[clusters]`
 * one per cluster, home first; the shared layer; then rings by promotion order).
 */
export function buildApp(plan: RingPlan): { app: App; cluster: ClusterLayer; clusters: ClusterLayer[]; shared: SharedLayer; rings: Ring[] } {
  // outdir is never written: synthesize() renders charts itself (App.synth() never deletes stale files).
  const app = new App({ outdir: '.rings-unused' });
  const clusters = plan.clusters ? plan.clusters.map((c) => new ClusterLayer(app, clusterUnitName(c.name), c.layer)) : [new ClusterLayer(app, CLUSTER_CHART_ID, plan.cluster)];
  const shared = new SharedLayer(app, SHARED_CHART_ID, plan.shared);
  const rings = plan.rings.map((r) => new Ring(app, ringChartId(r.name), r));
  return { app, cluster: clusters[0], clusters, shared, rings };
}

/** unit → the cluster it is applied to, with `[clusters]`; undefined without (one implicit cluster). */
export function unitClusters(plan: RingPlan): ReadonlyMap<string, string> | undefined {
  if (!plan.clusters) return undefined;
  const home = plan.clusters.find((c) => c.home)!.name;
  return new Map([
    ...plan.clusters.map((c) => [clusterUnitName(c.name), c.name] as const),
    [SHARED_CHART_ID, home] as const,
    ...plan.rings.map((r) => [ringChartId(r.name), r.cluster ?? home] as const),
  ]);
}

/** Called after each ring's chart is rendered (the shared layer first is not counted). */
export type ProgressCallback = (ring: string, index: number, total: number) => void;

export interface SynthOptions {
  /** For progress display: called once per ring, in order, after its chart is rendered. @default none */
  readonly onProgress?: ProgressCallback;
}

export function synthesize(plan: RingPlan, options: SynthOptions = {}): SynthResult {
  const { app, clusters, shared, rings } = buildApp(plan);
  const render = chartRenderer(app);
  const rendered: Array<readonly [string, Record<string, any>[]]> = [
    ...clusters.map((c) => [c.node.id, render(c)] as const),
    [shared.node.id, render(shared)],
  ];
  rings.forEach((ring, i) => {
    rendered.push([ring.node.id, render(ring)]);
    options.onProgress?.(plan.rings[i].name, i, rings.length);
  });
  if (plan.patches?.length) {
    // Patches apply after rendering, to every chart's objects (a ring's Namespace still in its ring's
    // chart), then everything is checked again.
    const ringOf = new Map(rings.map((r, i) => [r.node.id, plan.rings[i].name]));
    const patchable: PatchableChart[] = rendered.map(([unit, objects]) => ({ ring: ringOf.get(unit), objects: [...objects] }));
    const problems = applyPatches(patchable, plan.patches);
    if (problems.length) throw new RegistryError(problems);
    patchable.forEach((p, i) => (rendered[i] = [rendered[i][0], p.objects]));
  }
  // Namespaces first (in the cluster unit of their cluster), custom resources last: dist/ applies in one
  // pass, file by file, cluster by cluster.
  const placedOn = unitClusters(plan);
  const arranged = arrangeByCluster(rendered, placedOn);
  if (plan.gitops?.tool === 'flux') {
    // Each cluster unit also holds the Roles of the Flux identities of the units on its cluster.
    arranged.forEach(([unit, objects], i) => {
      if (!isClusterUnit(unit)) return;
      const mine = arranged.filter(([u]) => !isClusterUnit(u) && (!placedOn || placedOn.get(u) === placedOn.get(unit)));
      arranged[i] = [unit, inApplyOrder([...objects, ...fluxUnitAccessObjects(plan, mine)])];
    });
  }
  const charts: RenderedChart[] = arranged
    .filter(([, objects]) => objects.length > 0)
    .map(([unit, objects]) => ({ unit, file: unitFile(unit), objects, yaml: stringifyManifests(objects), ...(placedOn ? { cluster: placedOn.get(unit)! } : {}) }));
  const delivery = plan.gitops ? renderDelivery(plan, charts) : [];
  const files = new Map<string, string>();
  for (const c of charts) {
    files.set(c.file, c.yaml);
    files.set(`${c.unit}/kustomization.yaml`, kustomization([path.posix.basename(c.file)], `\`kubectl kustomize dist/${c.unit}\` builds this unit alone.`));
  }
  if (plan.clusters) {
    // No dist/kustomization.yaml: no one kubectl context is right for every unit, so `kubectl apply -k dist/`
    // stops before it applies anything; each cluster's folder builds exactly what runs there.
    for (const c of plan.clusters) {
      const units = charts.filter((x) => x.cluster === c.name).map((x) => `../../${x.unit}`);
      if (!units.length) continue;
      files.set(
        clusterKustomizationPath(c.name),
        kustomization(units, `\`kubectl --context ${c.name} apply --server-side -k dist/${CLUSTER_KUSTOMIZATIONS_DIR}/${c.name}\` applies what runs on cluster ${c.name}${c.home ? ' (the home cluster)' : ''}.`),
      );
    }
  } else {
    files.set('kustomization.yaml', kustomization(charts.map((c) => c.unit), '`kubectl kustomize dist/` builds the whole platform; each folder is one unit of delivery.'));
  }
  if (delivery.length) {
    for (const c of delivery) files.set(c.file, c.yaml);
    const listed = delivery.filter((c) => c.file !== `${GITOPS_UNIT}/root.yaml`).map((c) => path.posix.basename(c.file));
    files.set(`${GITOPS_UNIT}/kustomization.yaml`, kustomization(listed, 'the delivery objects (docs/gitops.md); not part of dist/kustomization.yaml.'));
  }
  return { charts, delivery, files, rings };
}

/**
 * Flux runs the shared layer and each ring as its own ServiceAccount: their Roles and RoleBindings,
 * derived from what each unit writes, go to the cluster unit (after the Namespaces, before the units).
 */
function fluxUnitAccessObjects(plan: RingPlan, units: ReadonlyArray<readonly [string, readonly Record<string, any>[]]>): Record<string, any>[] {
  const gitops = plan.gitops;
  if (gitops?.tool !== 'flux') return [];
  const flux = gitops.flux;
  const ringOfUnit = new Map(plan.rings.map((r) => [ringChartId(r.name), r.name]));
  const access = units.flatMap(([unit, objects]) => unitAccess({ name: unit, ...(ringOfUnit.has(unit) ? { ring: ringOfUnit.get(unit)! } : {}), objects }));
  if (!access.length) return [];
  const app = new App({ outdir: '.rings-unused' });
  const chart = new Chart(app, 'flux-unit-access', { disableResourceNameHashes: true });
  new FluxUnitAccess(chart, 'access', { platform: flux.platform, fluxNamespace: flux.namespace, access });
  return chartRenderer(app)(chart);
}

/** `[gitops]`: the delivery objects for the rendered units, in their own App (nothing of the platform's App changes). */
function renderDelivery(plan: RingPlan, charts: readonly RenderedChart[]): RenderedChart[] {
  const gitops = plan.gitops!;
  const promotion = new Map(plan.rings.map((r) => [r.name, r.promotionOrder]));
  const ringOfUnit = new Map(plan.rings.map((r) => [ringChartId(r.name), r.name]));
  const units = deliveryUnits(
    charts.map((c) => ({ name: c.unit, ...(ringOfUnit.has(c.unit) ? { ring: ringOfUnit.get(c.unit)! } : {}), objects: c.objects, ...(c.cluster !== undefined ? { cluster: c.cluster } : {}) })),
    promotion,
    plan.homeNamespace,
  );
  // Rings across clusters: where each cluster's units go, and what they write there.
  const clusters: DeliveryCluster[] | undefined = plan.clusters?.map((c) => ({
    name: c.name,
    home: c.home,
    ...(c.server !== undefined ? { server: c.server } : {}),
    ...(c.kubeconfigSecret !== undefined ? { kubeconfigSecret: c.kubeconfigSecret } : {}),
    namespaces: deliveredKinds(charts.filter((x) => x.cluster === c.name).flatMap((x) => x.objects)).namespaces,
  }));
  const placed = clusters ? { clusters } : {};
  const app = new App({ outdir: '.rings-unused' });
  const out: Array<[string, Chart]> = [];
  if (gitops.tool === 'argo-cd') {
    const a = gitops.argoCd;
    out.push([`${GITOPS_UNIT}/argo-cd.yaml`, new ArgoCdDelivery(app, 'argo-cd', { ...a, units, kinds: deliveredKinds(charts.flatMap((c) => c.objects)), ...placed })]);
    out.push([
      `${GITOPS_UNIT}/root.yaml`,
      new ArgoCdRootApplication(app, 'argo-cd-root', {
        platform: a.platform,
        repoUrl: a.repoUrl,
        revision: a.revision,
        path: (a.path ?? 'dist') === '.' ? GITOPS_UNIT : `${a.path ?? 'dist'}/${GITOPS_UNIT}`,
        namespace: a.namespace,
        destinationServer: a.destinationServer,
        prune: a.prune,
        selfHeal: a.selfHeal,
      }),
    ]);
  } else {
    out.push([`${GITOPS_UNIT}/flux.yaml`, new FluxDelivery(app, 'flux', { ...gitops.flux, units, ...placed })]);
  }
  const render = chartRenderer(app);
  return out.map(([file, chart]) => {
    const objects = render(chart);
    return { unit: GITOPS_UNIT, file, objects, yaml: stringifyManifests(objects) };
  });
}

/** `arrangeForApply` per cluster: each cluster's Namespaces go to its own cluster unit (the first of its group). */
function arrangeByCluster(rendered: ReadonlyArray<readonly [string, Record<string, any>[]]>, placedOn: ReadonlyMap<string, string> | undefined): Array<[string, Record<string, any>[]]> {
  if (!placedOn) return arrangeForApply(rendered);
  const out = new Map<string, Record<string, any>[]>();
  const groups = new Map<string, Array<readonly [string, Record<string, any>[]]>>();
  for (const entry of rendered) {
    const c = placedOn.get(entry[0])!;
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c)!.push(entry);
  }
  // Each group starts with its cluster unit: the cluster charts come first in `rendered`.
  for (const group of groups.values()) for (const [unit, objects] of arrangeForApply(group)) out.set(unit, objects);
  return rendered.map(([unit]) => [unit, out.get(unit)!]);
}

export function renderChart(chart: Chart, render: (chart: Chart) => Record<string, any>[] = (c) => c.toJson()): RenderedChart {
  const objects = render(chart);
  return { unit: chart.node.id, file: unitFile(chart.node.id), objects, yaml: stringifyManifests(objects) };
}

/**
 * Renders charts of `app` as `chart.toJson()` does, with the app-wide work done once.
 *
 * cdk8s's `Chart.toJson()` validates the whole app and infers dependencies over the whole app for
 * every chart it renders, so rendering one chart per ring walks the app once per ring: quadratic in
 * rings (400 plain charts took 5.6× the time of 100). When no construct declares a dependency and
 * no chart nests another, there is nothing to infer: validating once and taking each chart's
 * objects in dependency order gives the same objects. Otherwise cdk8s's own path is used.
 */
export function chartRenderer(app: App): (chart: Chart) => Record<string, any>[] {
  const all = app.node.findAll();
  const inferable = all.some((c) => c.node.dependencies.length > 0 || (c instanceof Chart && c.node.children.some((x) => x instanceof Chart)));
  if (inferable) return (chart) => chart.toJson();
  const errors = all.flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  return (chart) =>
    new DependencyGraph(chart.node)
      .topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
      .map((o) => o.toJson());
}

function kustomization(resources: readonly string[], what: string): string {
  return [
    `# Generated by cdk8s-rings: ${what}`,
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...resources.map((f) => `  - ${f}`),
    '',
  ].join('\n');
}
