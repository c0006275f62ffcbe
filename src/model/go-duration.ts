/**
 * Go durations as the registry writes them ("30s", "5m", "1h30m", "1.5h", "250ms"): the form Flux,
 * Prometheus' tooling and Go programs take. Pure; the registry validates the form, the CLI parses it.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** One or more `<number><unit>` parts, units ms, s, m, h (Go's time.ParseDuration, without µs/ns and signs). */
export const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** "1h30m" → 5 400 000; undefined when it is not a Go duration of that form. */
export function parseGoDuration(s: string): number | undefined {
  if (!GO_DURATION.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(total);
}
