/**
 * Known gaps of the output, listed so the gate still runs in full and fails on anything new.
 *
 * Non-home rings reference the hand-made secrets (platform.toml `[secrets]`), which exist in the home
 * namespace only: nothing synchronizes them yet. Closed by issue 4 (ExternalSecret sync for
 * non-home rings): when that lands, empty KNOWN_UNSYNCED; the example-platform test and the property
 * tests then require that no reference is left unsynced.
 */
import type { InvariantContext } from './invariants';

/** For the example platform, as `Secret <namespace>/<name>`. */
export const KNOWN_UNSYNCED: readonly string[] = ['autocom-canary', 'autocom-edge', 'autocom-experimental'].flatMap((ns) =>
  ['autocom-secrets', 'gitlab-registry', 'passport-keys'].map((s) => `Secret ${ns}/${s}`),
);

/** For any registry: is `Secret <ns>/<name>` an instance of the known gap (a hand-made secret in a non-home ring)? */
export function isKnownUnsynced(ref: string, ctx: InvariantContext): boolean {
  if (KNOWN_UNSYNCED.length === 0) return false;
  const m = /^Secret ([^/]+)\/(.+)$/.exec(ref);
  return !!m && m[1] !== ctx.homeNamespace && ctx.ringNamespaces.includes(m[1]) && ctx.handMadeSecrets.includes(m[2]);
}
