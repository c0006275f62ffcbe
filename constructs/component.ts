/**
 * One workload component (api, horizon, nginx, or a shared service): its Deployment, Service,
 * PodDisruptionBudget and HorizontalPodAutoscaler, with every field set explicitly.
 */
import { Construct } from 'constructs';
import type { EscapeHatchProp } from '../src/model/escape-hatches';
import * as k8s from './k8s';
import { selectorLabels, standardLabels } from './labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, writableVolumeName } from './security';

/** How the kubelet checks a component. */
export type ProbeSpec =
  | { readonly kind: 'http'; readonly path: string; readonly port: number }
  | { readonly kind: 'tcp'; readonly port: number }
  | { readonly kind: 'exec'; readonly command: readonly string[] };

export interface HpaSpec {
  readonly min: number;
  readonly max: number;
  /** @default 70 */
  readonly cpuUtilizationPercent?: number;
}

/** A ConfigMap mounted read-only into the container. */
export interface ConfigMount {
  readonly configMap: string;
  readonly mountPath: string;
}

/** A Secret mounted read-only. */
export interface SecretMount {
  readonly secret: string;
  readonly mountPath: string;
}

/** Everything that makes one component; plain data, so other repos can describe their own. */
export interface ComponentSpec {
  /** Object name and `app.kubernetes.io/name`; a DNS-1035 label. */
  readonly name: string;
  readonly image: string;
  /** Ignored when `hpa` is set (the autoscaler owns the count). */
  readonly replicas: number;
  /** Container port; a Service is made when set. @default no port, no Service */
  readonly port?: number;
  /** Port the Service exposes. @default `port` */
  readonly servicePort?: number;
  readonly cpuRequestMillicores: number;
  readonly cpuLimitMillicores: number;
  readonly memoryRequestMib: number;
  readonly memoryLimitMib: number;
  readonly probe: ProbeSpec;
  /** @default 1000 */
  readonly runAsUser?: number;
  /** Paths the image writes to; each gets an emptyDir, the root filesystem is read-only. @default ["/tmp"] */
  readonly writablePaths?: readonly string[];
  /** @default the image's entrypoint */
  readonly command?: readonly string[];
  /** @default the image's arguments */
  readonly args?: readonly string[];
  /** ConfigMaps whose keys become environment variables. @default [] */
  readonly envFromConfigMaps?: readonly string[];
  /** Secrets whose keys become environment variables. @default [] */
  readonly envFromSecrets?: readonly string[];
  /** ConfigMaps mounted read-only. @default [] */
  readonly configMounts?: readonly ConfigMount[];
  /** Secrets mounted read-only as files (e.g. Passport keys). @default [] */
  readonly secretMounts?: readonly SecretMount[];
  /** Annotations on the Deployment itself (e.g. Reloader's). @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Annotations on the pod template (checksums that roll the pods when config changes). @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * The PodDisruptionBudget. `true`: `maxUnavailable: 1` when the component runs ≥ 2 replicas (or an
   * HPA minimum ≥ 2); `false` is refused for such a component (every replicated Deployment has a
   * budget). An object: a budget whatever the replica count, with exactly one of its fields (e.g.
   * `{ minAvailable: 1 }` for a single redis that a drain must wait for). Every budget sets
   * `unhealthyPodEvictionPolicy: AlwaysAllow`, so a crash-looping pod never blocks a drain.
   * @default true
   */
  readonly disruptionBudget?: boolean | { readonly minAvailable?: number; readonly maxUnavailable?: number };
  /** `Recreate` stops the old pod before starting the new one (a ReadWriteOnce volume). @default "RollingUpdate" */
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  /** @default no autoscaler */
  readonly hpa?: HpaSpec;
  /** Extra pods a rolling update may start (maxUnavailable is always 0). @default 1 */
  readonly maxSurge?: number;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Who may connect to `port`: the ingress controller and/or other components by name. @default nobody */
  readonly reachableFrom?: { readonly ingressController?: boolean; readonly components?: readonly string[] };
  /** What it connects to: other components by name, the shared services, outside TCP ports. @default nothing but DNS */
  readonly reaches?: { readonly components?: readonly string[]; readonly sharedServices?: boolean; readonly internetPorts?: readonly number[] };
  /** `ephemeral-storage` request of every container of the pod, MiB. @default 256 */
  readonly ephemeralStorageRequestMib?: number;
  /** `ephemeral-storage` limit of every container, MiB; at least the writable paths' size limits together. @default their sum + 512 */
  readonly ephemeralStorageLimitMib?: number;
  /** `sizeLimit` of each writable path's emptyDir, MiB. @default 256 */
  readonly writableSizeLimitMib?: number;
  /** Per writable path, a `sizeLimit` other than `writableSizeLimitMib` (MiB). @default {} */
  readonly writableSizeLimitsMib?: Readonly<Record<string, number>>;
  /**
   * Folders an init container creates (`mkdir -p`, same image and security context) inside the
   * writable paths before the app starts: an emptyDir hides what the image had there (Laravel's
   * `storage/framework/{cache,sessions,views}` and `storage/logs`). Each must lie under a writable path.
   * @default [] (no init container)
   */
  readonly initDirectories?: readonly string[];
  /** ReadWriteOnce PersistentVolumeClaims mounted read-write (made elsewhere). @default [] */
  readonly persistentVolumes?: readonly { readonly claim: string; readonly mountPath: string }[];
  /** Non-secret environment variables (a secret-looking name or value is refused). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment variables read from one key of a Secret each. @default [] */
  readonly secretEnv?: readonly SecretEnv[];
  /** @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** @default none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Node and pod (anti-)affinity, as the Kubernetes API spells it. @default none */
  readonly affinity?: k8s.Affinity;
  /** @default none (the cluster's default priority) */
  readonly priorityClassName?: string;
  /** Extra labels on the Deployment and its pods (never on selectors; the standard keys are refused). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * What the spread constraints (hostname and zone, maxSkew 1, set when the component may run ≥ 2 pods)
   * do when they cannot be met. @default "ScheduleAnyway"
   */
  readonly spreadWhenUnsatisfiable?: 'ScheduleAnyway' | 'DoNotSchedule';
}

