/**
 * Promotion gates, as pure functions: each returns whether it passed and, when it refuses, one
 * sentence saying why and what would satisfy it. `--emergency --reason` waives refusals; the
 * waiver is recorded in the history.
 */
import { arrivalTime, HistoryEntry } from './history';

export interface GateRing {
  readonly name: string;
  /** 0 = most conservative. */
  readonly promotionOrder: number;
  readonly active: boolean;
  /** e.g. "24h", "7d". */
  readonly soak: string;
  /** Promotions out of this ring need a passing `rings verify --record` (see evidence-gate.ts). @default false */
  readonly requireVerified?: boolean;
}

export type GateName = 'order' | 'soak' | 'entry' | 'verified' | 'analysis' | 'approval';

export interface GateResult {
  readonly gate: GateName;
  readonly ok: boolean;
  /** For a refusal: why, and what would satisfy the gate. */
  readonly message: string;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m" | "24h" | "7d" → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(s);
  if (!m) throw new Error(`expected a duration such as "24h" or "7d", got ${JSON.stringify(s)}`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** 5d 3h, 10h 30m, 45m: the two largest units, for messages. */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let rest = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(rest / 1440);
  rest -= d * 1440;
  const h = Math.floor(rest / 60);
  const m = rest - h * 60;
  const parts = d > 0 ? [`${d}d`, h > 0 ? `${h}h` : ''] : h > 0 ? [`${h}h`, m > 0 ? `${m}m` : ''] : [`${m}m`];
  return (neg ? '-' : '') + parts.filter(Boolean).join(' ');
}

/** The next active ring toward the conservative end: the highest promotion order below `from`'s. */
export function nextConservativeRing(rings: readonly GateRing[], from: GateRing): GateRing | undefined {
  return rings
    .filter((r) => r.active && r.promotionOrder < from.promotionOrder)
    .sort((a, b) => b.promotionOrder - a.promotionOrder)[0];
}

/** The least conservative active ring: the only one `--with-version` may pin into. */
export function entryRing(rings: readonly GateRing[]): GateRing | undefined {
  return rings.filter((r) => r.active).sort((a, b) => b.promotionOrder - a.promotionOrder)[0];
}

/** order: a promotion moves exactly one step toward the conservative end, into an active ring. */
export function orderGate(rings: readonly GateRing[], from: GateRing, to: GateRing): GateResult {
  const next = nextConservativeRing(rings, from);
  const ok = next !== undefined && next.name === to.name;
  if (ok) return { gate: 'order', ok, message: `${from.name} → ${to.name} is one step` };
  let why: string;
  if (!to.active) why = `${to.name} is inactive`;
  else if (to.promotionOrder >= from.promotionOrder) why = `${to.name} (order ${to.promotionOrder}) is not more conservative than ${from.name} (order ${from.promotionOrder})`;
  else why = `${from.name} → ${to.name} skips ${next!.name}`;
  const fix = next ? `promote from ${from.name} to ${next.name} only` : `${from.name} is already the most conservative active ring`;
  return { gate: 'order', ok, message: `${why}; ${fix}` };
}

/** soak: the version has run in the source ring at least the source ring's `soak`, measured from the history. */
export function soakGate(history: readonly HistoryEntry[], module: string, from: GateRing, version: string, now: Date): GateResult {
  const need = parseDuration(from.soak);
  // `image:api` (a ring image's history subject) reads as "the api image".
  const what = module.startsWith('image:') ? `the ${module.slice('image:'.length)} image` : module;
  const since = arrivalTime(history, module, from.name, version);
  if (since === undefined) {
    if (need === 0) return { gate: 'soak', ok: true, message: `${from.name} needs no soak` };
    return {
      gate: 'soak',
      ok: false,
      message: `history has no record of ${what} ${version} arriving in ${from.name}, so its soak (${from.soak}) cannot be proven; promote it into ${from.name} with rings (which records it) and wait ${from.soak}, or pass --emergency --reason TEXT`,
    };
  }
  const ran = now.getTime() - Date.parse(since);
  if (ran >= need) return { gate: 'soak', ok: true, message: `${what} ${version} has run in ${from.name} for ${formatDuration(ran)} (needs ${from.soak})` };
  const at = new Date(Date.parse(since) + need).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    gate: 'soak',
    ok: false,
    message: `${what} ${version} has run in ${from.name} for ${formatDuration(ran)} since ${since}; ${from.name} needs ${from.soak}: promotable after ${at}, or pass --emergency --reason TEXT`,
  };
}

/** entry: `--with-version` pins only into the least conservative active ring; everything else arrives by promotion. */
export function entryGate(rings: readonly GateRing[], to: GateRing, flag = '--with-version'): GateResult {
  const entry = entryRing(rings);
  const ok = entry !== undefined && entry.name === to.name;
  if (ok) return { gate: 'entry', ok, message: `${to.name} is the entry ring` };
  return {
    gate: 'entry',
    ok,
    message: `${flag} pins only into ${entry ? entry.name : 'the least conservative active ring'}, not ${to.name}; pin it there and promote it ring by ring, or pass --emergency --reason TEXT`,
  };
}

export interface GateOutcome {
  readonly checked: GateName[];
  readonly waived: GateName[];
  /** The first refusal not waived. */
  readonly refusal?: GateResult;
}

/** Applies `--emergency`: every refusal is waived (and listed), otherwise the first refusal stands. */
export function decide(results: readonly GateResult[], emergency: boolean): GateOutcome {
  const checked = results.map((r) => r.gate);
  const refused = results.filter((r) => !r.ok);
  if (emergency) return { checked, waived: refused.map((r) => r.gate) };
  return { checked, waived: [], refusal: refused[0] };
}
