/**
 * Pod Security Standards `restricted` (v1.29: baseline plus restricted), as pure functions over a
 * pod spec, for synth: an object changed by a `[[patches]]` entry is refused when its pods would no
 * longer be admitted. The check names follow the upstream evaluator (k8s.io/pod-security-admission),
 * which the conformance gate runs on every output as well; the tests hold both to the same fixtures.
 */

import type { Obj } from '../model/objects';

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const containersOf = (spec: Obj): Obj[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];

/**
 * The `restricted` checks a pod spec fails, one line each: `<check>: <what>` (e.g.
 * `allowPrivilegeEscalation != false: container "api" must set securityContext.allowPrivilegeEscalation=false`).
 * `annotations`: the pod template's (AppArmor). Empty when the pod would be admitted.
 */
export function restrictedViolations(spec: Obj, annotations: Obj = {}): string[] {
  const out: string[] = [];
  const add = (check: string, what: string) => out.push(`${check}: ${what}`);
  const containers = containersOf(spec);
  const psc: Obj = spec.securityContext ?? {};
  const named = (cs: Obj[]) => cs.map((c) => `"${c.name}"`).join(', ');

  // baseline
  const hostNs = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true);
  if (hostNs.length) add('host namespaces', `${hostNs.map((k) => `${k}=true`).join(', ')}`);
  const privileged = containers.filter((c) => c.securityContext?.privileged === true);
  if (privileged.length) add('privileged', `containers ${named(privileged)} must not set securityContext.privileged=true`);
  const hostPath = (spec.volumes ?? []).filter((v: Obj) => v.hostPath);
  if (hostPath.length) add('hostPath volumes', `volumes ${hostPath.map((v: Obj) => `"${v.name}"`).join(', ')}`);
  const hostPorts = containers.filter((c) => (c.ports ?? []).some((p: Obj) => p.hostPort));
  if (hostPorts.length) add('hostPort', `containers ${named(hostPorts)} use hostPort`);
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !String(v).startsWith('localhost/')) add('appArmorProfile', `annotation ${k}="${v}"`);
  }
  const seLinux = [psc.seLinuxOptions, ...containers.map((c) => c.securityContext?.seLinuxOptions)].filter(Boolean);
  if (seLinux.some((o: Obj) => !SELINUX_TYPES.has(o.type ?? '') || o.user || o.role)) add('seLinuxOptions', 'forbidden seLinuxOptions type, user or role');
  const procMount = containers.filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default');
  if (procMount.length) add('procMount', `containers ${named(procMount)} must not set securityContext.procMount`);
  const sysctls = (psc.sysctls ?? []).filter((s: Obj) => !SAFE_SYSCTLS.has(s.name));
  if (sysctls.length) add('forbidden sysctls', sysctls.map((s: Obj) => s.name).join(', '));

  // restricted
  const badVolumes = (spec.volumes ?? []).filter((v: Obj) => !Object.keys(v).some((k) => RESTRICTED_VOLUMES.includes(k)));
  if (badVolumes.length) add('restricted volume types', `volumes ${badVolumes.map((v: Obj) => `"${v.name}"`).join(', ')} use a type other than ${RESTRICTED_VOLUMES.join(', ')}`);
  const escalating = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (escalating.length) add('allowPrivilegeEscalation != false', `containers ${named(escalating)} must set securityContext.allowPrivilegeEscalation=false`);
  const podNonRoot = psc.runAsNonRoot === true;
  const rootAllowed = containers.filter((c) => (c.securityContext?.runAsNonRoot ?? (podNonRoot ? true : undefined)) !== true);
  if (rootAllowed.length) add('runAsNonRoot != true', `pod or containers ${named(rootAllowed)} must set securityContext.runAsNonRoot=true`);
  const rootUser = psc.runAsUser === 0 || containers.some((c) => c.securityContext?.runAsUser === 0);
  if (rootUser) add('runAsUser=0', 'pod or container must not set runAsUser=0');
  const okSeccomp = (p: Obj | undefined) => p && (p.type === 'RuntimeDefault' || p.type === 'Localhost');
  const podSeccomp = psc.seccompProfile;
  if (podSeccomp && !okSeccomp(podSeccomp)) add('seccompProfile', `pod must not set securityContext.seccompProfile.type to "${podSeccomp.type}"`);
  const noSeccomp = containers.filter((c) => (c.securityContext?.seccompProfile ? !okSeccomp(c.securityContext.seccompProfile) : !okSeccomp(podSeccomp)));
  if (noSeccomp.length) add('seccompProfile', `pod or containers ${named(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  const noDrop = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
  const adding = containers.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE'));
  if (noDrop.length || adding.length) {
    const parts = [
      ...(noDrop.length ? [`containers ${named(noDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
      ...(adding.length ? [`containers ${named(adding)} must not include capabilities other than NET_BIND_SERVICE in securityContext.capabilities.add`] : []),
    ];
    add('unrestricted capabilities', parts.join('; '));
  }
  return out;
}

/** The pod template of a workload object (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod), or undefined. */
export function podTemplateOf(o: Obj): { spec: Obj; annotations: Obj } | undefined {
  if (o?.kind === 'Pod') return o.spec ? { spec: o.spec, annotations: o.metadata?.annotations ?? {} } : undefined;
  const t = o?.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'].includes(o?.kind) ? o.spec?.template : undefined;
  return t?.spec ? { spec: t.spec, annotations: t.metadata?.annotations ?? {} } : undefined;
}