/** The escape hatches and bounds a registry or a consumer may set on any component (the list is src/model/escape-hatches.ts). */
export type ComponentOverrides = Pick<ComponentSpec, EscapeHatchProp>;

/** An environment variable read from one key of a Secret. */
export interface SecretEnv {
  readonly name: string;
  readonly secret: string;
  readonly key: string;
}

export { EPHEMERAL_DEFAULTS, RESERVED_LABEL_KEYS } from '../src/model/component-defaults';
import { EPHEMERAL_DEFAULTS } from '../src/model/component-defaults';
import { fieldPath } from '../src/model/field-path';
import { isDns1035Label } from '../src/model/kubernetes-names';
import {
  annotationKeyProblem,
  DEFAULT_WRITABLE_PATHS,
  disruptionBudgetProblems,
  duplicateEnvProblem,
  envNameProblem,
  extraLabelProblem,
  initDirProblem,
  labelEntryProblem,
  mibProblem,
  plainEnvProblem,
  priorityClassProblem,
  requestOverLimitProblem,
  sizeLimitPathProblem,
  spreadProblem,
  writableSizesOverLimitProblem,
} from '../src/model/hardening';

/** Topology keys every replicated component spreads over. */
export const SPREAD_TOPOLOGY_KEYS = ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] as const;


/** The `sizeLimit` of each writable path, MiB. */
export function writableSizes(c: ComponentSpec): { path: string; mib: number }[] {
  return (c.writablePaths ?? DEFAULT_WRITABLE_PATHS).map((p) => ({ path: p, mib: c.writableSizeLimitsMib?.[p] ?? c.writableSizeLimitMib ?? EPHEMERAL_DEFAULTS.writableSizeLimitMib }));
}

