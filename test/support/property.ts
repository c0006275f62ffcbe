/**
 * How every fast-check property of the suite runs.
 *
 * - `npm test`: a fixed seed (PROPERTY_SEED), so a green commit stays green on a re-run; a failure
 *   prints the seed and the shrunk counterexample (fast-check's own report), and the counterexample is
 *   then kept as a regular test beside the property.
 * - `npm run test:fuzz` (RINGS_FUZZ=1): a random seed per property and RINGS_PBT_FACTOR (default 20)
 *   times the runs, to find new counterexamples; the seed is printed with any failure.
 * - Replay a failure: RINGS_PBT_SEED=<seed> (and RINGS_PBT_PATH=<path> to go straight to the shrunk case).
 */
import type { Parameters } from 'fast-check';

/** The seed `npm test` runs every property with. */
export const PROPERTY_SEED = 20261203;

const fuzzing = process.env.RINGS_FUZZ === '1';
const factor = Math.max(1, Number(process.env.RINGS_PBT_FACTOR ?? (fuzzing ? 20 : 1)));

/** fast-check parameters for a property that runs `numRuns` times in `npm test`. */
export function propertyRuns<T = unknown>(numRuns: number): Parameters<T> {
  const replay = process.env.RINGS_PBT_SEED;
  const seed = replay !== undefined ? Number(replay) : fuzzing ? undefined : PROPERTY_SEED;
  return {
    numRuns: Math.round(numRuns * factor),
    ...(seed !== undefined ? { seed } : {}),
    ...(replay !== undefined && process.env.RINGS_PBT_PATH ? { path: process.env.RINGS_PBT_PATH } : {}),
  };
}
