/**
 * Ring: one deployment ring as a Chart: its Namespace, ring and lock ConfigMaps, workload, aliases
 * to the shared services, tenant Ingress, ResourceQuota and NetworkPolicies.
 *
 * The chart has no chart-level namespace on purpose: cdk8s would stamp it onto the cluster-scoped
 * Namespace too. Every namespaced object sets its own.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { canonicalJson, sha256 } from './checksum';
import { ComponentSpec } from './component';
import { HostClaim, ringHosts } from './hosts';
import * as k8s from './k8s';
import { ANNOTATION_PREFIX, standardLabels } from './labels';
import { RingNetworkPolicies } from './network-policies';
import { NGINX_CONFIG_MAP, PerRingWorkload } from './per-ring-workload';
import { Footprint, RingQuota } from './ring-quota';
import { SharedAliases, SharedServiceRef } from './shared-aliases';
import { TenantIngress } from './tenant-ingress';

export interface RingHomeProps {
  /** Namespace of the home ring, where the shared services run. */
  readonly namespace: string;
  /** Every shared service a ring reaches by short name (those the shared layer runs and external ones). */
  readonly sharedServices: readonly SharedServiceRef[];
}

export interface RingIngressProps {
  /** @default "nginx" */
  readonly className?: string;
  /** Namespace of the ingress controller, allowed to reach nginx. @default "ingress-nginx" */
  readonly controllerNamespace?: string;
  /** Secret with the `*.<domain>` certificate. @default "wildcard-tls" */
  readonly domainTlsSecret?: string;
  /** Secret with the `*.<segment>.<domain>` certificate. @default "<segment>-wildcard-tls" */
  readonly segmentTlsSecret?: string;
  /** Tenant Ingress objects; raise it as the ring grows, never lower it. @default 1 */
  readonly shards?: number;
}

export interface RingProps {
  readonly name: string;
  readonly namespace: string;
  /** Middle label of the ring's tenant hosts: `<tenant>.<segment>.<domain>`. */
  readonly hostnameSegment: string;
  readonly domain: string;
  readonly home: RingHomeProps;
  /** The components the ring runs, e.g. `PerRingWorkload.octane({...})`. */
  readonly workload: readonly ComponentSpec[];
  /** @default the name */
  readonly displayName?: string;
  /** @default "" */
  readonly description?: string;
  /** `app.kubernetes.io/part-of`. @default "platform" */
  readonly partOf?: string;
  /** Registry that owns the ring, written on its Namespace. @default "cdk8s-rings" */
  readonly registry?: string;
  /** The default ring also answers `*.<domain>`. @default false */
  readonly isDefault?: boolean;
  /** Tenants routed to this ring. @default [] */
  readonly tenants?: readonly string[];
  /** Module alias → pinned version. @default {} */
  readonly lock?: Readonly<Record<string, string>>;
  /** Where pods find the lock. @default "/etc/rings" */
  readonly lockMountDir?: string;
  /** Non-secret settings for the ring ConfigMap. @default {} */
  readonly appSettings?: Readonly<Record<string, string>>;
  /** @default { host: "autocom-db-rw", port: 5432 } */
  readonly database?: { readonly host: string; readonly port: number };
  /** @default { host: "redis", port: 6379 } */
  readonly redis?: { readonly host: string; readonly port: number };
  /** @default see RingIngressProps */
  readonly ingress?: RingIngressProps;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** @default 10 */
  readonly quotaMarginPercent?: number;
  /** Workloads outside the ring sharing its namespace (the shared layer, in the home ring). @default [] */
  readonly quotaAlsoCovers?: readonly Footprint[];
}

/** Object names the ring gives its ConfigMaps. */
export const RING_CONFIG_MAP = 'ring-config';
export const LOCK_CONFIG_MAP = 'module-lock';

/** The lock as a pod reads it: canonical JSON (sorted keys), so key order in git never matters. */
export function lockFileText(lock: Readonly<Record<string, string>>): string {
  return `${canonicalJson(lock)}\n`;
}

/** The ring ConfigMap's data; exported so callers can compute checksums and summaries. */
export function ringConfigData(props: RingProps): Record<string, string> {
  const lockDir = (props.lockMountDir ?? '/etc/rings').replace(/\/+$/, '');
  const db = props.database ?? { host: 'autocom-db-rw', port: 5432 };
  const redis = props.redis ?? { host: 'redis', port: 6379 };
  const data: Record<string, string> = {};
  const settings = props.appSettings ?? {};
  for (const k of Object.keys(settings).sort()) data[k] = settings[k];
  Object.assign(data, {
    RING_NAME: props.name,
    MODULE_LOCK_PATH: `${lockDir}/${props.name}.lock.json`,
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
  });
  return Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
}

export class Ring extends Chart {
  public readonly isHome: boolean;
  public readonly hosts: readonly HostClaim[];
  public readonly quota: RingQuota;
  public readonly lockChecksum: string;

