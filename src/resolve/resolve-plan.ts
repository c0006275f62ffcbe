/**
 * resolve: derives everything once, as plain data, from a validated registry: the props of every
 * construct. Pure; no file, env or clock access.
 */
import * as path from 'path';
import type { ClusterLayerProps, SharedLayerProps } from '../../constructs';
import { RegistryError } from '../registry/errors';
import type { Registry } from '../registry/load';
import { unresolvableProblems } from '../registry/rules/plan-guards';
import { clusterPlan, PlannedCluster } from './cluster-plan';
import { GitOpsPlan, gitopsPlan } from './gitops-plan';
import { platformContext, ResolveOptions } from './platform-context';
import { ResolvedRing, ringPlan } from './ring-plan';
import { sharedLayerPlan } from './shared-layer-plan';

export type { PlannedCluster, GitOpsPlan, ResolveOptions, ResolvedRing };

/** Where a `[[patches]]` entry came from, for error lines. */
export interface PatchPlan {
  readonly file: string;
  /** `patches.<i>` */
  readonly path: string;
  readonly kind: string;
  readonly name: string;
  /** The chart of this ring only. @default every chart */
  readonly ring?: string;
  readonly jsonPatch?: readonly { op: string; path: string; value?: unknown; from?: string }[];
  readonly strategicMerge?: Readonly<Record<string, unknown>>;
}

export interface RingPlan {
  /** `[[patches]]`, in registry order; applied after rendering. @default none */
  readonly patches?: readonly PatchPlan[];
  readonly platform: string;
  readonly domain: string;
  readonly homeNamespace: string;
  readonly shared: SharedLayerProps;
  /** Cluster-scoped objects (the External Secrets store); empty props when nothing is needed. */
  readonly cluster: ClusterLayerProps;
  /** Most conservative first. */
  readonly rings: readonly ResolvedRing[];
  /** `[gitops]`: the delivery objects' props, but the units (synth derives them from the rendered output). @default none */
  readonly gitops?: GitOpsPlan;
  /**
   * With `[clusters]`: every declared cluster, the home cluster first, then by name; each gets its own
   * cluster unit (`cluster-<name>`: its rings' Namespaces and cluster-scoped objects). `cluster` above is
   * then the home cluster's layer. @default none (one implicit cluster, one `cluster` unit)
   */
  readonly clusters?: readonly PlannedCluster[];
}

export function resolvePlan(reg: Registry, options: ResolveOptions = {}): RingPlan {
  // A hand-built Registry may skip validation: what cannot be placed is refused, never dropped.
  const refused = unresolvableProblems(reg);
  if (refused.length) throw new RegistryError(refused);
  const ctx = platformContext(reg, options);
  const { p, home } = ctx;
  const shared = sharedLayerPlan(ctx, options);
  const { rings, cluster, clusters } = clusterPlan(ctx, reg.rings.map(({ spec }) => ringPlan(ctx, shared, spec)));
  const patches: PatchPlan[] = p.patches.map((x, i) => ({
    file: path.join(reg.dir, 'platform.toml'),
    path: `patches.${i}`,
    kind: x.kind,
    name: x.name,
    ...(x.ring ? { ring: x.ring } : {}),
    ...(x.json_patch ? { jsonPatch: x.json_patch } : {}),
    ...(x.strategic_merge ? { strategicMerge: x.strategic_merge } : {}),
  }));
  const gitops = gitopsPlan(p);
  return {
    platform: p.name,
    domain: p.domain,
    homeNamespace: home.namespace,
    shared,
    cluster,
    rings,
    ...(patches.length ? { patches } : {}),
    ...(gitops ? { gitops } : {}),
    ...(clusters ? { clusters } : {}),
  };
}
