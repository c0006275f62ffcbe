/**
 * The comparison behind `rings verify`: what the registry says a ring should run (the synthesized
 * objects of its namespace) against what a cluster snapshot shows. Pure: no I/O, no clock; every
 * difference is one Finding.
 */
import { Finding, VerifyCheck } from './findings';
import { ClusterSnapshot, Obj, NamespaceSnapshot } from './snapshot';

/** The annotation prefix of the checksums on pod templates (`rings.cdk8s.io/lock-checksum`, …). */
export const RINGS_ANNOTATION_PREFIX = 'rings.cdk8s.io/';
export const LOCK_CHECKSUM_ANNOTATION = `${RINGS_ANNOTATION_PREFIX}lock-checksum`;
const PREVIEW_ANNOTATION = `${RINGS_ANNOTATION_PREFIX}preview-of`;
const NGINX_CANARY_ANNOTATION = 'nginx.ingress.kubernetes.io/canary';

/** The environment variables every ring pod must resolve to the ring's own values. */
export const RING_ENV = ['RING_NAME', 'MODULE_LOCK_PATH'] as const;

export interface RingExpectation {
  readonly ring: string;
  readonly namespace: string;
  readonly homeNamespace: string;
  /** Every synthesized object in the ring's namespace (for the home ring: its chart and the shared layer). */
  readonly objects: readonly Obj[];
  /** Service names in the home namespace that the aliases of any ring point at. */
  readonly aliasTargets: readonly string[];
}

export interface VerifyOptions {
  /** A pod whose containers restarted more than this many times in total is a finding. */
  readonly maxRestarts: number;
}

/** What the ring was seen running: the non-secret evidence `verify --record` keeps. */
export interface RingObservation {
  /** `rings.cdk8s.io/lock-checksum` values on the live Deployments' pod templates. */
  readonly lockChecksums: readonly string[];
  /** Deployment name → pod-template-hash labels of its running pods. */
  readonly podTemplateHashes: Readonly<Record<string, readonly string[]>>;
}

export const id = (o: Obj): string => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
const byName = (xs: readonly Obj[] | null | undefined, name: string) => (xs ?? []).find((x) => x.metadata?.name === name);
const ofKind = (objs: readonly Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

function templateContainers(t: Obj | undefined): Obj[] {
  return [...(t?.spec?.initContainers ?? []), ...(t?.spec?.containers ?? [])];
}

function podContainers(p: Obj): Obj[] {
  return [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])];
}

/** ConfigMap names a pod template reads (envFrom, env valueFrom, volumes, projected volumes), sorted. */
export function configMapRefs(t: Obj | undefined): string[] {
  const out: string[] = [];
  for (const c of templateContainers(t)) {
    for (const e of c.envFrom ?? []) if (e.configMapRef?.name) out.push(e.configMapRef.name);
    for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef?.name) out.push(e.valueFrom.configMapKeyRef.name);
  }
  for (const v of t?.spec?.volumes ?? []) {
    if (v.configMap?.name) out.push(v.configMap.name);
    for (const s of v.projected?.sources ?? []) if (s.configMap?.name) out.push(s.configMap.name);
  }
  return uniqSorted(out);
}

/** Secret names a pod template or Ingress needs (optional references excluded), sorted. */
export function secretRefs(o: Obj): string[] {
  const out: string[] = [];
  if (o.kind === 'Ingress') for (const t of o.spec?.tls ?? []) if (t.secretName) out.push(t.secretName);
  const t = o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' ? o.spec?.template : o.kind === 'Pod' ? o : undefined;
  if (t) {
    for (const c of templateContainers(t)) {
      for (const e of c.envFrom ?? []) if (e.secretRef?.name && !e.secretRef.optional) out.push(e.secretRef.name);
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name && !e.valueFrom.secretKeyRef.optional) out.push(e.valueFrom.secretKeyRef.name);
    }
    for (const v of t.spec?.volumes ?? []) {
      if (v.secret?.secretName && !v.secret.optional) out.push(v.secret.secretName);
      for (const s of v.projected?.sources ?? []) if (s.secret?.name && !s.secret.optional) out.push(s.secret.name);
    }
    for (const s of t.spec?.imagePullSecrets ?? []) if (s.name) out.push(s.name);
  }
  return uniqSorted(out);
}

export interface ResolvedEnv {
  /** The value, when it comes from a literal or a ConfigMap that exists. */
  readonly value?: string;
  /** Where it came from, for messages: `env`, `ConfigMap ring-config`, `Secret x (not read)`, `unset`. */
  readonly source: string;
}

