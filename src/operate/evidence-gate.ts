/**
 * The `verified` promotion gate: a ring with `require_verified = true` lets a version leave only with
 * evidence that it ran well there — a passing `rings verify --record` of that ring, comparing the
 * cluster with a lock that pins the version, recorded at least the ring's soak after the version
 * arrived (so the restart counts it saw cover the soak window), and not contradicted by a later
 * failing verify. Pure, like gates.ts.
 */
import { GateResult, GateRing, parseDuration } from './gates';
import { arrivalTime, HistoryEntry, isoSeconds, PromotionEvidence } from './history';

export interface VerifiedGateResult extends GateResult {
  /** The verify entry relied on, when the gate passed. */
  readonly evidence?: PromotionEvidence;
}

export function verifyCommand(ring: string): string {
  return `rings verify --ring ${ring} --record`;
}

/** What the promoted thing is called in messages, and what a verify entry saw of it. */
export interface VerifiedSubject {
  readonly label: string;
  readonly seen: (e: HistoryEntry) => string | undefined;
}

/**
 * `subject` is the history subject (a module, or `image:<component>`); `what` says how a verify entry
 * saw it (default: the module's version in the lock it compared with).
 */
export function verifiedGate(
  history: readonly HistoryEntry[],
  subject: string,
  from: GateRing,
  version: string,
  now: Date,
  what: VerifiedSubject = { label: subject, seen: (e) => e.lock?.[subject] },
): VerifiedGateResult {
  const module = what.label;
  const cmd = verifyCommand(from.name);
  const arrived = arrivalTime(history, subject, from.name, version);
  if (arrived === undefined) {
    return {
      gate: 'verified',
      ok: false,
      message: `${from.name} requires verified evidence, but history has no record of ${module} ${version} arriving in ${from.name}, so no verify can be tied to it; promote it into ${from.name} with rings, wait ${from.soak}, run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  const earliest = new Date(Date.parse(arrived) + parseDuration(from.soak));
  const since = isoSeconds(earliest);
  const verifies = history
    // Cluster evidence only: a `verify --metrics` entry (source "registry") read no cluster.
    .filter((e) => e.action === 'verify' && e.source !== 'registry' && e.to === from.name && Date.parse(e.time) >= earliest.getTime())
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const last = verifies[verifies.length - 1];
  const when = earliest.getTime() > now.getTime() ? `after ${since} (${module} ${version} arrived ${arrived}, soak ${from.soak})` : `now (needed any time after ${since}: ${module} ${version} arrived ${arrived}, soak ${from.soak})`;
  if (!last) {
    return { gate: 'verified', ok: false, message: `no verify of ${from.name} recorded since ${since}; run ${cmd} ${when}, or pass --emergency --reason TEXT` };
  }
  if (!last.passed) {
    const n = last.findings?.length ?? 0;
    return {
      gate: 'verified',
      ok: false,
      message: `the latest verify of ${from.name} (${last.time}) failed with ${n} finding${n === 1 ? '' : 's'}${n ? ` (first: ${last.findings![0]})` : ''}; fix them and run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  const seen = what.seen(last);
  if (seen !== version) {
    return {
      gate: 'verified',
      ok: false,
      message: `the latest verify of ${from.name} (${last.time}) compared the cluster with ${module} ${seen ?? '(not pinned)'}, not ${version}; run ${cmd}, or pass --emergency --reason TEXT`,
    };
  }
  return {
    gate: 'verified',
    ok: true,
    message: `${from.name} passed verify at ${last.time} with ${module} ${version} (${from.soak} after it arrived at ${arrived})`,
    evidence: { gate: 'verified', verified_at: last.time, lock_checksums: last.lock_checksums ?? [] },
  };
}
