/**
 * Gateway API routing for a ring's tenant hosts: HTTPRoutes attached to a Gateway the registry does
 * not own, with the same hosts and the same one-claim-per-host guarantee as `TenantIngress`.
 *
 * Tenants are bucketed by the same stable hash (`shardOf`/`shardName`), so adding or moving a tenant
 * changes one shard. An HTTPRoute holds at most 16 hostnames (a CRD limit), so each shard is split
 * into routes of at most 16 hosts, a tenant's two hosts always together: `<shard>-0`, `<shard>-1`…
 *
 * backendRefs always name a Service in the route's own namespace, so no ReferenceGrant is needed for
 * them. The Gateway (in its own namespace) must admit routes from ring namespaces: its listeners need
 * `allowedRoutes.namespaces.from: Selector` on `rings.cdk8s.io/gateway-access: "true"`, the label every
 * ring Namespace carries under gateway-api routing.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute, HttpRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesMatchesPathType, HttpRouteSpecParentRefs } from '../imports/gwapi-httproutes-gateway.networking.k8s.io';
import { HostClaim } from '../src/model/hosts';
import { ANNOTATION_PREFIX } from './labels';
import { DEFAULT_BACKEND } from '../src/model/ingress-shards';
import { shardName, shardOf } from './tenant-ingress';

/** Label on ring Namespaces a Gateway listener's `allowedRoutes.namespaces.selector` matches. */
export const GATEWAY_ACCESS_LABEL = `${ANNOTATION_PREFIX}/gateway-access`;
/** Annotation on preview Ingresses and HTTPRoutes: which tenant they preview. They are not host claims. */
export const PREVIEW_ANNOTATION = `${ANNOTATION_PREFIX}/preview-of`;
/** Most hostnames one HTTPRoute may list (Gateway API CRD `maxItems`). */
export const MAX_ROUTE_HOSTNAMES = 16;

export interface GatewayRef {
  readonly name: string;
  readonly namespace: string;
  /** Listener name. @default every listener that admits the route */
  readonly sectionName?: string;
}

/** A tenant's requests carrying `header: value` are served by another ring, the tenant staying where it is. */
export interface TenantPreview {
  readonly tenant: string;
  /** The tenant's hosts (as its own ring claims them). */
  readonly hosts: readonly string[];
  readonly header: string;
  readonly value: string;
}

export interface TenantRoutesProps {
  readonly namespace: string;
  readonly hosts: readonly HostClaim[];
  readonly labels: Readonly<Record<string, string>>;
  readonly gateway: GatewayRef;
  /** Backend Service and port, in this namespace. @default nginx:80 */
  readonly backend?: { readonly service: string; readonly port: number };
  /** Hash buckets; only ever raise it. @default 1 */
  readonly shards?: number;
}

function parentRef(g: GatewayRef): HttpRouteSpecParentRefs {
  return { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name, namespace: g.namespace, ...(g.sectionName ? { sectionName: g.sectionName } : {}) };
}

/** Splits one shard's claims into groups of at most `max` hosts, keeping each tenant's hosts together. */
export function chunkClaims(claims: readonly HostClaim[], max = MAX_ROUTE_HOSTNAMES): HostClaim[][] {
  const groups = new Map<string, HostClaim[]>();
  for (const c of claims) {
    const key = c.tenant === undefined ? `\u0000${c.host}` : c.tenant;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  const out: HostClaim[][] = [];
  let current: HostClaim[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    if (g.length > max) throw new Error(`tenant ${key} has ${g.length} hosts, more than the ${max} one HTTPRoute may list`);
    if (current.length + g.length > max) {
      out.push(current);
      current = [];
    }
    current.push(...g);
  }
  if (current.length) out.push(current);
  return out;
}

export class TenantRoutes extends Construct {
  /** Host claims per HTTPRoute name. */
  public readonly routeHosts: ReadonlyMap<string, readonly HostClaim[]>;

  constructor(scope: Construct, id: string, props: TenantRoutesProps) {
    super(scope, id);
    const shards = props.shards ?? 1;
    if (!Number.isInteger(shards) || shards < 1 || shards > 999) throw new Error(`route shards must be a whole number from 1 to 999, got ${shards}`);
    const buckets: HostClaim[][] = Array.from({ length: shards }, () => []);
    for (const h of props.hosts) buckets[shardOf(h.tenant, shards)].push(h);
    const backend = props.backend ?? DEFAULT_BACKEND;
    const map = new Map<string, HostClaim[]>();
    buckets.forEach((claims, i) => {
      chunkClaims(claims).forEach((chunk, j) => {
        const name = `${shardName(i, shards)}-${j}`;
        map.set(name, chunk);
        new HttpRoute(this, name, {
          metadata: { name, namespace: props.namespace, labels: { ...props.labels } },
          spec: {
            parentRefs: [parentRef(props.gateway)],
            hostnames: chunk.map((c) => c.host),
            rules: [
              {
                matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
                backendRefs: [{ group: '', kind: 'Service', name: backend.service, port: backend.port }],
              },
            ],
          },
        });
      });
    });
    this.routeHosts = map;
  }
}

export interface PreviewRoutesProps {
  readonly namespace: string;
  readonly previews: readonly TenantPreview[];
  readonly labels: Readonly<Record<string, string>>;
  readonly gateway: GatewayRef;
  /** @default nginx:80 */
  readonly backend?: { readonly service: string; readonly port: number };
}

/**
 * One HTTPRoute per previewed tenant, in the preview ring: the tenant's hosts, matched only with the
 * header. Gateway API gives a match with more header matches precedence over the tenant's own
 * route, so only requests carrying the header come here. Not a host claim (annotated as a preview).
 */
export class PreviewRoutes extends Construct {
  constructor(scope: Construct, id: string, props: PreviewRoutesProps) {
    super(scope, id);
    const backend = props.backend ?? DEFAULT_BACKEND;
    for (const p of [...props.previews].sort((a, b) => a.tenant.localeCompare(b.tenant))) {
      const name = `preview-${p.tenant}`.slice(0, 63).replace(/-+$/, '');
      new HttpRoute(this, name, {
        metadata: { name, namespace: props.namespace, labels: { ...props.labels }, annotations: { [PREVIEW_ANNOTATION]: p.tenant } },
        spec: {
          parentRefs: [parentRef(props.gateway)],
          hostnames: [...p.hosts],
          rules: [
            {
              matches: [
                {
                  path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' },
                  headers: [{ type: HttpRouteSpecRulesMatchesHeadersType.EXACT, name: p.header, value: p.value }],
                },
              ],
              backendRefs: [{ group: '', kind: 'Service', name: backend.service, port: backend.port }],
            },
          ],
        },
      });
    }
  }
}

export interface GatewayTlsGrantProps {
  readonly namespace: string;
  readonly gateway: GatewayRef;
  /** TLS secrets in `namespace` the Gateway's listeners may reference. */
  readonly secretNames: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * ReferenceGrant (gateway.networking.k8s.io/v1beta1) letting the Gateway's listeners use this
 * namespace's TLS secrets, by name only. Written as a plain ApiObject: its CRD is not among the
 * project's CRD copies, so it is not schema-validated in tests.
 */
export class GatewayTlsGrant extends Construct {
  constructor(scope: Construct, id: string, props: GatewayTlsGrantProps) {
    super(scope, id);
    const names = [...new Set(props.secretNames)].sort();
    if (!names.length) return;
    new ApiObject(this, 'grant', {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'gateway-tls', namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: props.gateway.namespace }],
        to: names.map((name) => ({ group: '', kind: 'Secret', name })),
      },
    });
  }
}
