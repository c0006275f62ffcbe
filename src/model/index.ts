/**
 * The domain model: pure rules that both the registry's validation and the constructs need (no
 * file, environment or clock access). `src/registry/` and `constructs/` import from here; this
 * folder imports neither.
 */
export * from './hosts';
export * from './ingress-shards';
export * from './memory';
export * from './names';
export * from './delivery';
export * from './kubernetes-names';
export * from './defaults';
export * from './hardening';
export * from './field-path';
export type { Obj } from './objects';
export * from './ring-summary';
export * from './escape-hatches';