/** The container's ephemeral-storage request and limit, MiB (defaults applied). */
export function ephemeralStorage(c: ComponentSpec): { requestMib: number; limitMib: number } {
  const writable = writableSizes(c).reduce((n, w) => n + w.mib, 0);
  return {
    requestMib: c.ephemeralStorageRequestMib ?? EPHEMERAL_DEFAULTS.requestMib,
    limitMib: c.ephemeralStorageLimitMib ?? writable + EPHEMERAL_DEFAULTS.limitHeadroomMib,
  };
}

/** Whether the component may run ≥ 2 pods in steady state (then it spreads). */
export function mayRunSeveral(c: ComponentSpec): boolean {
  return (c.hpa ? c.hpa.max : c.replicas) >= 2;
}

export interface ComponentContext {
  readonly namespace: string;
  readonly partOf: string;
  /** Set for per-ring components; shared components have no ring label. */
  readonly ring?: string;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
}

/**
 * Pods a component may hold at once during a rolling update, as a ResourceQuota counts them:
 * at most replicas + maxSurge pods that are not terminating (the Deployment controller's bound), plus
 * up to `replicas` replaced pods that are still terminating — a quota counts a deleted pod until its
 * grace period is over, and the controller does not wait for that. So 2 × replicas + maxSurge
 * (HPA max instead of replicas when autoscaled).
 */
export function peakPods(c: ComponentSpec): number {
  const steady = c.hpa ? c.hpa.max : c.replicas;
  // Recreate: the controller starts new pods only once every old pod is gone.
  return steady === 0 ? 0 : c.strategy === 'Recreate' ? steady : 2 * steady + (c.maxSurge ?? 1);
}

/** Replicas in steady state, as the PDB sees it. */
export function minimumReplicas(c: ComponentSpec): number {
  return c.hpa ? c.hpa.min : c.replicas;
}

export function validateComponent(c: ComponentSpec): string[] {
  const errs: string[] = [];
  if (!isDns1035Label(c.name)) errs.push(`component name "${c.name}" is not a DNS-1035 label; use lower-case letters, digits and '-'`);
  if (!Number.isInteger(c.replicas) || c.replicas < 0) errs.push(`component ${c.name}: replicas must be a whole number ≥ 0, got ${c.replicas}`);
  if (c.hpa && (c.hpa.min < 1 || c.hpa.max < c.hpa.min)) errs.push(`component ${c.name}: hpa needs 1 ≤ min ≤ max, got min ${c.hpa.min}, max ${c.hpa.max}`);
  if (/:latest$/.test(c.image) || !/[:@]/.test(c.image.slice(c.image.lastIndexOf('/') + 1))) errs.push(`component ${c.name}: image "${c.image}" is not pinned; use a tag other than latest, or a digest`);
  errs.push(...mountProblems(c));
  errs.push(...hardeningProblems(c));
  return errs;
}

/**
 * Resources, ephemeral storage, init folders, budgets, env and the escape hatches: what the API server
 * or the guarantees would refuse. The rules and their wording are src/model/hardening.ts, shared with
 * the registry's rules; each line is `component <name>: <field>: expected …, got …`.
 */
