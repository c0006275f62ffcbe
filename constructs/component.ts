/**
 * One workload component (api, horizon, nginx, or a shared service): its Deployment, Service,
 * PodDisruptionBudget and HorizontalPodAutoscaler, with every field set explicitly.
 */
import { Construct } from 'constructs';
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
  /** A PodDisruptionBudget (maxUnavailable 1) when the component runs ≥ 2 replicas. @default false */
  readonly disruptionBudget?: boolean;
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
  return steady === 0 ? 0 : 2 * steady + (c.maxSurge ?? 1);
}

/** Replicas in steady state, as the PDB sees it. */
export function minimumReplicas(c: ComponentSpec): number {
  return c.hpa ? c.hpa.min : c.replicas;
}

export function validateComponent(c: ComponentSpec): string[] {
  const errs: string[] = [];
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(c.name) || c.name.length > 63) errs.push(`component name "${c.name}" is not a DNS-1035 label; use lower-case letters, digits and '-'`);
  if (!Number.isInteger(c.replicas) || c.replicas < 0) errs.push(`component ${c.name}: replicas must be a whole number ≥ 0, got ${c.replicas}`);
  if (c.cpuLimitMillicores < c.cpuRequestMillicores) errs.push(`component ${c.name}: cpu limit ${c.cpuLimitMillicores}m is below the request ${c.cpuRequestMillicores}m`);
  if (c.memoryLimitMib < c.memoryRequestMib) errs.push(`component ${c.name}: memory limit ${c.memoryLimitMib}Mi is below the request ${c.memoryRequestMib}Mi`);
  if (c.hpa && (c.hpa.min < 1 || c.hpa.max < c.hpa.min)) errs.push(`component ${c.name}: hpa needs 1 ≤ min ≤ max, got min ${c.hpa.min}, max ${c.hpa.max}`);
  if (/:latest$/.test(c.image) || !/[:@]/.test(c.image.slice(c.image.lastIndexOf('/') + 1))) errs.push(`component ${c.name}: image "${c.image}" is not pinned; use a tag other than latest, or a digest`);
  errs.push(...mountProblems(c));
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
    ...(c.writablePaths ?? ['/tmp']).map((p) => ({ volume: writableVolumeName(p), path: p, what: `writable path "${p}"` })),
    ...(c.configMounts ?? []).map((m) => ({ volume: m.configMap, path: m.mountPath, what: `ConfigMap ${m.configMap} at "${m.mountPath}"` })),
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

/** Adds the component's objects under `scope`, with construct ids `<name>-deployment`, `<name>-service`, `<name>-pdb`, `<name>-hpa`. */
export function addComponent(scope: Construct, c: ComponentSpec, ctx: ComponentContext): void {
  const labels = standardLabels({ name: c.name, partOf: ctx.partOf, component: c.name, ring: ctx.ring });
  const selector = selectorLabels(c.name, ctx.ring);
  const runAsUser = c.runAsUser ?? 1000;
  const writable = c.writablePaths ?? ['/tmp'];
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  for (const p of writable) {
    const name = writableVolumeName(p);
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath: p });
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
  const probes = probesFor(c.probe);
  const container: k8s.Container = {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ...(c.port ? { ports: [{ name: 'http', containerPort: c.port, protocol: 'TCP' }] } : {}),
    ...(envFrom.length ? { envFrom } : {}),
    resources: {
      requests: { cpu: k8s.Quantity.fromString(`${c.cpuRequestMillicores}m`), memory: k8s.Quantity.fromString(`${c.memoryRequestMib}Mi`) },
      limits: { cpu: k8s.Quantity.fromString(`${c.cpuLimitMillicores}m`), memory: k8s.Quantity.fromString(`${c.memoryLimitMib}Mi`) },
    },
    securityContext: restrictedContainerSecurityContext(runAsUser),
    ...probes,
    ...(mounts.length ? { volumeMounts: mounts } : {}),
  };
  const podAnnotations = c.podAnnotations && Object.keys(c.podAnnotations).length ? { annotations: { ...c.podAnnotations } } : {};
  new k8s.KubeDeployment(scope, `${c.name}-deployment`, {
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
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(c.maxSurge ?? 1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
      },
      template: {
        metadata: { labels, ...podAnnotations },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: c.terminationGracePeriodSeconds ?? 30,
          securityContext: restrictedPodSecurityContext(runAsUser),
          ...(ctx.imagePullSecrets?.length ? { imagePullSecrets: ctx.imagePullSecrets.map((name) => ({ name })) } : {}),
          containers: [container],
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  });
  if (c.port) {
    new k8s.KubeService(scope, `${c.name}-service`, {
      metadata: { name: c.name, namespace: ctx.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', port: c.servicePort ?? c.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
  }
  if (c.disruptionBudget && minimumReplicas(c) >= 2) {
    new k8s.KubePodDisruptionBudget(scope, `${c.name}-pdb`, {
      metadata: { name: c.name, namespace: ctx.namespace, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
  }
  if (c.hpa) {
    new k8s.KubeHorizontalPodAutoscalerV2(scope, `${c.name}-hpa`, {
      metadata: { name: c.name, namespace: ctx.namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: c.name },
        minReplicas: c.hpa.min,
        maxReplicas: c.hpa.max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: c.hpa.cpuUtilizationPercent ?? 70 } } }],
      },
    });
  }
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
