/**
 * The Ingress objects that route a ring's tenant hosts to its nginx. Tenants are bucketed into
 * `shards` Ingress objects by a stable hash of the tenant name, so adding or moving one tenant
 * changes one shard only, and no object grows past the API server's size limits.
 */
import { Construct } from 'constructs';
import { HostClaim } from './hosts';
import * as k8s from './k8s';
import { PlainApiObject } from './plain-api-object';

export interface TenantIngressProps {
  readonly namespace: string;
  readonly hosts: readonly HostClaim[];
  readonly labels: Readonly<Record<string, string>>;
  /** @default "nginx" */
  readonly className?: string;
  /** Backend Service and port. @default nginx:80 */
  readonly backend?: IngressBackendRef;
  /** Secret with the `*.<segment>.<domain>` certificate. */
  readonly segmentTlsSecret: string;
  /** Secret with the `*.<domain>` certificate. */
  readonly domainTlsSecret: string;
  /** Number of Ingress objects; only ever raise it. @default 1 */
  readonly shards?: number;
  /** Extra annotations for every shard. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

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

const DEFAULT_BACKEND: IngressBackendRef = { service: 'nginx', port: 80 };

/** One tenant host's rule (keys in the order the manifest has them). */
export function ingressRule(host: string, backend: IngressBackendRef = DEFAULT_BACKEND): k8s.IngressRule {
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

export class TenantIngress extends Construct {
  /** Host claims per Ingress object name. */
  public readonly shardHosts: ReadonlyMap<string, readonly HostClaim[]>;

  constructor(scope: Construct, id: string, props: TenantIngressProps) {
    super(scope, id);
    const shards = props.shards ?? 1;
    if (!Number.isInteger(shards) || shards < 1 || shards > 999) throw new Error(`ingress shards must be a whole number from 1 to 999, got ${shards}`);
    const buckets: HostClaim[][] = Array.from({ length: shards }, () => []);
    for (const h of props.hosts) buckets[shardOf(h.tenant, shards)].push(h);
    const backend = props.backend ?? DEFAULT_BACKEND;
    const map = new Map<string, HostClaim[]>();
    buckets.forEach((claims, i) => {
      if (claims.length === 0) return;
      const name = shardName(i, shards);
      map.set(name, claims);
      const tls = (['segment', 'domain'] as const)
        .map((cover) => ({ cover, hosts: claims.filter((c) => c.cover === cover).map((c) => c.host) }))
        .filter((t) => t.hosts.length)
        .map((t) => ({ hosts: t.hosts, secretName: t.cover === 'segment' ? props.segmentTlsSecret : props.domainTlsSecret }));
      // A plain ApiObject rather than k8s.KubeIngress: same manifest, but thousands of rules are
      // rendered without cdk8s's per-value resolve pass (see plain-api-object.ts).
      const spec: k8s.IngressSpec = {
        ingressClassName: props.className ?? 'nginx',
        rules: claims.map((c) => ingressRule(c.host, backend)),
        tls,
      };
      new PlainApiObject(this, name, {
        apiVersion: k8s.KubeIngress.GVK.apiVersion,
        kind: k8s.KubeIngress.GVK.kind,
        metadata: {
          name,
          namespace: props.namespace,
          labels: { ...props.labels },
          ...(props.annotations && Object.keys(props.annotations).length ? { annotations: { ...props.annotations } } : {}),
        },
        spec,
      });
    });
    this.shardHosts = map;
  }
}

export interface PreviewIngressesProps {
  readonly namespace: string;
  readonly previews: readonly { readonly tenant: string; readonly hosts: readonly string[]; readonly header: string; readonly value: string }[];
  readonly labels: Readonly<Record<string, string>>;
  /** @default "nginx" */
  readonly className?: string;
  /** @default nginx:80 */
  readonly backend?: { readonly service: string; readonly port: number };
}

/**
 * ingress-nginx canary Ingresses, one per previewed tenant, in the preview ring: the tenant's hosts,
 * served here only for requests with the header. They repeat hosts the tenant's own ring claims —
 * ingress-nginx requires it — so they are not claims: annotated `rings.cdk8s.io/preview-of` and left
 * out of the one-claim-per-host check. No TLS section: the primary Ingress terminates TLS for the host.
 */
export class PreviewIngresses extends Construct {
  constructor(scope: Construct, id: string, props: PreviewIngressesProps) {
    super(scope, id);
    const backend = props.backend ?? { service: 'nginx', port: 80 };
    for (const p of [...props.previews].sort((a, b) => a.tenant.localeCompare(b.tenant))) {
      const name = `preview-${p.tenant}`.slice(0, 63).replace(/-+$/, '');
      new k8s.KubeIngress(this, name, {
        metadata: {
          name,
          namespace: props.namespace,
          labels: { ...props.labels },
          annotations: {
            'nginx.ingress.kubernetes.io/canary': 'true',
            'nginx.ingress.kubernetes.io/canary-by-header': p.header,
            'nginx.ingress.kubernetes.io/canary-by-header-value': p.value,
            'rings.cdk8s.io/preview-of': p.tenant,
          },
        },
        spec: {
          ingressClassName: props.className ?? 'nginx',
          rules: p.hosts.map((host) => ({
            host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend.service, port: { number: backend.port } } } }] },
          })),
        },
      });
    }
  }
}
