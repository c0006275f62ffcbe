/**
 * cert-manager Certificates for a ring's wildcard hosts: `*.<segment>.<domain>` and `*.<domain>`.
 *
 * cert-manager's CRD is not among the project's CRD copies, so `Certificate` is a small hand-written
 * typed view of `cert-manager.io/v1` (only the fields used) on a plain `ApiObject`; the objects are
 * not schema-validated in tests. Wildcards need a DNS-01 solver on the issuer.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { HostClaim } from '../src/model/hosts';
import { TLS_DNS_NAMES_ANNOTATION } from './secret-sync';

/** The part of cert-manager.io/v1 Certificate this library writes. */
export interface CertificateSpec {
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly issuerRef: { readonly name: string; readonly kind: 'ClusterIssuer'; readonly group: 'cert-manager.io' };
}

export interface CertificateProps {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: CertificateSpec;
}

/** cert-manager.io/v1 Certificate (typed by hand; see the file comment). */
export class Certificate extends ApiObject {
  public static readonly GVK = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' } as const;

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id, {
      ...Certificate.GVK,
      metadata: { ...props.metadata, labels: { ...(props.metadata.labels ?? {}) }, ...(props.metadata.annotations ? { annotations: { ...props.metadata.annotations } } : {}) },
      spec: { secretName: props.spec.secretName, dnsNames: [...props.spec.dnsNames], issuerRef: { ...props.spec.issuerRef } },
    });
  }
}

export interface RingCertificatesProps {
  readonly namespace: string;
  readonly hostnameSegment: string;
  readonly domain: string;
  /** The hosts served from this namespace; a certificate is made for each cover they use. */
  readonly hosts: readonly HostClaim[];
  /** Secret for `*.<segment>.<domain>`. */
  readonly segmentTlsSecret: string;
  /** Secret for `*.<domain>`. */
  readonly domainTlsSecret: string;
  /** A ClusterIssuer with a DNS-01 solver. @default "letsencrypt-dns01" */
  readonly issuer?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** One Certificate per wildcard the ring's hosts need; none when it serves no host. */
export class RingCertificates extends Construct {
  /** secret name → DNS names, for what this construct makes. */
  public readonly secrets: ReadonlyMap<string, readonly string[]>;

  constructor(scope: Construct, id: string, props: RingCertificatesProps) {
    super(scope, id);
    const issuer = props.issuer ?? 'letsencrypt-dns01';
    const map = new Map<string, string[]>();
    const want = (cover: 'segment' | 'domain') => props.hosts.some((h) => h.cover === cover);
    const certs: { cover: 'segment' | 'domain'; secret: string; dns: string }[] = [
      { cover: 'segment', secret: props.segmentTlsSecret, dns: `*.${props.hostnameSegment}.${props.domain}` },
      { cover: 'domain', secret: props.domainTlsSecret, dns: `*.${props.domain}` },
    ];
    for (const c of certs) {
      if (!want(c.cover)) continue;
      new Certificate(this, c.cover, {
        metadata: { name: c.secret, namespace: props.namespace, labels: props.labels, annotations: { [TLS_DNS_NAMES_ANNOTATION]: c.dns } },
        spec: { secretName: c.secret, dnsNames: [c.dns], issuerRef: { name: issuer, kind: 'ClusterIssuer', group: 'cert-manager.io' } },
      });
      map.set(c.secret, [c.dns]);
    }
    this.secrets = map;
  }
}
