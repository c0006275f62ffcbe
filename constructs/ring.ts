/**
 * Ring: one deployment ring as a Chart: its Namespace, ring and lock ConfigMaps, workload, aliases
 * to the shared services, tenant Ingress, ResourceQuota and NetworkPolicies.
 *
 * The chart has no chart-level namespace on purpose: cdk8s would stamp it onto the cluster-scoped
 * Namespace too. Every namespaced object sets its own.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { canonicalJson, sha256 } from '../src/model/checksum';
import { DEFAULT_API_PORT, DEFAULT_LOCK_MOUNT_DIR, DEFAULT_NGINX_PORT, DEFAULT_PART_OF } from '../src/model/defaults';
import { isDnsLabel } from '../src/model/kubernetes-names';
import { contentAddressedName, LOCK_CONFIG_MAP, PriorConfigMap, retainedConfigMaps, RETAINED_ANNOTATION, RING_CONFIG_MAP } from '../src/model/content-address';
import { lockFileText, LockPins } from '../src/model/lock';
import { ComponentSpec } from './component';
import { HostClaim, ringHosts } from '../src/model/hosts';
import * as k8s from './k8s';
import { ANNOTATION_PREFIX, standardLabels } from './labels';
import { RingNetworkPolicies } from './network-policies';
import { ControllerPeerProps, DnsPeerProps, RING_NAMESPACE_LABEL } from './policy-peers';
import { PerRingWorkload } from './per-ring-workload';
import { NGINX_CONFIG_MAP } from '../src/model/names';
import { octaneNginxConfig } from './presets/octane';
import { Footprint, RingQuota } from './ring-quota';
import { SharedAliases, SharedServiceRef } from './shared-aliases';
import { RingCertificates } from './certificates';
import {
  normalizeSecrets,
  OPERATOR_SECRETS_ANNOTATION,
  RELOADER_SECRETS_ANNOTATION,
  SecretSyncMode,
  SyncedSecret,
  SyncedSecrets,
  OPERATOR_TLS_ANNOTATION,
} from './secret-sync';
import { PreviewIngresses, TenantIngress } from './tenant-ingress';
import { GATEWAY_ACCESS_LABEL, GatewayRef, GatewayTlsGrant, PreviewRoutes, TenantPreview, TenantRoutes } from './tenant-routes';

export interface RingHomeProps {
  /** Namespace of the home ring, where the shared services run. */
  readonly namespace: string;
  /** Every shared service a ring reaches by short name (those the shared layer runs and external ones). */
  readonly sharedServices: readonly SharedServiceRef[];
  /**
   * The ring runs in another cluster than the home namespace (rings across clusters): it is never the
   * home ring, whatever its namespace is called; its aliases point at each service's `remoteHost` and its
   * egress allows their ports. @default false
   */
  readonly remote?: boolean;
}

export interface RingIngressProps {
  /** @default "nginx" */
  readonly className?: string;
  /** Namespace of the ingress controller, allowed to reach nginx. @default "ingress-nginx" */
  readonly controllerNamespace?: string;
  /** The ingress controller by namespace (and pod) labels; wins over `controllerNamespace`. @default by name */
  readonly controller?: ControllerPeerProps;
  /** Secret with the `*.<domain>` certificate. @default "wildcard-tls" */
  readonly domainTlsSecret?: string;
  /** Secret with the `*.<segment>.<domain>` certificate. @default "<segment>-wildcard-tls" */
  readonly segmentTlsSecret?: string;
  /** Tenant Ingress objects; raise it as the ring grows, never lower it. @default 1 */
  readonly shards?: number;
}

