/**
 * The Ingress objects that route a ring's tenant hosts to its nginx. Tenants are bucketed into
 * `shards` Ingress objects by a stable hash of the tenant name, so adding or moving one tenant
 * changes one shard only, and no object grows past the API server's size limits.
 */
import { Construct } from 'constructs';
import { HostClaim } from '../src/model/hosts';
import { DEFAULT_BACKEND, IngressBackendRef, ingressRule, shardName, shardOf } from '../src/model/ingress-shards';
import * as k8s from './k8s';
import { PlainApiObject } from './plain-api-object';

// The shard arithmetic is a domain rule validation needs too: it lives in src/model (re-exported here).
export * from '../src/model/ingress-shards';

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
    const backend = props.backend ?? DEFAULT_BACKEND;
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
