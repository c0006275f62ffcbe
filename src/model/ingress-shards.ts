/**
 * Ingress shards: tenants are bucketed into Ingress objects by a stable hash of the tenant name, so
 * adding or moving one tenant changes one shard only. Pure arithmetic, shared by the registry's
 * `ingressShardsFit` rule and the `TenantIngress` construct.
 */
import type { HostClaim } from './hosts';

/** FNV-1a 32-bit: stable across Node versions and platforms, unlike anything seeded. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function shardOf(tenant: string | undefined, shards: number): number {
  return tenant === undefined ? 0 : stableHash(tenant) % shards;
}

export function shardName(index: number, shards: number): string {
  return shards === 1 ? 'tenants' : `tenants-${String(index).padStart(2, '0')}`;
}

export interface IngressBackendRef {
  readonly service: string;
  readonly port: number;
}

export const DEFAULT_BACKEND: IngressBackendRef = { service: 'nginx', port: 80 };

/** One tenant host's rule (keys in the order the manifest has them). */
export interface IngressRuleShape {
  readonly host: string;
  readonly http: { readonly paths: { backend: { service: { name: string; port: { number: number } } }; path: string; pathType: string }[] };
}

export function ingressRule(host: string, backend: IngressBackendRef = DEFAULT_BACKEND): IngressRuleShape {
  return {
    host,
    http: { paths: [{ backend: { service: { name: backend.service, port: { number: backend.port } } }, path: '/', pathType: 'Prefix' }] },
  };
}

/** Limits one tenant Ingress must stay within. */
export interface IngressLimits {
  /** Hosts per Ingress object (a registry setting: controllers reload slower on huge objects). */
  readonly maxHosts: number;
  /**
   * Compact JSON bytes per object: `kubectl apply` keeps the whole object in the
   * last-applied-configuration annotation, and annotations are limited to 256 KiB in total.
   * @default 256 KiB
   */
  readonly maxBytes?: number;
}

export const MAX_INGRESS_BYTES = 256 * 1024;

/** Compact JSON bytes of a shard beyond its hosts, at most: apiVersion, kind, metadata, class, TLS secret names. */
export const INGRESS_FIXED_BYTES = 4096;

/** How full one shard would be. */
export interface ShardLoad {
  readonly name: string;
  readonly hosts: number;
  /** Compact JSON bytes, an upper bound. */
  readonly bytes: number;
}

/** Compact JSON bytes one host adds to an Ingress (its rule and its TLS entry), given the host's own length. */
function hostBytes(backend: IngressBackendRef): (host: string) => number {
  // Hosts are DNS names (no JSON escaping): the rule for "" plus the host twice, plus commas.
  const base = Buffer.byteLength(JSON.stringify(ingressRule('', backend))) + 1 + 2 + 1;
  return (host) => base + 2 * Buffer.byteLength(host);
}

/** The load of every non-empty shard when `hosts` are bucketed into `shards` objects, as TenantIngress does. */
export function ingressShardLoads(hosts: readonly HostClaim[], shards: number, backend: IngressBackendRef = DEFAULT_BACKEND): ShardLoad[] {
  const bytesOf = hostBytes(backend);
  const count = new Array<number>(shards).fill(0);
  const bytes = new Array<number>(shards).fill(INGRESS_FIXED_BYTES);
  for (const h of hosts) {
    const i = shardOf(h.tenant, shards);
    count[i]++;
    bytes[i] += bytesOf(h.host);
  }
  const out: ShardLoad[] = [];
  for (let i = 0; i < shards; i++) if (count[i] > 0) out.push({ name: shardName(i, shards), hosts: count[i], bytes: bytes[i] });
  return out;
}

/** The shards that would break `limits`, fullest first. */
export function overfullShards(loads: readonly ShardLoad[], limits: IngressLimits): ShardLoad[] {
  const maxBytes = limits.maxBytes ?? MAX_INGRESS_BYTES;
  return loads.filter((l) => l.hosts > limits.maxHosts || l.bytes > maxBytes).sort((a, b) => b.hosts - a.hosts || b.bytes - a.bytes);
}

/**
 * The smallest shard count from `from` up to 999 whose buckets all fit `limits`, or undefined.
 * Counts are tried in order because hash buckets are not monotonic: 11 shards may fit where 12 do not.
 */
export function minimumIngressShards(hosts: readonly HostClaim[], from: number, limits: IngressLimits, backend: IngressBackendRef = DEFAULT_BACKEND): number | undefined {
  const maxBytes = limits.maxBytes ?? MAX_INGRESS_BYTES;
  const bytesOf = hostBytes(backend);
  // Per tenant once: its hash and its hosts' bytes (the wildcard has no tenant and goes to shard 0).
  const byTenant = new Map<string | undefined, { hash: number; hosts: number; bytes: number }>();
  for (const h of hosts) {
    let t = byTenant.get(h.tenant);
    if (!t) byTenant.set(h.tenant, (t = { hash: h.tenant === undefined ? 0 : stableHash(h.tenant), hosts: 0, bytes: 0 }));
    t.hosts++;
    t.bytes += bytesOf(h.host);
  }
  const tenants = [...byTenant.values()];
  for (let n = Math.max(1, from); n <= 999; n++) {
    const count = new Array<number>(n).fill(0);
    const bytes = new Array<number>(n).fill(INGRESS_FIXED_BYTES);
    let fits = true;
    for (const t of tenants) {
      const i = t.hash % n;
      count[i] += t.hosts;
      bytes[i] += t.bytes;
      if (count[i] > limits.maxHosts || bytes[i] > maxBytes) {
        fits = false;
        break;
      }
    }
    if (fits) return n;
  }
  return undefined;
}