export interface RingSecretSyncProps {
  /** How the home secrets reach this ring (ignored in the home ring, which holds the originals). @default "none" */
  readonly mode?: SecretSyncMode;
  /** ClusterSecretStore the ExternalSecrets read from. @default DEFAULT_HOME_SECRET_STORE ("ring-home-secrets") */
  readonly storeName?: string;
  /** @default DEFAULT_SECRET_REFRESH_INTERVAL ("1h") */
  readonly refreshInterval?: string;
  /** "reloader" annotates Deployments that read secrets for Stakater Reloader. @default "none" */
  readonly restartOnRotation?: 'reloader' | 'none';
  /** Secrets the ring needs besides those its pods reference. @default [] */
  readonly extra?: readonly SyncedSecret[];
}

export interface RingTlsProps {
  /** "cert-manager": Certificates in the ring namespace; "synced": TLS secrets synced from home like the others. @default "synced" */
  readonly mode?: 'cert-manager' | 'synced';
  /** ClusterIssuer (DNS-01) for cert-manager mode. @default "letsencrypt-dns01" */
  readonly issuer?: string;
  /** Hosts served from this namespace by something else (the shared layer, in the home ring). @default [] */
  readonly alsoServes?: readonly HostClaim[];
}

export interface RingRoutingProps {
  /** @default "ingress" */
  readonly mode?: 'ingress' | 'gateway-api';
  /** The Gateway HTTPRoutes attach to; required for gateway-api. @default none */
  readonly gateway?: GatewayRef;
}

export interface RingProps {
  readonly name: string;
  readonly namespace: string;
  /** Middle label of the ring's tenant hosts: `<tenant>.<segment>.<domain>`. */
  readonly hostnameSegment: string;
  readonly domain: string;
  readonly home: RingHomeProps;
  /** The components the ring runs, e.g. `octaneComponents({...})` (./presets/octane). */
  readonly workload: readonly ComponentSpec[];
  /**
   * The component the tenant hosts route to: its Service backs the ring's Ingress (or HTTPRoute). It
   * must have a port. A ring with hosts and no such component is refused, never left without routes.
   * @default the one component with `reachableFrom.ingressController`
   */
  readonly entry?: string;
  /** @default the name */
  readonly displayName?: string;
  /** @default "" */
  readonly description?: string;
  /** `app.kubernetes.io/part-of`. @default DEFAULT_PART_OF ("platform") */
  readonly partOf?: string;
  /** Registry that owns the ring, written on its Namespace. @default "cdk8s-rings" */
  readonly registry?: string;
  /** The default ring also answers `*.<domain>`. @default false */
  readonly isDefault?: boolean;
  /** Tenants routed to this ring. @default [] */
  readonly tenants?: readonly string[];
  /** Module alias → pinned version, or `{ version, sha256 }` (AutoCom's lock form). @default {} */
  readonly lock?: LockPins;
  /** Top-level metadata of an AutoCom lock file, kept in the file pods read. @default {} (flat form unless a pin has a sha256) */
  readonly lockMetadata?: Readonly<Record<string, unknown>>;
  /**
   * The content-addressed ConfigMaps (`ring-config-<hash>`, `module-lock-<hash>`) of the previous
   * synth, as read from its output: the one the pods read there is kept, immutable, next to a new
   * one, for pods of an in-flight rollout and `kubectl rollout undo`; older ones are pruned.
   * @default [] (nothing kept)
   */
  readonly previousConfigMaps?: readonly PriorConfigMap[];
  /** Where pods find the lock. @default DEFAULT_LOCK_MOUNT_DIR ("/etc/rings") */
  readonly lockMountDir?: string;
  /** Non-secret settings for the ring ConfigMap. @default {} */
  readonly appSettings?: Readonly<Record<string, string>>;
  /** The database the ring's pods reach (DB_HOST and DB_PORT in the ring ConfigMap). @default none (no DB_* keys) */
  readonly database?: { readonly host: string; readonly port: number };
  /** Redis (REDIS_HOST and REDIS_PORT in the ring ConfigMap). @default none (no REDIS_* keys) */
  readonly redis?: { readonly host: string; readonly port: number };
  /** @default see RingIngressProps */
  readonly ingress?: RingIngressProps;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** @default 10 */
  readonly quotaMarginPercent?: number;
  /** Workloads outside the ring sharing its namespace (the shared layer, in the home ring). @default [] */
  readonly quotaAlsoCovers?: readonly Footprint[];
  /** @default see RingSecretSyncProps */
  readonly secretSync?: RingSecretSyncProps;
  /** @default see RingTlsProps */
  readonly tls?: RingTlsProps;
  /** @default ingress */
  readonly routing?: RingRoutingProps;
  /** Other rings' tenants this ring serves when a request carries a header. @default [] */
  readonly previews?: readonly TenantPreview[];
  /** Cluster DNS as the NetworkPolicies admit it. @default kube-dns in kube-system, no NodeLocal DNSCache */
  readonly dns?: DnsPeerProps;
}