/**
 * The value a container sees for `key`, as the kubelet resolves it: `env` wins over `envFrom`; within
 * each, a later entry wins. ConfigMaps come from `configmaps`; Secrets are never read.
 */
export function resolveEnv(container: Obj, configmaps: readonly Obj[], key: string): ResolvedEnv {
  const envs = (container.env ?? []).filter((e: Obj) => e.name === key);
  const e = envs[envs.length - 1];
  if (e) {
    if (e.value !== undefined) return { value: String(e.value), source: 'env' };
    const ref = e.valueFrom?.configMapKeyRef;
    if (ref) {
      const cm = byName(configmaps, ref.name);
      if (!cm) return { source: `ConfigMap ${ref.name} (missing)` };
      const v = cm.data?.[ref.key];
      return v === undefined ? { source: `ConfigMap ${ref.name} (no key ${ref.key})` } : { value: v, source: `ConfigMap ${ref.name}` };
    }
    if (e.valueFrom?.secretKeyRef) return { source: `Secret ${e.valueFrom.secretKeyRef.name} (not read)` };
    return { source: 'env (from a field)' };
  }
  let found: ResolvedEnv = { source: 'unset' };
  for (const f of container.envFrom ?? []) {
    const prefix: string = f.prefix ?? '';
    if (!key.startsWith(prefix)) continue;
    const dataKey = key.slice(prefix.length);
    if (f.configMapRef?.name) {
      const cm = byName(configmaps, f.configMapRef.name);
      if (!cm) {
        if (!f.configMapRef.optional) found = { source: `ConfigMap ${f.configMapRef.name} (missing)` };
        continue;
      }
      if (cm.data?.[dataKey] !== undefined) found = { value: cm.data[dataKey], source: `ConfigMap ${f.configMapRef.name}` };
    }
  }
  return found;
}

