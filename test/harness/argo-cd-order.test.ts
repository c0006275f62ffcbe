/**
 * The Argo CD cluster suite's order check (test/cluster/argo-cd-suite.ts, `waveOrderViolations`) on
 * hand-made Application states: it passes the order the app of apps gives with the Application
 * health check, and reports a wave created before the previous one was Healthy (what the app of apps
 * does without that check), a wave synced before the previous one, and a unit never reported Healthy.
 */
import type { ApplicationState } from '../cluster/argo-cd';
import { waveOrderViolations } from '../cluster/argo-cd-suite';

const state = (name: string, createdAt: string, deployStartedAt: string): ApplicationState => ({
  name,
  project: 'autocom',
  createdAt,
  history: [{ revision: 'abc', deployStartedAt, deployedAt: deployStartedAt }],
  conditions: [],
  resources: [],
  health: 'Healthy',
});
const apps = (...s: ApplicationState[]) => new Map(s.map((a) => [a.name, a]));
const healthy = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([n, at]) => [n, [{ to: 'Progressing', at: '2026-12-03T10:00:00Z' }, { to: 'Healthy', at }]]));

describe('waveOrderViolations', () => {
  test('passes: each wave created once the previous one was reported Healthy, synced after it', () => {
    const s = apps(state('a', '2026-12-03T10:00:00Z', '2026-12-03T10:00:01Z'), state('b', '2026-12-03T10:00:05Z', '2026-12-03T10:00:06Z'));
    expect(waveOrderViolations(s, healthy({ a: '2026-12-03T10:00:05Z', b: '2026-12-03T10:00:09Z' }), ['a', 'b'])).toEqual([]);
  });

  test('fails: a wave created before the previous one was Healthy (no Application health check)', () => {
    const s = apps(state('a', '2026-12-03T10:00:00Z', '2026-12-03T10:00:01Z'), state('b', '2026-12-03T10:00:00Z', '2026-12-03T10:00:01Z'));
    expect(waveOrderViolations(s, healthy({ a: '2026-12-03T10:00:07Z', b: '2026-12-03T10:00:08Z' }), ['a', 'b'])).toEqual([
      'a → b: b created at 2026-12-03T10:00:00Z, before a was first reported Healthy (2026-12-03T10:00:07Z)',
    ]);
  });

  test('fails: a wave synced before the previous one, and a unit never reported Healthy', () => {
    const s = apps(state('a', '2026-12-03T10:00:00Z', '2026-12-03T10:00:09Z'), state('b', '2026-12-03T10:00:05Z', '2026-12-03T10:00:06Z'));
    expect(waveOrderViolations(s, healthy({ b: '2026-12-03T10:00:08Z' }), ['a', 'b'])).toEqual([
      'a → b: a was never reported Healthy',
      "a → b: b's first sync started at 2026-12-03T10:00:06Z, before a's (2026-12-03T10:00:09Z)",
    ]);
  });

  test('fails: an Application that has not synced', () => {
    expect(waveOrderViolations(apps(state('a', '2026-12-03T10:00:00Z', '2026-12-03T10:00:01Z')), healthy({ a: '2026-12-03T10:00:02Z' }), ['a', 'b'])).toEqual(['a → b: b has not synced']);
  });
});
