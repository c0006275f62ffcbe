/** Public API: the constructs, the registry loader and the types. */
export * from '../constructs';
export { formatProblem, RegistryError } from './registry/errors';
export type { RegistryProblem } from './registry/errors';
export { loadRegistry, parseRegistry, readRegistryDir } from './registry/load';
export type { Registry, RegistrySources, RingEntry, LockEntry } from './registry/load';
export { resolvePlan } from './registry/resolve';
export type { RingPlan, ResolvedRing } from './registry/resolve';
// The zod schemas stay internal: their parse() throws raw ZodErrors. validateRegistry gives problem lines.
export { DNS_LABEL, DNS_1035_LABEL, HEADER_NAME, MODULE_ALIAS, VERSION, imagePinProblem } from './registry/schema';
export type { PlatformFile, RingFile, TenantsFile, LockFile, PreviewEntry } from './registry/schema';
export { validateRegistry, registryProblems, IN_CODE_SOURCE } from './registry/validate-object';
export type { RegistryInput, PlatformInput, RingInput, PreviewInput, ValidateOptions } from './registry/validate-object';
export { RULES } from './registry/validate';
export type { Rule } from './registry/validate';
export { memoryForModules } from './memory';
export type { Memory, MemoryCoefficients } from './memory';
export { synthesize, buildApp } from './synth';
export type { SynthResult, RenderedChart, SynthOptions, ProgressCallback } from './synth';
export { checkPlan, checkRegistry, renderRegistry, synthToDir } from './pipeline';
export type { CheckedRing, RenderedRegistry, RingSummary } from './pipeline';
export { stringifyManifests } from './yaml';
export { writeDirAtomically } from './dist';
export { certificateCovers, duplicateHostClaims, hostClaims, secretReferences, secretsAvailable, uncoveredHosts, unsyncedSecretReferences } from './checks';
export type { HostClaimRef, UncoveredHost, UnsyncedReference } from './checks';
export { ringDataOf, ringDataFrom, ringDataJson, ringDataSql, MODULE_RING_COLUMNS } from './export/ring-data';
export type { RingData as RingDataExport, ModuleRingRow, TenantRow } from './export/ring-data';
