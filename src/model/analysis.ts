/**
 * Metric checks (`[analysis]` in a ring file): the names and rules that validation and the CLI both
 * need — the query placeholders, the observation window and the step `rings verify --metrics`
 * evaluates a check at. Pure: no file, environment or clock access.
 */

/** The placeholders a check's query may use, substituted per ring before it is parsed or sent. */
export const ANALYSIS_PLACEHOLDERS = ['ring', 'namespace', 'cluster'] as const;
export type AnalysisPlaceholder = (typeof ANALYSIS_PLACEHOLDERS)[number];

/** The observation window when a ring file does not say. */
export const DEFAULT_ANALYSIS_WINDOW = '30m';

/** The shortest window accepted: one step, so a check has at least two points. */
export const MIN_ANALYSIS_WINDOW_MS = 60_000;
/** The longest window accepted. */
export const MAX_ANALYSIS_WINDOW_MS = 30 * 86_400_000;

/** The step below which the points of a window are never spaced. */
export const ANALYSIS_BASE_STEP_MS = 60_000;
/** Most steps a window is cut into (so at most this + 1 points per series). */
export const ANALYSIS_MAX_STEPS = 1000;

/**
 * `{word}` in a query: a placeholder (known or not). PromQL braces always hold matchers
 * (`{code=~"5.."}`) or nothing, and regex repetitions are digits (`{2,3}`), so a bare identifier
 * between braces is never PromQL.
 */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The placeholders a query uses, in order of first appearance. */
export function placeholdersIn(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(PLACEHOLDER)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

/** The placeholders a query uses that are not `{ring}`, `{namespace}` or `{cluster}`. */
export function unknownPlaceholders(query: string): string[] {
  return placeholdersIn(query).filter((p) => !(ANALYSIS_PLACEHOLDERS as readonly string[]).includes(p));
}

/** The query with every known placeholder replaced; a placeholder without a value stays as it is. */
export function substituteQuery(query: string, values: Partial<Record<AnalysisPlaceholder, string>>): string {
  return query.replace(PLACEHOLDER, (all, name: string) => {
    const v = (values as Record<string, string | undefined>)[name];
    return v === undefined ? all : v;
  });
}

const GO_DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;
const GO_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("30m", "1h30m", "90s") in milliseconds; undefined when it is not one. */
export function parseGoDuration(s: string): number | undefined {
  if (!GO_DURATION.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * GO_UNIT_MS[m[2]];
  return Math.round(ms);
}

/**
 * The step a window is evaluated at: 60 s, or for windows longer than 1,000 minutes the smallest
 * whole number of minutes that cuts the window into at most 1,000 steps. 30m → 60 s, 31 points;
 * 24h → 120 s, 721 points.
 */
export function analysisStepMs(windowMs: number): number {
  const minutes = Math.max(1, Math.ceil(windowMs / ANALYSIS_BASE_STEP_MS / ANALYSIS_MAX_STEPS));
  return minutes * ANALYSIS_BASE_STEP_MS;
}

/**
 * The evaluation range for a window ending at `endMs`: points at `end`, `end - step`, … back to the
 * earliest that is still inside the window (so every point lies in the window and the last is the clock).
 */
export function analysisRange(windowMs: number, endMs: number): { startMs: number; endMs: number; stepMs: number; points: number } {
  const stepMs = analysisStepMs(windowMs);
  const steps = Math.floor(windowMs / stepMs);
  return { startMs: endMs - steps * stepMs, endMs, stepMs, points: steps + 1 };
}

/** A step as recorded and printed: whole seconds, "60s", "120s". */
export function formatStep(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
