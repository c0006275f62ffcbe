/**
 * The Flux suites' order check (test/cluster/flux.ts `readyOrderViolations`), on Kustomization states
 * as the API server reports them: a dependency's Ready time moves on when it reconciles again, its
 * first reconcile does not.
 */
import { KustomizationState, readyOrderViolations } from '../cluster/flux';

const state = (name: string, ready: string | undefined, firstReconciled?: string): KustomizationState => ({
  name,
  path: `./${name}`,
  generation: 1,
  dependsOn: [],
  inventory: [],
  firstReconciled,
  ready: ready === undefined ? { type: 'Ready', status: 'False', reason: 'DependencyNotReady' } : { type: 'Ready', status: 'True', lastTransitionTime: ready },
});
const states = (...s: KustomizationState[]) => new Map(s.map((k) => [k.name, k]));

describe('readyOrderViolations', () => {
  test('dependency Ready before its dependent: no violation', () => {
    expect(readyOrderViolations(states(state('cluster', '2026-12-03T10:00:05Z', '2026-12-03T10:00:01Z'), state('shared', '2026-12-03T10:00:20Z', '2026-12-03T10:00:10Z')), [['cluster', 'shared']])).toEqual([]);
  });

  test('a dependency that reconciled again after its dependent went Ready (its Ready time moved on) is no violation: its first reconcile counts', () => {
    expect(readyOrderViolations(states(state('cluster', '2026-12-03T10:01:05Z', '2026-12-03T10:00:01Z'), state('shared', '2026-12-03T10:00:20Z', '2026-12-03T10:00:10Z')), [['cluster', 'shared']])).toEqual([]);
  });

  test('the dependent Ready before its dependency first reconciled (reversed dependsOn) is a violation', () => {
    expect(readyOrderViolations(states(state('shared', '2026-12-03T10:00:30Z', '2026-12-03T10:00:25Z'), state('ring-b', '2026-12-03T10:00:20Z', '2026-12-03T10:00:10Z')), [['shared', 'ring-b']])).toEqual([
      'shared → ring-b: ring-b became Ready at 2026-12-03T10:00:20.000Z, not after shared (2026-12-03T10:00:25.000Z)',
    ]);
  });

  test('Ready in the same second as the dependency is a violation (the order is not shown)', () => {
    expect(readyOrderViolations(states(state('shared', '2026-12-03T10:00:20Z'), state('ring-b', '2026-12-03T10:00:20Z')), [['shared', 'ring-b']])).toHaveLength(1);
  });

  test('a Kustomization not Ready is named', () => {
    expect(readyOrderViolations(states(state('cluster', '2026-12-03T10:00:05Z'), state('shared', undefined)), [['cluster', 'shared']])).toEqual(['cluster → shared: shared is not Ready']);
  });
});