function hardeningProblems(c: ComponentSpec): string[] {
  const errs: string[] = [];
  const add = (field: readonly (string | number)[], message: string | undefined) => {
    if (message !== undefined) errs.push(`component ${c.name}: ${fieldPath(field)}: ${message}`);
  };
  add(['cpuRequestMillicores'], requestOverLimitProblem('cpuLimitMillicores', c.cpuLimitMillicores, c.cpuRequestMillicores));
  add(['memoryRequestMib'], requestOverLimitProblem('memoryLimitMib', c.memoryLimitMib, c.memoryRequestMib));
  const writablePaths = c.writablePaths ?? DEFAULT_WRITABLE_PATHS;
  const sizes = writableSizes(c);
  for (const w of sizes) add(c.writableSizeLimitsMib?.[w.path] !== undefined ? ['writableSizeLimitsMib', w.path] : ['writableSizeLimitMib'], mibProblem(w.mib));
  for (const p of Object.keys(c.writableSizeLimitsMib ?? {})) add(['writableSizeLimitsMib', p], sizeLimitPathProblem(p, writablePaths));
  const eph = ephemeralStorage(c);
  add(['ephemeralStorageRequestMib'], mibProblem(eph.requestMib));
  add(['ephemeralStorageRequestMib'], requestOverLimitProblem('ephemeralStorageLimitMib', eph.limitMib, eph.requestMib));
  add(['ephemeralStorageLimitMib'], writableSizesOverLimitProblem(eph.limitMib, sizes.map((w) => w.mib)));
  (c.initDirectories ?? []).forEach((d, i) => add(['initDirectories', i], initDirProblem(d, writablePaths)));
  for (const p of disruptionBudgetProblems(c.disruptionBudget ?? true, minimumReplicas(c))) add(p.field ? ['disruptionBudget', p.field] : ['disruptionBudget'], p.message);
  const names = new Set<string>();
  for (const [k, v] of Object.entries(c.env ?? {})) {
    add(['env', k], plainEnvProblem(k, v));
    names.add(k);
  }
  (c.secretEnv ?? []).forEach((e, i) => {
    add(['secretEnv', i, 'name'], envNameProblem(e.name) ?? (names.has(e.name) ? duplicateEnvProblem(e.name) : undefined));
    names.add(e.name);
  });
  for (const [k, v] of Object.entries(c.labels ?? {})) add(['labels', k], extraLabelProblem(k, v));
  for (const [k, v] of Object.entries(c.nodeSelector ?? {})) add(['nodeSelector', k], labelEntryProblem(k, v));
  for (const k of Object.keys(c.podAnnotations ?? {})) add(['podAnnotations', k], annotationKeyProblem(k));
  if (c.priorityClassName !== undefined) add(['priorityClassName'], priorityClassProblem(c.priorityClassName));
  if (c.spreadWhenUnsatisfiable !== undefined) add(['spreadWhenUnsatisfiable'], spreadProblem(c.spreadWhenUnsatisfiable));
  return errs;
}

/**
 * The API server rejects a pod whose volumes share a name or whose mounts share a path, so two
 * writable paths that differ only by a trailing slash (or map to the same volume name), or a writable
 * path over a config mount, are refused here, early.
 */
function mountProblems(c: ComponentSpec): string[] {
  const errs: string[] = [];
  const mounts = [
    ...(c.writablePaths ?? DEFAULT_WRITABLE_PATHS).map((p) => ({ volume: writableVolumeName(p), path: p, what: `writable path "${p}"` })),
    ...(c.configMounts ?? []).map((m) => ({ volume: m.configMap, path: m.mountPath, what: `ConfigMap ${m.configMap} at "${m.mountPath}"` })),
    ...(c.persistentVolumes ?? []).map((m) => ({ volume: persistentVolumeName(m.claim), path: m.mountPath, what: `PersistentVolumeClaim ${m.claim} at "${m.mountPath}"` })),
  ];
  const byVolume = new Map<string, string>();
  const byPath = new Map<string, string>();
  for (const m of mounts) {
    const path = m.path.replace(/\/+$/, '') || '/';
    const v = byVolume.get(m.volume);
    const p = byPath.get(path);
    if (p) errs.push(`component ${c.name}: ${m.what} mounts the same folder as ${p}; list each folder once`);
    else if (v) errs.push(`component ${c.name}: ${m.what} gets the volume name ${m.volume}, as ${v} does; rename one of the folders`);
    byVolume.set(m.volume, m.what);
    byPath.set(path, m.what);
  }
  return errs;
}

const persistentVolumeName = (claim: string) => `data-${claim}`.slice(0, 63).replace(/-+$/, '');

/** Name of the init container that recreates the folders the writable emptyDirs hide. */
export const INIT_DIRECTORIES_CONTAINER = 'prepare-writable-paths';

/** A component and where it runs: the spec (flat, as `ComponentSpec` documents each field) and its context. */
export interface ComponentProps extends ComponentSpec, ComponentContext {}

