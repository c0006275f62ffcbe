/** What each ring should run, from a synthesis of the registry (the same objects `rings synth` writes). */
import { aliasTarget, RingExpectation } from './verify-ring';
import { Obj } from './snapshot';

export interface RingRef {
  readonly name: string;
  readonly namespace: string;
}

/** One expectation per ring: the synthesized objects of its namespace (the home ring's include the shared layer). */
export function ringExpectations(rings: readonly RingRef[], homeNamespace: string, objects: readonly Obj[]): RingExpectation[] {
  const aliasTargets = [
    ...new Set(
      objects
        .filter((o) => o.kind === 'Service' && o.spec?.type === 'ExternalName')
        .map((o) => aliasTarget(o.spec.externalName))
        .filter((t): t is { service: string; namespace: string } => t !== undefined && t.namespace === homeNamespace)
        .map((t) => t.service),
    ),
  ].sort();
  return rings.map((r) => ({
    ring: r.name,
    namespace: r.namespace,
    homeNamespace,
    objects: objects.filter((o) => o.metadata?.namespace === r.namespace),
    aliasTargets,
  }));
}