function selects(selector: Obj | undefined, labels: Obj | undefined): boolean {
  const want = selector?.matchLabels ?? {};
  if (Object.keys(want).length === 0) return false;
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

/** Pods a Deployment owns (by its selector), not terminating. */
function podsOf(d: Obj, pods: readonly Obj[]): Obj[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && selects(d.spec?.selector, p.metadata?.labels)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

function isPrimaryRoute(o: Obj): boolean {
  const a = o.metadata?.annotations ?? {};
  return a[PREVIEW_ANNOTATION] === undefined && a[NGINX_CANARY_ANNOTATION] !== 'true';
}

function routeHosts(o: Obj): string[] {
  if (o.kind === 'Ingress') return uniqSorted((o.spec?.rules ?? []).map((r: Obj) => r.host).filter(Boolean));
  if (o.kind === 'HTTPRoute') return uniqSorted(o.spec?.hostnames ?? []);
  return [];
}

/** `<svc>.<namespace>.svc.<cluster domain>` → [svc, namespace]. */
export function aliasTarget(externalName: string): { service: string; namespace: string } | undefined {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.|$)/.exec(externalName ?? '');
  return m ? { service: m[1], namespace: m[2] } : undefined;
}

function podProblem(p: Obj): string {
  const sched = (p.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched) return `pod ${p.metadata.name} ${p.status?.phase ?? 'Pending'}: ${sched.reason ?? 'Unschedulable'}${sched.message ? ` (${String(sched.message).split('\n')[0]})` : ''}`;
  const waiting = (p.status?.containerStatuses ?? []).find((s: Obj) => s.state?.waiting);
  if (waiting) return `pod ${p.metadata.name}: container ${waiting.name} waiting: ${waiting.state.waiting.reason ?? 'unknown'}`;
  const notReady = (p.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready' && c.status !== 'True');
  if (notReady) return `pod ${p.metadata.name} ${p.status?.phase ?? ''} and not ready`.replace('  ', ' ');
  return '';
}

export function verifyRing(exp: RingExpectation, snap: ClusterSnapshot, opts: VerifyOptions): { findings: Finding[]; observed: RingObservation } {
  const findings: Finding[] = [];
  const add = (check: VerifyCheck, object: string, message: string) => findings.push({ ring: exp.ring, check, object, message });
  const observed: { lockChecksums: string[]; podTemplateHashes: Record<string, string[]> } = { lockChecksums: [], podTemplateHashes: {} };
  const live: NamespaceSnapshot | undefined = snap.namespaces[exp.namespace];
  if (!live) {
    add('deployment', `Namespace ${exp.namespace}`, 'missing: nothing of the ring runs (apply dist/)');
    return { findings, observed };
  }
  const expectedConfigMaps = ofKind(exp.objects, 'ConfigMap');

  // Deployments: present, rolled out, scaled, running the template dist/ has, healthy pods, ring env.
  for (const d of ofKind(exp.objects, 'Deployment')) {
    const name = d.metadata.name;
    const key = id(d);
    const l = byName(live.deployments, name);
    if (!l) {
      add('deployment', key, 'missing');
      continue;
    }
    const hpa = ofKind(exp.objects, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === name);
    const liveReplicas: number = l.spec?.replicas ?? 1;
    const st = l.status ?? {};
    if (d.spec?.replicas !== undefined && liveReplicas !== d.spec.replicas) add('replicas', key, `spec.replicas is ${liveReplicas}, dist/ has ${d.spec.replicas}`);
    if (hpa && liveReplicas < (hpa.spec.minReplicas ?? 1)) add('replicas', key, `spec.replicas is ${liveReplicas}, below its autoscaler's minimum ${hpa.spec.minReplicas ?? 1}`);
    const want: number = d.spec?.replicas ?? Math.max(liveReplicas, hpa?.spec?.minReplicas ?? 1);
    const ready: number = st.readyReplicas ?? 0;
    if (ready < want) add('replicas', key, `${ready} of ${want} replicas ready`);

    const pods = podsOf(l, live.pods);
    const rolledOut =
      (st.observedGeneration ?? 0) >= (l.metadata?.generation ?? 0) &&
      (st.updatedReplicas ?? 0) === liveReplicas &&
      (st.replicas ?? 0) === liveReplicas &&
      (st.availableReplicas ?? 0) >= liveReplicas;
    if (!rolledOut) {
      const progressing = (st.conditions ?? []).find((c: Obj) => c.type === 'Progressing');
      const stuck = progressing?.reason === 'ProgressDeadlineExceeded' ? ' (progress deadline exceeded)' : '';
      const old = (st.replicas ?? 0) - (st.updatedReplicas ?? 0);
      const why = pods.map(podProblem).filter(Boolean)[0];
      add(
        'rollout',
        key,
        `rollout incomplete${stuck}: ${st.updatedReplicas ?? 0} of ${liveReplicas} replicas updated, ${st.availableReplicas ?? 0} available${old > 0 ? `, ${old} old` : ''}${why ? `; ${why}` : ''}`,
      );
    }

    // The pod template dist/ has now: images, ConfigMaps, rings.cdk8s.io/ checksums.
    const et = d.spec?.template;
    const lt = l.spec?.template;
    const ec = new Map(templateContainers(et).map((c) => [c.name as string, c]));
    const lc = new Map(templateContainers(lt).map((c) => [c.name as string, c]));
    for (const [cname, c] of ec) {
      const lcn = lc.get(cname);
      if (!lcn) add('template', key, `container ${cname} missing from the pod template`);
      else if (lcn.image !== c.image) add('template', key, `container ${cname} runs image ${lcn.image}, dist/ has ${c.image}`);
    }
    for (const cname of lc.keys()) if (!ec.has(cname)) add('template', key, `container ${cname} is not in dist/`);
    const eRefs = configMapRefs(et);
    const lRefs = configMapRefs(lt);
    if (eRefs.join() !== lRefs.join()) add('template', key, `pod template reads ConfigMaps ${lRefs.join(', ') || '(none)'}, dist/ has ${eRefs.join(', ') || '(none)'}`);
    const ea = et?.metadata?.annotations ?? {};
    const la = lt?.metadata?.annotations ?? {};
    for (const k of uniqSorted([...Object.keys(ea), ...Object.keys(la)].filter((k) => k.startsWith(RINGS_ANNOTATION_PREFIX)))) {
      if (ea[k] !== la[k]) add('template', key, `pod template annotation ${k} is ${la[k] ?? '(unset)'}, dist/ has ${ea[k] ?? '(unset)'}`);
    }
    if (la[LOCK_CHECKSUM_ANNOTATION]) observed.lockChecksums.push(la[LOCK_CHECKSUM_ANNOTATION]);
    observed.podTemplateHashes[name] = uniqSorted(pods.map((p) => p.metadata?.labels?.['pod-template-hash']).filter(Boolean));

    // Pods: restarts, crash loops, and the ring's own RING_NAME / MODULE_LOCK_PATH.
    for (const p of pods) {
      const pk = `Pod ${exp.namespace}/${p.metadata.name}`;
      const statuses: Obj[] = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
      const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      const looping = statuses.filter((s) => s.state?.waiting?.reason === 'CrashLoopBackOff').map((s) => s.name);
      if (looping.length) add('restarts', pk, `CrashLoopBackOff in ${looping.join(', ')} (${restarts} restarts)`);
      else if (restarts > opts.maxRestarts) add('restarts', pk, `restarted ${restarts} times (at most ${opts.maxRestarts} allowed, --max-restarts)`);
      const pc = new Map(podContainers(p).map((c) => [c.name as string, c]));
      for (const [cname, c] of ec) {
        const podC = pc.get(cname);
        if (!podC) continue;
        for (const k of RING_ENV) {
          const want = resolveEnv(c, expectedConfigMaps, k);
          if (want.value === undefined) continue;
          const got = resolveEnv(podC, live.configmaps, k);
          if (got.value !== want.value) {
            add('ring-env', pk, `container ${cname}: ${k} is ${got.value === undefined ? `unresolved (${got.source})` : `${JSON.stringify(got.value)} (from ${got.source})`}, expected ${JSON.stringify(want.value)}`);
          }
        }
      }
    }
  }

  // Routing: each host of the ring's own routes is served by that route, and by no other in the cluster.
  const liveRoutes = [...snap.ingresses, ...(snap.httproutes ?? [])].filter(isPrimaryRoute);
  for (const r of [...ofKind(exp.objects, 'Ingress'), ...ofKind(exp.objects, 'HTTPRoute')].filter(isPrimaryRoute)) {
    const key = id(r);
    if (r.kind === 'HTTPRoute' && snap.httproutes === null) {
      add('routing', key, 'the cluster does not serve HTTPRoute (Gateway API CRDs not installed)');
      continue;
    }
    const mine = liveRoutes.find((x) => x.kind === r.kind && x.metadata?.namespace === exp.namespace && x.metadata?.name === r.metadata.name);
    if (!mine) {
      add('routing', key, `missing: its hosts ${routeHosts(r).join(', ')} are not served by this ring`);
      continue;
    }
    const served = new Set(routeHosts(mine));
    for (const h of routeHosts(r)) {
      if (!served.has(h)) add('routing', key, `host ${h} is not served by it`);
      const others = liveRoutes.filter((x) => x !== mine && routeHosts(x).includes(h)).map(id).sort();
      if (others.length) add('routing', key, `host ${h} is also served by ${others.join(', ')}`);
    }
  }

  // Aliases: the ExternalName Services exist and their targets exist in the home namespace.
  const home = snap.namespaces[exp.homeNamespace];
  const homeService = (svc: string) => byName(home?.services, svc) !== undefined;
  for (const s of ofKind(exp.objects, 'Service').filter((x) => x.spec?.type === 'ExternalName')) {
    const key = id(s);
    const l = byName(live.services, s.metadata.name);
    if (!l) add('alias', key, `missing (dist/ points it at ${s.spec.externalName})`);
    else if (l.spec?.externalName !== s.spec.externalName) add('alias', key, `points at ${l.spec?.externalName ?? '(not an ExternalName Service)'}, dist/ has ${s.spec.externalName}`);
    const t = aliasTarget(s.spec.externalName);
    if (t && t.namespace === exp.homeNamespace && !homeService(t.service)) add('alias', key, `target Service ${t.namespace}/${t.service} does not exist`);
  }
  if (exp.namespace === exp.homeNamespace) {
    for (const svc of exp.aliasTargets) {
      if (!homeService(svc)) add('alias', `Service ${exp.homeNamespace}/${svc}`, 'missing: the aliases of the other rings point at it (an operator or a person creates it, not dist/)');
    }
  }

  // Secrets: every one the ring references exists (names only), and External Secrets report Ready.
  const referencedBy = new Map<string, string[]>();
  for (const o of exp.objects) for (const s of secretRefs(o)) referencedBy.set(s, [...(referencedBy.get(s) ?? []), id(o)]);
  const liveSecrets = new Set(live.secrets);
  for (const [s, users] of [...referencedBy].sort(([a], [b]) => a.localeCompare(b))) {
    if (!liveSecrets.has(s)) add('secret', `Secret ${exp.namespace}/${s}`, `missing (referenced by ${users.sort().join(', ')})`);
  }
  for (const es of ofKind(exp.objects, 'ExternalSecret')) {
    const key = id(es);
    if (live.externalsecrets === null) {
      add('external-secret', key, 'the cluster does not serve ExternalSecret (External Secrets Operator CRDs not installed)');
      continue;
    }
    const l = byName(live.externalsecrets, es.metadata.name);
    if (!l) {
      add('external-secret', key, 'missing');
      continue;
    }
    const ready = (l.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
    if (ready?.status !== 'True') {
      add('external-secret', key, ready ? `not Ready: ${ready.reason ?? ''}${ready.message ? `: ${String(ready.message).split('\n')[0]}` : ''}` : 'not Ready: no Ready condition yet (is the External Secrets Operator running?)');
    }
  }

  observed.lockChecksums = uniqSorted(observed.lockChecksums);
  return { findings, observed };
}