/** TLS secret names of a ring: `*.<segment>.<domain>` and `*.<domain>`. */
export function ringTlsSecrets(props: RingProps): { segment: string; domain: string } {
  return {
    segment: props.ingress?.segmentTlsSecret ?? `${props.hostnameSegment}-wildcard-tls`,
    domain: props.ingress?.domainTlsSecret ?? 'wildcard-tls',
  };
}

/**
 * Every secret a ring's namespace must hold: what its pods reference (envFrom, secret volumes, pull
 * secrets), its TLS secrets when they are synced rather than issued here, and any extra ones.
 * The single source for `SyncedSecrets` and for the home store's allowed names.
 */
export function ringSecretNeeds(props: RingProps): SyncedSecret[] {
  const out: SyncedSecret[] = [];
  for (const c of props.workload) {
    for (const n of c.envFromSecrets ?? []) out.push({ name: n, type: 'Opaque' });
    for (const m of c.secretMounts ?? []) out.push({ name: m.secret, type: 'Opaque' });
    for (const e of c.secretEnv ?? []) out.push({ name: e.secret, type: 'Opaque' });
  }
  for (const n of props.imagePullSecrets ?? []) out.push({ name: n, type: 'kubernetes.io/dockerconfigjson' });
  if ((props.tls?.mode ?? 'synced') === 'synced') {
    const covers = new Set([...ringHosts(hostsInput(props)), ...(props.tls?.alsoServes ?? [])].map((h) => h.cover));
    const tls = ringTlsSecrets(props);
    if (covers.has('segment')) out.push({ name: tls.segment, type: 'kubernetes.io/tls', dnsNames: [`*.${props.hostnameSegment}.${props.domain}`] });
    if (covers.has('domain')) out.push({ name: tls.domain, type: 'kubernetes.io/tls', dnsNames: [`*.${props.domain}`] });
  }
  out.push(...(props.secretSync?.extra ?? []));
  return normalizeSecrets(out);
}

/**
 * The component the ring's tenant hosts route to (`entry`, else the one reachable from the ingress
 * controller). Throws when the ring has hosts and nothing can receive them.
 */
export function entryComponent(props: Pick<RingProps, 'name' | 'workload' | 'entry'>, hasHosts: boolean): ComponentSpec | undefined {
  const fix = 'set entry to a component with a port (or mark one reachableFrom.ingressController)';
  if (props.entry !== undefined) {
    const c = props.workload.find((w) => w.name === props.entry);
    if (!c) throw new Error(`ring ${props.name}: entry "${props.entry}" is not one of its components (${props.workload.map((w) => w.name).join(', ') || 'none'}); ${fix}`);
    if (!c.port) throw new Error(`ring ${props.name}: entry "${props.entry}" has no port, so it cannot receive the tenant hosts; ${fix}`);
    return c;
  }
  const reachable = props.workload.filter((w) => w.reachableFrom?.ingressController && w.port);
  if (reachable.length > 1) throw new Error(`ring ${props.name}: ${reachable.map((c) => c.name).join(', ')} are all reachable from the ingress controller; set entry to the one the tenant hosts route to`);
  if (reachable.length === 0 && hasHosts) throw new Error(`ring ${props.name}: its tenant hosts have no component to route to; ${fix}`);
  return reachable[0];
}