/**
 * One workload of a ring or of the shared layer: a Deployment (construct id `Resource`), a Service when
 * it has a port (`Service`), a PodDisruptionBudget when it runs two or more pods (`Pdb`) and an HPA when
 * asked (`Hpa`). Object names come from `name`, never from construct ids, so a component renders the
 * same objects wherever it sits in the tree. Hardened as `validateComponent` describes: call it first
 * (Ring, SharedLayer and PerRingWorkload do) to get every problem at once.
 */
export class Component extends Construct {
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The ClusterIP Service, when the component has a port. */
  public readonly service?: k8s.KubeService;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id);
    const problems = validateComponent(props);
    if (problems.length) throw new Error(`component ${props.name}: ${problems.join('; ')}`);
    const made = renderComponent(this, props, props);
    this.deployment = made.deployment;
    this.service = made.service;
  }
}

function renderComponent(scope: Construct, c: ComponentSpec, ctx: ComponentContext): { deployment: k8s.KubeDeployment; service?: k8s.KubeService } {
  const labels = { ...(c.labels ?? {}), ...standardLabels({ name: c.name, partOf: ctx.partOf, component: c.name, ring: ctx.ring }) };
  const selector = selectorLabels(c.name, ctx.ring);
  const runAsUser = c.runAsUser ?? 1000;
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  for (const w of writableSizes(c)) {
    const name = writableVolumeName(w.path);
    volumes.push({ name, emptyDir: { sizeLimit: k8s.Quantity.fromString(`${w.mib}Mi`) } });
    mounts.push({ name, mountPath: w.path });
  }
  const writableMounts = [...mounts];
  for (const m of c.persistentVolumes ?? []) {
    const name = persistentVolumeName(m.claim);
    volumes.push({ name, persistentVolumeClaim: { claimName: m.claim } });
    mounts.push({ name, mountPath: m.mountPath });
  }
  for (const m of c.configMounts ?? []) {
    volumes.push({ name: m.configMap, configMap: { name: m.configMap } });
    mounts.push({ name: m.configMap, mountPath: m.mountPath, readOnly: true });
  }
  for (const m of c.secretMounts ?? []) {
    // Owner and group read only: the pod's fsGroup lets the non-root user read the keys.
    const name = `secret-${m.secret}`.slice(0, 63).replace(/-+$/, '');
    volumes.push({ name, secret: { secretName: m.secret, defaultMode: 0o440 } });
    mounts.push({ name, mountPath: m.mountPath, readOnly: true });
  }
  const envFrom: k8s.EnvFromSource[] = [
    ...(c.envFromConfigMaps ?? []).map((name) => ({ configMapRef: { name } })),
    ...(c.envFromSecrets ?? []).map((name) => ({ secretRef: { name } })),
  ];
  const env: k8s.EnvVar[] = [
    ...Object.keys(c.env ?? {}).sort().map((name) => ({ name, value: c.env![name] })),
    ...[...(c.secretEnv ?? [])].sort((a, b) => a.name.localeCompare(b.name)).map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
  ];
  const eph = ephemeralStorage(c);
  const resources: k8s.ResourceRequirements = {
    requests: {
      'cpu': k8s.Quantity.fromString(`${c.cpuRequestMillicores}m`),
      'memory': k8s.Quantity.fromString(`${c.memoryRequestMib}Mi`),
      'ephemeral-storage': k8s.Quantity.fromString(`${eph.requestMib}Mi`),
    },
    limits: {
      'cpu': k8s.Quantity.fromString(`${c.cpuLimitMillicores}m`),
      'memory': k8s.Quantity.fromString(`${c.memoryLimitMib}Mi`),
      'ephemeral-storage': k8s.Quantity.fromString(`${eph.limitMib}Mi`),
    },
  };
  const probes = probesFor(c.probe);
  const container: k8s.Container = {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ...(c.port ? { ports: [{ name: 'http', containerPort: c.port, protocol: 'TCP' }] } : {}),
    ...(env.length ? { env } : {}),
    ...(envFrom.length ? { envFrom } : {}),
    resources,
    securityContext: restrictedContainerSecurityContext(runAsUser),
    ...probes,
    ...(mounts.length ? { volumeMounts: mounts } : {}),
  };
  // Same image, user and resources as the app (so the pod's footprint does not grow); only the writable mounts.
  const initContainers: k8s.Container[] = c.initDirectories?.length
    ? [{
        name: INIT_DIRECTORIES_CONTAINER,
        image: c.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['mkdir', '-p', ...c.initDirectories],
        resources,
        securityContext: restrictedContainerSecurityContext(runAsUser),
        volumeMounts: writableMounts,
      }]
    : [];
  const annotations = { ...(c.podAnnotations ?? {}) };
  const spread = mayRunSeveral(c)
    ? SPREAD_TOPOLOGY_KEYS.map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: c.spreadWhenUnsatisfiable ?? 'ScheduleAnyway',
        labelSelector: { matchLabels: selector },
        // Counted per revision: a rolling update's new pods spread among themselves.
        matchLabelKeys: ['pod-template-hash'],
      }))
    : [];
  const deployment = new k8s.KubeDeployment(scope, 'Resource', {
    metadata: {
      name: c.name,
      namespace: ctx.namespace,
      labels,
      ...(c.annotations && Object.keys(c.annotations).length ? { annotations: { ...c.annotations } } : {}),
    },
    spec: {
      ...(c.hpa ? {} : { replicas: c.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy:
        c.strategy === 'Recreate'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(c.maxSurge ?? 1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: {
        metadata: { labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: c.terminationGracePeriodSeconds ?? 30,
          securityContext: restrictedPodSecurityContext(runAsUser),
          ...(c.priorityClassName ? { priorityClassName: c.priorityClassName } : {}),
          ...(c.nodeSelector && Object.keys(c.nodeSelector).length ? { nodeSelector: { ...c.nodeSelector } } : {}),
          ...(c.tolerations?.length ? { tolerations: c.tolerations.map((t) => ({ ...t })) } : {}),
          ...(c.affinity ? { affinity: c.affinity } : {}),
          ...(spread.length ? { topologySpreadConstraints: spread } : {}),
          ...(ctx.imagePullSecrets?.length ? { imagePullSecrets: ctx.imagePullSecrets.map((name) => ({ name })) } : {}),
          ...(initContainers.length ? { initContainers } : {}),
          containers: [container],
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  });
  let service: k8s.KubeService | undefined;
  if (c.port) {
    service = new k8s.KubeService(scope, 'Service', {
      metadata: { name: c.name, namespace: ctx.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', port: c.servicePort ?? c.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
  }
  const budget = c.disruptionBudget ?? true;
  if (typeof budget === 'object' || (budget && minimumReplicas(c) >= 2)) {
    const limit =
      typeof budget === 'object' && budget.minAvailable !== undefined
        ? { minAvailable: k8s.IntOrString.fromNumber(budget.minAvailable) }
        : { maxUnavailable: k8s.IntOrString.fromNumber(typeof budget === 'object' ? budget.maxUnavailable! : 1) };
    new k8s.KubePodDisruptionBudget(scope, 'Pdb', {
      metadata: { name: c.name, namespace: ctx.namespace, labels },
      spec: { ...limit, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
  }
  if (c.hpa) {
    new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Hpa', {
      metadata: { name: c.name, namespace: ctx.namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: c.name },
        minReplicas: c.hpa.min,
        maxReplicas: c.hpa.max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: c.hpa.cpuUtilizationPercent ?? 70 } } }],
      },
    });
  }
  return { deployment, service };
}

function probesFor(p: ProbeSpec): Pick<k8s.Container, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const handler: Partial<k8s.Probe> =
    p.kind === 'http'
      ? { httpGet: { path: p.path, port: k8s.IntOrString.fromNumber(p.port), scheme: 'HTTP' } }
      : p.kind === 'tcp'
        ? { tcpSocket: { port: k8s.IntOrString.fromNumber(p.port) } }
        : { exec: { command: [...p.command] } };
  return {
    // Octane boots every module's service provider before it answers: allow up to 5 minutes.
    startupProbe: { ...handler, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60, successThreshold: 1 },
    readinessProbe: { ...handler, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 },
    livenessProbe: { ...handler, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
  };
}
