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
  readonly backend?: { readonly service: string; readonly port: number };
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

export class TenantIngress extends Construct {
  /** Host claims per Ingress object name. */
  public readonly shardHosts: ReadonlyMap<string, readonly HostClaim[]>;

  constructor(scope: Construct, id: string, props: TenantIngressProps) {
    super(scope, id);
    const shards = props.shards ?? 1;
    if (!Number.isInteger(shards) || shards < 1 || shards > 999) throw new Error(`ingress shards must be a whole number from 1 to 999, got ${shards}`);
    const buckets: HostClaim[][] = Array.from({ length: shards }, () => []);
    for (const h of props.hosts) buckets[shardOf(h.tenant, shards)].push(h);
    const backend = props.backend ?? { service: 'nginx', port: 80 };
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
        rules: claims.map((c) => ({
          host: c.host,
          http: { paths: [{ backend: { service: { name: backend.service, port: { number: backend.port } } }, path: '/', pathType: 'Prefix' }] },
        })),
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
