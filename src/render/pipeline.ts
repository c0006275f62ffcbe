/** The whole one-way flow, as the app and the CLI run it: load → validate → resolve → constructs → dist. */
import { writeDirAtomically } from './dist';
import { loadRegistry } from '../registry/load';
import { readDir, writeDirAtomically as _w } from './dist';
import { previousConfigMaps } from './previous-output';
import { resolvePlan, RingPlan } from '../resolve/resolve-plan';
import { buildApp, chartRenderer, ringChartId, synthesize, SynthOptions, SynthResult } from './synth';
import type { RingSummary, RingSummaryOf } from '../model/ring-summary';

/** A ring at a glance (one shape for every view, src/model/ring-summary.ts). */
export type { RingSummary, RingSummaryOf };

export interface RenderedRegistry {
  readonly plan: RingPlan;
  readonly result: SynthResult;
  readonly summary: readonly RingSummaryOf<'objects' | 'hosts' | 'memoryComponent' | 'apiMemoryLimitMib'>[];
}

export interface RenderOptions extends SynthOptions {
  /** The previous output's files (name → text): each ring keeps the ConfigMap version its pods read there. @default none */
  readonly previous?: ReadonlyMap<string, string>;
}

/** Loads, validates and renders a registry in memory. Throws `RegistryError` on bad input. */
export function renderRegistry(registryDir: string, options: RenderOptions = {}): RenderedRegistry {
  const plan = resolvePlan(loadRegistry(registryDir), { previousConfigMaps: options.previous ? previousConfigMaps(options.previous) : undefined });
  const result = synthesize(plan, options);
  const summary = plan.rings.map((r, i) => ({
    ring: r.name,
    ...(r.cluster !== undefined ? { cluster: r.cluster } : {}),
    namespace: r.namespace,
    objects: result.charts.find((c) => c.unit === ringChartId(r.name))!.objects.length,
    hosts: result.rings[i].hosts.length,
    memoryComponent: r.memoryComponent,
    apiMemoryLimitMib: r.apiMemoryLimitMib,
  }));
  return { plan, result, summary };
}

/** Renders and replaces `outDir` atomically; on any error nothing is written. */
export function synthToDir(registryDir: string, outDir: string, options: SynthOptions = {}): RenderedRegistry {
  // The previous output is where the ConfigMap versions in-flight pods still read come from.
  const rendered = renderRegistry(registryDir, { ...options, previous: readDir(outDir) });
  writeDirAtomically(outDir, rendered.result.files);
  return rendered;
}

/**
 * Everything synth checks, without rendering: load, the schemas and every cross-file rule
 * (object limits included), resolve, and the constructs' own checks (their constructors throw).
 * What it skips is the costly part of synth: turning the construct tree into JSON and YAML.
 * Throws `RegistryError` (or the construct's `Error`) exactly as synth would.
 */
export function checkRegistry(registryDir: string): readonly RingSummaryOf<'tenants' | 'hosts' | 'ingressShards' | 'memoryComponent' | 'apiMemoryLimitMib'>[] {
  return checkPlan(resolvePlan(loadRegistry(registryDir)));
}

/** `checkRegistry` for a registry already parsed (an in-memory edit the CLI validates before writing). */
export function checkPlan(plan: RingPlan): readonly RingSummaryOf<'tenants' | 'hosts' | 'ingressShards' | 'memoryComponent' | 'apiMemoryLimitMib'>[] {
  const { app, rings } = buildApp(plan);
  chartRenderer(app); // runs every construct validation once, as synth does; renders nothing
  // Patches can only be checked on rendered objects: with patches, check renders (and throws as synth would).
  if (plan.patches?.length) synthesize(plan);
  return plan.rings.map((r, i) => ({
    ring: r.name,
    namespace: r.namespace,
    tenants: r.tenants?.length ?? 0,
    hosts: rings[i].hosts.length,
    ingressShards: r.ingress?.shards ?? 1,
    memoryComponent: r.memoryComponent,
    apiMemoryLimitMib: r.apiMemoryLimitMib,
  }));
}