function hostsInput(props: RingProps) {
  return { hostnameSegment: props.hostnameSegment, domain: props.domain, tenants: props.tenants ?? [], isDefault: props.isDefault ?? false };
}

/** Base names of the ring's content-addressed ConfigMaps (the object names carry a content hash). */
export { LOCK_CONFIG_MAP, RING_CONFIG_MAP } from '../src/model/content-address';
/** The lock as a pod reads it: canonical JSON (sorted keys), so key order in git never matters. */
export { lockFileText } from '../src/model/lock';

/** The ring ConfigMap's data; exported so callers can compute checksums and summaries. */
export function ringConfigData(props: RingProps): Record<string, string> {
  const lockDir = (props.lockMountDir ?? DEFAULT_LOCK_MOUNT_DIR).replace(/\/+$/, '');
  const data: Record<string, string> = {};
  const settings = props.appSettings ?? {};
  for (const k of Object.keys(settings).sort()) data[k] = settings[k];
  Object.assign(data, {
    RING_NAME: props.name,
    MODULE_LOCK_PATH: `${lockDir}/${props.name}.lock.json`,
    ...(props.database ? { DB_HOST: props.database.host, DB_PORT: String(props.database.port) } : {}),
    ...(props.redis ? { REDIS_HOST: props.redis.host, REDIS_PORT: String(props.redis.port) } : {}),
  });
  return Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
}

export class Ring extends Chart {
  public readonly isHome: boolean;
  public readonly hosts: readonly HostClaim[];
  public readonly quota: RingQuota;
  public readonly lockChecksum: string;
  /** `ring-config-<hash>`: the immutable ring ConfigMap the pods read. */
  public readonly ringConfigMapName: string;
  /** `module-lock-<hash>`: the immutable lock ConfigMap the pods mount. */
  public readonly lockConfigMapName: string;

