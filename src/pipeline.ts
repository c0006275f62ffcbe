/** The whole one-way flow, as the app and the CLI run it: load → validate → resolve → constructs → dist. */
import { writeDirAtomically } from './dist';
import { loadRegistry } from './registry/load';
import { resolvePlan, RingPlan } from './registry/resolve';
import { synthesize, SynthResult } from './synth';

export interface RingSummary {
  readonly ring: string;
  readonly namespace: string;
  readonly objects: number;
  readonly hosts: number;
  readonly apiMemoryLimitMib: number;
}

export interface RenderedRegistry {
  readonly plan: RingPlan;
  readonly result: SynthResult;
  readonly summary: readonly RingSummary[];
}

/** Loads, validates and renders a registry in memory. Throws `RegistryError` on bad input. */
export function renderRegistry(registryDir: string): RenderedRegistry {
  const plan = resolvePlan(loadRegistry(registryDir));
  const result = synthesize(plan);
  const summary = plan.rings.map((r, i) => ({
    ring: r.name,
    namespace: r.namespace,
    objects: result.charts.find((c) => c.file === `ring-${r.name}.yaml`)!.objects.length,
    hosts: result.rings[i].hosts.length,
    apiMemoryLimitMib: r.apiMemoryLimitMib,
  }));
  return { plan, result, summary };
}

/** Renders and replaces `outDir` atomically; on any error nothing is written. */
export function synthToDir(registryDir: string, outDir: string): RenderedRegistry {
  const rendered = renderRegistry(registryDir);
  writeDirAtomically(outDir, rendered.result.files);
  return rendered;
}