  constructor(scope: Construct, id: string, props: RingProps) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const [what, v] of [['name', props.name], ['namespace', props.namespace], ['hostnameSegment', props.hostnameSegment]] as const) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) || v.length > 63) throw new Error(`ring ${what} "${v}" is not a DNS label; use lower-case letters, digits and '-', at most 63 characters`);
    }
    this.isHome = props.namespace === props.home.namespace;
    const partOf = props.partOf ?? 'platform';
    const labels = (name: string, component?: string) => standardLabels({ name, partOf, component, ring: props.name });
    const lock = props.lock ?? {};
    const lockDir = (props.lockMountDir ?? '/etc/rings').replace(/\/+$/, '');
    const lockText = lockFileText(lock);
    this.lockChecksum = sha256(lockText);

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.namespace,
        labels: {
          ...labels(props.namespace, 'ring'),
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.29',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'v1.29',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'v1.29',
        },
        annotations: {
          [`${ANNOTATION_PREFIX}/registry`]: props.registry ?? 'cdk8s-rings',
          [`${ANNOTATION_PREFIX}/ring`]: props.name,
          [`${ANNOTATION_PREFIX}/display-name`]: props.displayName ?? props.name,
          ...(props.description ? { [`${ANNOTATION_PREFIX}/description`]: props.description } : {}),
          [`${ANNOTATION_PREFIX}/owned-by`]: 'Generated by cdk8s-rings from the ring registry; edit the registry, not this object.',
        },
      },
    });

    const configData = ringConfigData(props);
    new k8s.KubeConfigMap(this, RING_CONFIG_MAP, {
      metadata: { name: RING_CONFIG_MAP, namespace: props.namespace, labels: labels(RING_CONFIG_MAP, 'config') },
      data: configData,
    });
    new k8s.KubeConfigMap(this, LOCK_CONFIG_MAP, {
      metadata: { name: LOCK_CONFIG_MAP, namespace: props.namespace, labels: labels(LOCK_CONFIG_MAP, 'config') },
      data: { [`${props.name}.lock.json`]: lockText },
    });

    // Checksums on the pod templates: a promotion changes this ring's lock checksum and rolls
    // exactly this ring's api and horizon; nothing else's template changes.
    const podAnnotations = {
      [`${ANNOTATION_PREFIX}/lock-checksum`]: this.lockChecksum,
      [`${ANNOTATION_PREFIX}/config-checksum`]: sha256(canonicalJson(configData)),
    };
    const components = props.workload.map((c) => {
      const mountsLock = c.configMounts?.some((m) => m.configMap === LOCK_CONFIG_MAP);
      const mountsNginx = c.configMounts?.some((m) => m.configMap === NGINX_CONFIG_MAP);
      const extra: Record<string, string> = mountsLock ? podAnnotations : {};
      if (mountsNginx) extra[`${ANNOTATION_PREFIX}/nginx-config-checksum`] = sha256(this.nginxConfigText(props));
      const configMounts = c.configMounts?.map((m) => (m.configMap === LOCK_CONFIG_MAP ? { ...m, mountPath: lockDir } : m));
      return { ...c, configMounts, podAnnotations: { ...(c.podAnnotations ?? {}), ...extra } };
    });
    if (components.some((c) => c.configMounts?.some((m) => m.configMap === NGINX_CONFIG_MAP))) {
      new k8s.KubeConfigMap(this, NGINX_CONFIG_MAP, {
        metadata: { name: NGINX_CONFIG_MAP, namespace: props.namespace, labels: labels(NGINX_CONFIG_MAP, 'config') },
        data: { 'default.conf': this.nginxConfigText(props) },
      });
    }

    const workload = new PerRingWorkload(this, 'workload', {
      ring: props.name,
      namespace: props.namespace,
      partOf,
      components,
      imagePullSecrets: props.imagePullSecrets,
    });

    if (!this.isHome && props.home.sharedServices.length) {
      new SharedAliases(this, 'aliases', {
        namespace: props.namespace,
        homeNamespace: props.home.namespace,
        services: props.home.sharedServices,
        partOf,
        ring: props.name,
      });
    }

    this.hosts = ringHosts({ hostnameSegment: props.hostnameSegment, domain: props.domain, tenants: props.tenants ?? [], isDefault: props.isDefault ?? false });
    if (this.hosts.length && workload.components.some((c) => c.name === 'nginx')) {
      new TenantIngress(this, 'ingress', {
        namespace: props.namespace,
        hosts: this.hosts,
        labels: labels('tenants', 'ingress'),
        className: props.ingress?.className,
        segmentTlsSecret: props.ingress?.segmentTlsSecret ?? `${props.hostnameSegment}-wildcard-tls`,
        domainTlsSecret: props.ingress?.domainTlsSecret ?? 'wildcard-tls',
        shards: props.ingress?.shards,
      });
    }

    this.quota = new RingQuota(this, 'quota', {
      namespace: props.namespace,
      components,
      alsoCovers: props.quotaAlsoCovers,
      marginPercent: props.quotaMarginPercent,
      labels: labels('ring-quota', 'quota'),
    });

    new RingNetworkPolicies(this, 'network-policies', {
      ring: props.name,
      namespace: props.namespace,
      homeNamespace: props.home.namespace,
      partOf,
      components,
      sharedServices: props.home.sharedServices,
      ingressControllerNamespace: props.ingress?.controllerNamespace,
    });
  }

  private nginxConfigText(props: RingProps): string {
    const api = props.workload.find((c) => c.name === 'api');
    const nginx = props.workload.find((c) => c.name === 'nginx');
    return PerRingWorkload.nginxConfig('api', api?.port ?? 8000, nginx?.port ?? 8080);
  }
}