  constructor(scope: Construct, id: string, props: RingProps) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const [what, v] of [['name', props.name], ['namespace', props.namespace], ['hostnameSegment', props.hostnameSegment]] as const) {
      if (!isDnsLabel(v)) throw new Error(`ring ${what} "${v}" is not a DNS label; use lower-case letters, digits and '-', at most 63 characters`);
    }
    this.isHome = !props.home.remote && props.namespace === props.home.namespace;
    const partOf = props.partOf ?? DEFAULT_PART_OF;
    const labels = (name: string, component?: string) => standardLabels({ name, partOf, component, ring: props.name });
    const lock = props.lock ?? {};
    const lockDir = (props.lockMountDir ?? DEFAULT_LOCK_MOUNT_DIR).replace(/\/+$/, '');
    const lockText = lockFileText(lock, props.lockMetadata);
    this.lockChecksum = sha256(lockText);
    const routing = props.routing?.mode ?? 'ingress';
    if (routing === 'gateway-api' && !props.routing?.gateway) throw new Error(`ring ${props.name}: gateway-api routing needs routing.gateway (the Gateway's name and namespace)`);
    const syncMode = props.secretSync?.mode ?? 'none';
    const needs = ringSecretNeeds(props);
    // What nothing in this chart synchronises: the originals (home ring), everything in mode "none",
    // typed secrets under Reflector (an empty mirror of those types is invalid). Listed on the Namespace.
    const operatorProvided = needs.filter((s) => this.isHome || syncMode === 'none' || (syncMode === 'reflector' && s.type !== 'Opaque'));
    const operatorTls = operatorProvided.filter((s) => s.type === 'kubernetes.io/tls' && s.dnsNames?.length);

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.namespace,
        labels: {
          ...labels(props.namespace, 'ring'),
          // The shared layer admits ring pods from every namespace with this label.
          [RING_NAMESPACE_LABEL]: partOf,
          ...(routing === 'gateway-api' ? { [GATEWAY_ACCESS_LABEL]: 'true' } : {}),
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
          ...(operatorProvided.length ? { [OPERATOR_SECRETS_ANNOTATION]: operatorProvided.map((s) => s.name).join(',') } : {}),
          // What each hand-made TLS secret must cover, so the coverage check can read it from the output.
          ...(operatorTls.length ? { [OPERATOR_TLS_ANNOTATION]: operatorTls.map((s) => `${s.name}=${s.dnsNames!.join(' ')}`).join(',') } : {}),
        },
      },
    });

    // Immutable and content-addressed: a change is a new object the new pod template names, so a
    // running pod (or a container restarted in it) never reads content it did not start with.
    const configData = ringConfigData(props);
    const lockData = { [`${props.name}.lock.json`]: lockText };
    this.ringConfigMapName = contentAddressedName(RING_CONFIG_MAP, configData);
    this.lockConfigMapName = contentAddressedName(LOCK_CONFIG_MAP, lockData);
    const prior = props.previousConfigMaps ?? [];
    for (const [base, name, data] of [
      [RING_CONFIG_MAP, this.ringConfigMapName, configData],
      [LOCK_CONFIG_MAP, this.lockConfigMapName, lockData],
    ] as const) {
      new k8s.KubeConfigMap(this, base, {
        metadata: { name, namespace: props.namespace, labels: labels(base, 'config') },
        immutable: true,
        data,
      });
      for (const kept of retainedConfigMaps(base, prior, name)) {
        new k8s.KubeConfigMap(this, `${base}-previous`, {
          metadata: {
            name: kept.name,
            namespace: props.namespace,
            labels: labels(base, 'config'),
            annotations: { [RETAINED_ANNOTATION]: `previous version of ${base}, kept for pods of an in-flight rollout and rollout undo; pruned after the next change` },
          },
          immutable: true,
          data: { ...kept.data },
        });
      }
    }

    // Checksums on the pod templates: a promotion changes this ring's lock checksum and rolls
    // exactly this ring's api and horizon; nothing else's template changes.
    const podAnnotations = {
      [`${ANNOTATION_PREFIX}/lock-checksum`]: this.lockChecksum,
      [`${ANNOTATION_PREFIX}/config-checksum`]: sha256(canonicalJson(configData)),
    };
    const components = props.workload.map((c) => {
      const mountsLock = c.configMounts?.some((m) => m.configMap === LOCK_CONFIG_MAP);
      const envFromConfigMaps = c.envFromConfigMaps?.map((n) => (n === RING_CONFIG_MAP ? this.ringConfigMapName : n));
      const mountsNginx = c.configMounts?.some((m) => m.configMap === NGINX_CONFIG_MAP);
      const extra: Record<string, string> = mountsLock ? podAnnotations : {};
      if (mountsNginx) extra[`${ANNOTATION_PREFIX}/nginx-config-checksum`] = sha256(this.nginxConfigText(props));
      const configMounts = c.configMounts?.map((m) => (m.configMap === LOCK_CONFIG_MAP ? { ...m, configMap: this.lockConfigMapName, mountPath: lockDir } : m));
      const readsSecrets = [...new Set([...(c.envFromSecrets ?? []), ...(c.secretMounts ?? []).map((m) => m.secret), ...(c.secretEnv ?? []).map((e) => e.secret)])].sort();
      const annotations =
        readsSecrets.length && props.secretSync?.restartOnRotation === 'reloader'
          ? { ...(c.annotations ?? {}), [RELOADER_SECRETS_ANNOTATION]: readsSecrets.join(',') }
          : c.annotations;
      return { ...c, ...(envFromConfigMaps ? { envFromConfigMaps } : {}), configMounts, annotations, podAnnotations: { ...(c.podAnnotations ?? {}), ...extra } };
    });
    if (components.some((c) => c.configMounts?.some((m) => m.configMap === NGINX_CONFIG_MAP))) {
      new k8s.KubeConfigMap(this, NGINX_CONFIG_MAP, {
        metadata: { name: NGINX_CONFIG_MAP, namespace: props.namespace, labels: labels(NGINX_CONFIG_MAP, 'config') },
        data: { 'default.conf': this.nginxConfigText(props) },
      });
    }

    new PerRingWorkload(this, 'workload', {
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
        ...(props.home.remote ? { remote: true } : {}),
      });
    }

    if (!this.isHome && syncMode !== 'none') {
      new SyncedSecrets(this, 'secrets', {
        namespace: props.namespace,
        homeNamespace: props.home.namespace,
        secrets: needs,
        mode: syncMode,
        labels: labels('home-secrets', 'secrets'),
        storeName: props.secretSync?.storeName,
        refreshInterval: props.secretSync?.refreshInterval,
        ...(props.home.remote ? { remote: true } : {}),
      });
    }

    this.hosts = ringHosts(hostsInput(props));
    const tls = ringTlsSecrets(props);
    const entry = entryComponent(props, this.hosts.length > 0);
    const servesHttp = entry !== undefined;
    const backend = entry && { service: entry.name, port: entry.servicePort ?? entry.port! };
    const tlsHosts = [...(servesHttp ? this.hosts : []), ...(props.tls?.alsoServes ?? [])];
    if (props.tls?.mode === 'cert-manager') {
      new RingCertificates(this, 'certificates', {
        namespace: props.namespace,
        hostnameSegment: props.hostnameSegment,
        domain: props.domain,
        hosts: tlsHosts,
        segmentTlsSecret: tls.segment,
        domainTlsSecret: tls.domain,
        issuer: props.tls.issuer,
        labels: labels('wildcard-certificates', 'tls'),
      });
    }
    const previews = servesHttp ? (props.previews ?? []) : [];
    if (routing === 'gateway-api') {
      const gateway = props.routing!.gateway!;
      if (this.hosts.length && servesHttp) {
        new TenantRoutes(this, 'routes', { namespace: props.namespace, hosts: this.hosts, labels: labels('tenants', 'routes'), gateway, shards: props.ingress?.shards, backend });
      }
      if (previews.length) new PreviewRoutes(this, 'preview-routes', { namespace: props.namespace, previews, labels: labels('previews', 'routes'), gateway, backend });
      // The Gateway terminates TLS with this namespace's wildcard secrets: let it read exactly those.
      const covers = new Set(tlsHosts.map((h) => h.cover));
      new GatewayTlsGrant(this, 'gateway-tls', {
        namespace: props.namespace,
        gateway,
        secretNames: [...(covers.has('segment') ? [tls.segment] : []), ...(covers.has('domain') ? [tls.domain] : [])],
        labels: labels('gateway-tls', 'routes'),
      });
    } else {
      if (this.hosts.length && servesHttp) {
        new TenantIngress(this, 'ingress', {
          namespace: props.namespace,
          hosts: this.hosts,
          labels: labels('tenants', 'ingress'),
          className: props.ingress?.className,
          segmentTlsSecret: tls.segment,
          domainTlsSecret: tls.domain,
          shards: props.ingress?.shards,
          backend,
        });
      }
      if (previews.length) new PreviewIngresses(this, 'preview-ingress', { namespace: props.namespace, previews, labels: labels('previews', 'ingress'), className: props.ingress?.className, backend });
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
      ...(props.home.remote ? { remoteSharedServices: true } : {}),
      ingressControllerNamespace: props.ingress?.controllerNamespace,
      ingressController: props.ingress?.controller,
      dns: props.dns,
    });
  }

  private nginxConfigText(props: RingProps): string {
    const api = props.workload.find((c) => c.name === 'api');
    const nginx = props.workload.find((c) => c.name === 'nginx');
    return octaneNginxConfig('api', api?.port ?? DEFAULT_API_PORT, nginx?.port ?? DEFAULT_NGINX_PORT);
  }
}
