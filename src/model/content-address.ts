/**
 * Content-addressed ConfigMaps: the lock and ring ConfigMaps of each ring and the shared layer's
 * ring-data ConfigMap are immutable and carry a short hash of their data in their name (as
 * kustomize's configMapGenerator does), so a running pod never sees content other than what it
 * started with: a change is a new object and a new pod template.
 *
 * The previous version of each stays in the output while it can still be needed (pods of an
 * in-flight rollout, `kubectl rollout undo`): one per namespace and ConfigMap, older ones are pruned.
 * Because the output itself holds it, every way of applying dist/ keeps it until the change after
 * next — Flux (which has no prune-last), Argo CD, `kubectl apply --prune` alike.
 * Which one is "previous" is decided from the prior output alone, so the same registry and the
 * same prior output always give the same bytes, and synthesizing twice changes nothing.
 */
import { createHash } from 'crypto';
import { canonicalJson } from './checksum';

/** Hex characters of the content hash in a name (kustomize uses 10 too). */
export const CONTENT_HASH_LENGTH = 10;

/** Marks a ConfigMap kept from the previous synth (not read by the current pod templates). */
export const RETAINED_ANNOTATION = 'rings.cdk8s.io/retained';

/** The ConfigMaps the Ring content-addresses. */
export const RING_CONFIG_MAP = 'ring-config';
export const LOCK_CONFIG_MAP = 'module-lock';
/** The shared layer's tenant → ring map (RingData), in the home namespace. */
export const RING_DATA_CONFIG_MAP = 'ring-data';
export const CONTENT_ADDRESSED_CONFIG_MAPS = [RING_CONFIG_MAP, LOCK_CONFIG_MAP, RING_DATA_CONFIG_MAP] as const;

/** The first hex characters of the sha256 of the data in canonical JSON (sorted keys). */
export function contentHash(data: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex').slice(0, CONTENT_HASH_LENGTH);
}

/**
 * `module-lock` + data → `module-lock-3f9a0c2b7e`. Throws when the result would not be a valid
 * object name (DNS-1123 subdomain, at most 253 characters), naming the base received.
 */
export function contentAddressedName(base: string, data: Readonly<Record<string, string>>): string {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(base) || base.length + 1 + CONTENT_HASH_LENGTH > 253) {
    throw new Error(`content-addressed name: expected a base name that is a DNS-1123 subdomain of at most ${252 - CONTENT_HASH_LENGTH} characters, got ${JSON.stringify(base)}`);
  }
  return `${base}-${contentHash(data)}`;
}

/** The base a content-addressed name was made from (one of `bases`), or undefined. */
export function contentAddressedBase(name: string, bases: readonly string[] = CONTENT_ADDRESSED_CONFIG_MAPS): string | undefined {
  const m = new RegExp(`^(.+)-[0-9a-f]{${CONTENT_HASH_LENGTH}}$`).exec(name);
  return m && bases.includes(m[1]) ? m[1] : undefined;
}

/** A content-addressed ConfigMap as the previous output had it. */
export interface PriorConfigMap {
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
  /** True when it was kept as the previous version there (annotated), false when the pods read it. */
  readonly retained: boolean;
  /** Its `ring` label: which ring's it is where two clusters each have a namespace of that name. @default none */
  readonly ring?: string;
}

/**
 * Which prior ConfigMaps of one base to keep next to the current one (named `current`): the one
 * the pods read before, when it differs from the new one; otherwise, what was kept before (nothing
 * changed, so the previous version is still the previous version). At most one.
 */
export function retainedConfigMaps(base: string, prior: readonly PriorConfigMap[], current: string): PriorConfigMap[] {
  const mine = prior.filter((p) => contentAddressedBase(p.name, [base]) === base).sort((a, b) => a.name.localeCompare(b.name));
  const wasCurrent = mine.find((p) => !p.retained);
  if (wasCurrent && wasCurrent.name !== current) return [{ ...wasCurrent, retained: true }];
  const kept = mine.find((p) => p.retained && p.name !== current);
  return kept ? [kept] : [];
}
