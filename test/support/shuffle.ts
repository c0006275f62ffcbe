/**
 * Reorders a registry without changing its meaning: table keys at every level, `[tenants]` lines,
 * `[[shared.services]]` / `[[shared.external]]` entries, the set-like arrays (secrets, egress ports)
 * and lock JSON keys. Order-carrying arrays (args, writable_paths) keep their order.
 */
import * as TOML from '@iarna/toml';

export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG, so a failing seed can be replayed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Dotted paths (array indices dropped) of arrays whose order carries no meaning. */
const SET_ARRAYS = new Set(['shared.services', 'shared.external', 'secrets.env_from', 'secrets.image_pull', 'egress_ports']);

function shuffleValue(v: unknown, at: string, rng: Rng): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => shuffleValue(x, at, rng));
    return SET_ARRAYS.has(at) ? shuffled(items, rng) : items;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of shuffled(Object.keys(v), rng)) out[k] = shuffleValue((v as Record<string, unknown>)[k], at ? `${at}.${k}` : k, rng);
    return out;
  }
  return v;
}

export function shuffleToml(text: string, rng: Rng): string {
  return TOML.stringify(shuffleValue(TOML.parse(text), '', rng) as TOML.JsonMap);
}

/** A lock's keys reordered at every level (AutoCom's form nests the modules one level down). */
export function shuffleLockJson(text: string, rng: Rng): string {
  const reorder = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of shuffled(Object.keys(v), rng)) out[k] = reorder((v as Record<string, unknown>)[k]);
    return out;
  };
  return `${JSON.stringify(reorder(JSON.parse(text)), null, rng() < 0.5 ? 2 : 4)}\n`;
}

/** Every file of a registry, reordered. */
export function shuffleRegistry(sources: ReadonlyMap<string, string>, rng: Rng): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of shuffled([...sources.keys()], rng)) {
    const text = sources.get(rel)!;
    out.set(rel, rel.endsWith('.toml') ? shuffleToml(text, rng) : rel.endsWith('.json') ? shuffleLockJson(text, rng) : text);
  }
  return out;
}
