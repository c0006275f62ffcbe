/** One line per difference between the live cluster and what the registry says should run. */

/** The checks `rings verify` runs, in the order it reports them. */
export const VERIFY_CHECKS = ['deployment', 'rollout', 'replicas', 'template', 'restarts', 'ring-env', 'routing', 'alias', 'secret', 'external-secret', 'probe'] as const;

export type VerifyCheck = (typeof VERIFY_CHECKS)[number];

export interface Finding {
  readonly ring: string;
  readonly check: VerifyCheck;
  /** `Kind namespace/name` of the object the finding is about. */
  readonly object: string;
  /** What was expected and what was found, in one sentence. */
  readonly message: string;
  /** With [clusters]: the cluster the ring was read on. @default none (one cluster) */
  readonly cluster?: string;
}

/** `canary: [rollout] Deployment autocom-canary/api: rollout incomplete: …`; with [clusters], `canary on us-1: …`. */
export function formatFinding(f: Finding): string {
  return `${f.ring}${f.cluster ? ` on ${f.cluster}` : ''}: [${f.check}] ${f.object}: ${f.message}`;
}

/** Findings in a stable order: by ring, then check order, then object, then message. */
export function sortFindings(fs: readonly Finding[]): Finding[] {
  const order = (c: VerifyCheck) => VERIFY_CHECKS.indexOf(c);
  return [...fs].sort(
    (a, b) => a.ring.localeCompare(b.ring) || order(a.check) - order(b.check) || a.object.localeCompare(b.object) || a.message.localeCompare(b.message),
  );
}
