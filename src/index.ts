/** Public API: the constructs, the registry loader and the types. */
export * from '../constructs';
export { formatProblem, RegistryError } from './registry/errors';
export type { RegistryProblem } from './registry/errors';
export { loadRegistry, parseRegistry, readRegistryDir } from './registry/load';
export type { Registry, RegistrySources, RingEntry, LockEntry } from './registry/load';
export { resolvePlan } from './registry/resolve';
export type { RingPlan, ResolvedRing } from './registry/resolve';
export * from './registry/schema';
export { RULES } from './registry/validate';
export type { Rule } from './registry/validate';
export { memoryForModules } from './memory';
export type { Memory, MemoryCoefficients } from './memory';
export { synthesize, buildApp } from './synth';
export type { SynthResult, RenderedChart, SynthOptions, ProgressCallback } from './synth';
export { checkRegistry, renderRegistry, synthToDir } from './pipeline';
export type { CheckedRing, RenderedRegistry, RingSummary } from './pipeline';
export { stringifyManifests } from './yaml';
export { writeDirAtomically } from './dist';
