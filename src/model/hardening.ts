/**
 * The hardening rules of one component — env, extra labels, node selectors, annotation keys, requests
 * within limits, ephemeral storage against the writable paths, init folders, the disruption budget,
 * the PriorityClass and the spread mode — as pure functions with one wording. The registry's rules
 * (src/registry/rules/validate.ts) and the constructs' validation (constructs/component.ts) both call
 * them; each caller puts its own field path in front (`components.api.env.FOO` in a registry file,
 * `component api: env.FOO` for a construct), so the same mistake reads the same either way.
 *
 * Each function returns the problem's message (`expected …, got …`), or undefined when there is none.
 * A value that looks like a secret is never echoed. Pure.
 */
import { RESERVED_LABEL_KEYS } from './component-defaults';
import { isDnsSubdomain, isEnvName, isLabelKey, isLabelValue } from './kubernetes-names';
import { looksLikeSecret } from './secret-values';

/** What the hostname/zone spread constraints do when they cannot be met. */
export const SPREAD_MODES = ['ScheduleAnyway', 'DoNotSchedule'] as const;
export type SpreadMode = (typeof SPREAD_MODES)[number];

/** The writable paths of a component that lists none. */
export const DEFAULT_WRITABLE_PATHS: readonly string[] = ['/tmp'];

const shown = (v: string) => JSON.stringify(v.length > 64 ? `${v.slice(0, 60)}…` : v);

/** A plain environment variable: a valid name, and neither name nor value that of a secret (the value is never shown). */
export function plainEnvProblem(name: string, value: string): string | undefined {
  if (!isEnvName(name)) return 'expected an environment variable name (letters, digits and _)';
  if (looksLikeSecret(name, value)) return 'expected a non-secret value, got what looks like a secret (value not shown); keep it in a Secret in the home namespace';
  return undefined;
}

/** An environment variable read from a Secret: a valid name. */
export function envNameProblem(name: string): string | undefined {
  return isEnvName(name) ? undefined : 'expected an environment variable name (letters, digits and _)';
}

/** A second variable of the same name (plain or from a Secret). */
export function duplicateEnvProblem(name: string): string {
  return `expected each environment variable once, got ${name} twice`;
}

/** An extra label on the Deployment and its pods: not a key the library sets (the selectors depend on them), a valid key and value. */
export function extraLabelProblem(key: string, value: unknown): string | undefined {
  if ((RESERVED_LABEL_KEYS as readonly string[]).includes(key)) return `expected a label the library does not set (${RESERVED_LABEL_KEYS.join(', ')} select the pods)`;
  return labelEntryProblem(key, value);
}

/** One entry of a label map or label selector (node selectors, namespace and pod selectors): a valid key and value. */
export function labelEntryProblem(key: string, value: unknown): string | undefined {
  if (!isLabelKey(key)) return 'expected a label key (an optional DNS prefix and a name of at most 63 alphanumerics, -, _, .)';
  if (!isLabelValue(value)) return `expected a label value (at most 63 alphanumerics, -, _, .), got ${typeof value === 'string' ? shown(value) : typeof value}`;
  return undefined;
}

/** An annotation's key (any string is a valid value). */
export function annotationKeyProblem(key: string): string | undefined {
  return isLabelKey(key) ? undefined : 'expected an annotation key (an optional DNS prefix and a name of at most 63 alphanumerics, -, _, .)';
}

/**
 * A request above its limit (the API server refuses such a container). `limitName` is the limit's
 * name in the caller's vocabulary (`cpu_limit_millicores`, `cpuLimitMillicores`); `context` says where
 * the values come from when that is not obvious ("after this ring's overrides").
 */
export function requestOverLimitProblem(limitName: string, limit: number, request: number, context?: string): string | undefined {
  return request > limit ? `expected at most ${limitName} (${limit})${context ? ` ${context}` : ''}, got ${request}` : undefined;
}

/** A size in MiB (ephemeral-storage request, a writable path's sizeLimit): a whole number ≥ 1. */
export function mibProblem(mib: number): string | undefined {
  return Number.isInteger(mib) && mib >= 1 ? undefined : `expected a whole number of MiB ≥ 1, got ${mib}`;
}

/** The ephemeral-storage limit must hold every writable path's size limit: the pod is evicted past its limit. */
export function writableSizesOverLimitProblem(limitMib: number, writableSizesMib: readonly number[]): string | undefined {
  const together = writableSizesMib.reduce((n, s) => n + s, 0);
  return limitMib < together
    ? `expected at least ${together} (the size limits of the ${writableSizesMib.length === 1 ? 'writable path' : `${writableSizesMib.length} writable paths together`}: the pod is evicted past its limit), got ${limitMib}`
    : undefined;
}

/** A per-path size limit names one of the writable paths. */
export function sizeLimitPathProblem(path: string, writablePaths: readonly string[]): string | undefined {
  return writablePaths.includes(path) ? undefined : `expected one of the writable paths (${writablePaths.join(', ')}), got "${path}"`;
}

/** A folder an init container creates: absolute, without `..`, inside a writable path (the root filesystem is read-only). */
export function initDirProblem(dir: string, writablePaths: readonly string[]): string | undefined {
  const d = dir.replace(/\/+$/, '');
  const folders = writablePaths.map((p) => p.replace(/\/+$/, '') || '/');
  const inside = d.startsWith('/') && !d.split('/').includes('..') && folders.some((w) => d === w || d.startsWith(w === '/' ? '/' : `${w}/`));
  return inside ? undefined : `expected a folder inside a writable path (${folders.join(', ')}; the root filesystem is read-only), got "${dir}"`;
}

/** A PodDisruptionBudget as a component asks for it: `true`, `false`, or exactly one of minAvailable and maxUnavailable. */
export type DisruptionBudget = boolean | { readonly minAvailable?: number; readonly maxUnavailable?: number };

/** The budget's problems, each with the field (relative to the budget) it is about: `""` for the budget itself. */
export function disruptionBudgetProblems(budget: DisruptionBudget, minimumReplicas: number): { field: string; message: string }[] {
  if (budget === false) {
    return minimumReplicas >= 2 ? [{ field: '', message: `expected a PodDisruptionBudget (every component of ≥ 2 replicas has one), got false for ${minimumReplicas} replicas` }] : [];
  }
  if (budget === true) return [];
  const out: { field: string; message: string }[] = [];
  const set = (['minAvailable', 'maxUnavailable'] as const).filter((k) => budget[k] !== undefined);
  if (set.length !== 1) out.push({ field: '', message: `expected exactly one of minAvailable and maxUnavailable, got ${set.length === 0 ? 'neither' : 'both'}` });
  for (const k of set) if (!Number.isInteger(budget[k]) || budget[k]! < 0) out.push({ field: k, message: `expected a whole number ≥ 0, got ${budget[k]}` });
  return out;
}

/** A PriorityClass name: a DNS subdomain. */
export function priorityClassProblem(name: string): string | undefined {
  return isDnsSubdomain(name) ? undefined : 'expected a PriorityClass name (a DNS subdomain)';
}

/** The spread constraints' whenUnsatisfiable. */
export function spreadProblem(mode: string): string | undefined {
  return (SPREAD_MODES as readonly string[]).includes(mode) ? undefined : `expected "ScheduleAnyway" or "DoNotSchedule", got ${JSON.stringify(mode)}`;
}
