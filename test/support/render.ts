/**
 * Rendering for the gate tests: a registry (folder or in-memory sources) → the synthesized objects,
 * plus the invariant context derived from the registry and its plan. Nothing here checks anything.
 */
import * as path from 'path';
import * as YAML from 'yaml';
import { isManifestFile, kustomizedFiles } from '../../src/render/dist';
import { loadRegistry, parseRegistry, Registry, RegistrySources } from '../../src/registry/load';
import { resolvePlan, RingPlan } from '../../src/resolve/resolve-plan';
import { synthesize, SynthResult } from '../../src/render/synth';
import type { InvariantContext, K8sObject } from './invariants';

export const REPO = path.resolve(__dirname, '..', '..');
export const EXAMPLE_REGISTRY = path.join(REPO, 'rings');
export const DIST = path.join(REPO, 'dist');

export interface Rendered {
  readonly registry: Registry;
  readonly plan: RingPlan;
  readonly result: SynthResult;
  /** Every object of every chart, in chart order. */
  readonly objects: K8sObject[];
  readonly ctx: InvariantContext;
}

export function render(registry: Registry): Rendered {
  const plan = resolvePlan(registry);
  const result = synthesize(plan);
  const objects = result.charts.flatMap((c) => c.objects) as K8sObject[];
  return { registry, plan, result, objects, ctx: invariantContext(registry, plan) };
}

export const renderDir = (dir: string): Rendered => render(loadRegistry(dir));

/** One cluster's share of a rendered registry (rings across clusters): its units' objects and invariant context. */
export interface RenderedCluster {
  readonly cluster: string;
  readonly home: boolean;
  readonly objects: K8sObject[];
  readonly ctx: InvariantContext;
}

/**
 * Per cluster, with `[clusters]`: the objects of the units placed there, and the context the
 * invariants take there (a cluster other than home has no hand-made secrets, and its aliases point
 * at the shared services' remote_host). Without `[clusters]`, one entry: everything.
 */
export function renderedClusters(r: Rendered): RenderedCluster[] {
  if (!r.plan.clusters) return [{ cluster: '', home: true, objects: r.objects, ctx: r.ctx }];
  const remoteHosts: Record<string, string> = {};
  for (const s of [...r.registry.platform.shared.services, ...r.registry.platform.shared.external]) if (s.remote_host) remoteHosts[s.name] = s.remote_host;
  return r.plan.clusters.map((c) => ({
    cluster: c.name,
    home: c.home,
    objects: r.result.charts.filter((x) => x.cluster === c.name).flatMap((x) => x.objects) as K8sObject[],
    ctx: {
      ...r.ctx,
      ringNamespaces: r.plan.rings.filter((x) => x.cluster === c.name).map((x) => x.namespace),
      ...(c.home ? {} : { handMadeSecrets: [], remoteHosts }),
    },
  }));
}
export const renderSources = (sources: RegistrySources, dir = 'rings'): Rendered => render(parseRegistry(dir, sources));

/**
 * What the invariants may take as given, all from the registry and its plan (nothing hard-coded):
 * - external services: aliased by every ring but run by something else (CNPG, MinIO); the plan's
 *   shared services that the shared layer does not run;
 * - hand-made secrets: platform.toml `secrets.*`, created once by hand in the home namespace.
 */
export function invariantContext(registry: Registry, plan: RingPlan): InvariantContext {
  const run = new Set(plan.shared.services.map((s) => s.name));
  const aliased = plan.rings.flatMap((r) => r.home.sharedServices.map((s) => s.name));
  const secrets = registry.platform.secrets;
  return {
    homeNamespace: plan.homeNamespace,
    ringNamespaces: plan.rings.map((r) => r.namespace),
    externalServices: [...new Set(aliased.filter((n) => !run.has(n)))].sort(),
    handMadeSecrets: [...new Set([...secrets.env_from, ...secrets.image_pull, registry.platform.redis.password_secret])].sort(),
  };
}

/**
 * Multi-document YAML → objects, read as Kubernetes tooling reads it (YAML 1.1). Empty documents are
 * skipped; a YAML error throws, naming the source.
 */
export function parseYamlObjects(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of YAML.parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message.split('\n')[0]}`);
    const v = doc.toJS();
    if (v !== null && v !== undefined) out.push(v as K8sObject);
  }
  return out;
}

/**
 * The platform's objects of a dist-like file map: the manifest files its kustomization.yaml reaches
 * (so not dist/gitops/'s delivery objects, which live in the GitOps tool's namespace), in path order.
 */
export function objectsOfFiles(files: ReadonlyMap<string, string>): K8sObject[] {
  return kustomizedFiles(files)
    .sort()
    .flatMap((f) => parseYamlObjects(files.get(f)!, f));
}
