/**
 * A ResourceQuota computed from the workloads it must admit: Σ (2 × replicas + maxSurge) × per-pod
 * requests and limits (HPA max instead of replicas when autoscaled), plus a margin. A rolling update
 * of every Deployment at once therefore fits even while every replaced pod is still terminating
 * (a quota counts terminating pods until their grace period ends; see `peakPods`).
 */
import { Construct } from 'constructs';
import { ComponentSpec, ephemeralStorage, peakPods } from './component';
import * as k8s from './k8s';

export interface Footprint {
  readonly pods: number;
  readonly cpuRequestMillicores: number;
  readonly cpuLimitMillicores: number;
  readonly memoryRequestMib: number;
  readonly memoryLimitMib: number;
  /** `ephemeral-storage`, MiB. @default 0 (an older footprint without it) */
  readonly ephemeralRequestMib?: number;
  /** @default 0 */
  readonly ephemeralLimitMib?: number;
}

/** Resources of all `components` at full surge. */
export function surgeFootprint(components: readonly ComponentSpec[]): Footprint {
  const sum = { pods: 0, cpuRequestMillicores: 0, cpuLimitMillicores: 0, memoryRequestMib: 0, memoryLimitMib: 0, ephemeralRequestMib: 0, ephemeralLimitMib: 0 };
  for (const c of components) {
    const n = peakPods(c);
    sum.pods += n;
    sum.cpuRequestMillicores += n * c.cpuRequestMillicores;
    sum.cpuLimitMillicores += n * c.cpuLimitMillicores;
    sum.memoryRequestMib += n * c.memoryRequestMib;
    sum.memoryLimitMib += n * c.memoryLimitMib;
    const eph = ephemeralStorage(c);
    sum.ephemeralRequestMib += n * eph.requestMib;
    sum.ephemeralLimitMib += n * eph.limitMib;
  }
  return sum;
}

export function addFootprints(a: Footprint, b: Footprint): Footprint {
  return {
    pods: a.pods + b.pods,
    cpuRequestMillicores: a.cpuRequestMillicores + b.cpuRequestMillicores,
    cpuLimitMillicores: a.cpuLimitMillicores + b.cpuLimitMillicores,
    memoryRequestMib: a.memoryRequestMib + b.memoryRequestMib,
    memoryLimitMib: a.memoryLimitMib + b.memoryLimitMib,
    ephemeralRequestMib: (a.ephemeralRequestMib ?? 0) + (b.ephemeralRequestMib ?? 0),
    ephemeralLimitMib: (a.ephemeralLimitMib ?? 0) + (b.ephemeralLimitMib ?? 0),
  };
}

/** The footprint with `marginPercent` added, rounded up (cpu to whole millicores, memory to whole MiB). */
export function withMargin(f: Footprint, marginPercent: number): Footprint {
  const up = (n: number) => Math.ceil((n * (100 + marginPercent)) / 100);
  return {
    pods: up(f.pods),
    cpuRequestMillicores: up(f.cpuRequestMillicores),
    cpuLimitMillicores: up(f.cpuLimitMillicores),
    memoryRequestMib: up(f.memoryRequestMib),
    memoryLimitMib: up(f.memoryLimitMib),
    ephemeralRequestMib: up(f.ephemeralRequestMib ?? 0),
    ephemeralLimitMib: up(f.ephemeralLimitMib ?? 0),
  };
}

export interface RingQuotaProps {
  readonly namespace: string;
  readonly components: readonly ComponentSpec[];
  /** Other workloads in the same namespace (the shared layer, in the home ring). @default none */
  readonly alsoCovers?: readonly Footprint[];
  /** @default 10 */
  readonly marginPercent?: number;
  readonly labels: Readonly<Record<string, string>>;
}

export class RingQuota extends Construct {
  public readonly hard: Footprint;

  constructor(scope: Construct, id: string, props: RingQuotaProps) {
    super(scope, id);
    const total = (props.alsoCovers ?? []).reduce(addFootprints, surgeFootprint(props.components));
    this.hard = withMargin(total, props.marginPercent ?? 10);
    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'ring-quota', namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        hard: {
          pods: k8s.Quantity.fromNumber(this.hard.pods),
          'requests.cpu': k8s.Quantity.fromString(`${this.hard.cpuRequestMillicores}m`),
          'limits.cpu': k8s.Quantity.fromString(`${this.hard.cpuLimitMillicores}m`),
          'requests.memory': k8s.Quantity.fromString(`${this.hard.memoryRequestMib}Mi`),
          'limits.memory': k8s.Quantity.fromString(`${this.hard.memoryLimitMib}Mi`),
          'requests.ephemeral-storage': k8s.Quantity.fromString(`${this.hard.ephemeralRequestMib ?? 0}Mi`),
          'limits.ephemeral-storage': k8s.Quantity.fromString(`${this.hard.ephemeralLimitMib ?? 0}Mi`),
        },
      },
    });
  }
}
