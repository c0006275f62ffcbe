/** Reading synthesized objects in tests. */
import { synthesize } from '../../src/render/synth';
import type { RingPlan } from '../../src/resolve/resolve-plan';

export type K8sObject = Record<string, any>;

/** Every object of a plan's output, with the dist file it lands in. */
export function objectsOf(plan: RingPlan): (K8sObject & { __file: string })[] {
  return synthesize(plan).charts.flatMap((c) => c.objects.map((o) => ({ ...o, __file: c.file })));
}

export const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
export const inNs = (objs: K8sObject[], ns: string) => objs.filter((o) => o.metadata?.namespace === ns);
export const named = (objs: K8sObject[], kind: string, ns: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata?.name === name);

export function podSpecs(objs: K8sObject[]): { owner: string; spec: K8sObject; meta: K8sObject }[] {
  return objs
    .filter((o) => o.kind === 'Deployment')
    .map((o) => ({ owner: `${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.template.spec, meta: o.spec.template.metadata }));
}

/** Kubernetes quantities as numbers: cpu in millicores, memory in MiB. */
export function cpuMillis(q: string | number): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}
export function memMib(q: string | number): number {
  const s = String(q);
  const units: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(s);
  if (!m) throw new Error(`unparsed memory quantity ${s}`);
  return m[2] ? Number(m[1]) * units[m[2]] : Number(m[1]) / 1048576;
}
