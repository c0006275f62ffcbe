/**
 * The components a ring runs on a platform of any components (`preset = "none"`): one ComponentSpec per
 * `[components.<name>]` table, with the ring's replicas, image pin and overrides. The entry receives the
 * tenant hosts (reachable from the ingress controller) and takes the ring's `[hpa]`.
 */
import type { ComponentSpec, ProbeSpec } from '../../constructs';
import type { RingImages } from '../model/images';
import type { ComponentsPlatformFile, ComponentsRingFile, ComponentTable } from '../registry/schema/presets';
import { hatchesOf, mergeComponent } from './component-tables';

export interface DeclaredComponentsContext {
  /** Secret env of every component (REDIS_PASSWORD when the registry has a redis). */
  readonly secretEnv: ComponentSpec['secretEnv'];
}

export function declaredComponents(p: ComponentsPlatformFile, r: ComponentsRingFile, images: RingImages, ctx: DeclaredComponentsContext): ComponentSpec[] {
  const names = Object.keys(p.components).sort();
  return names.map((name): ComponentSpec => {
    const c = mergeComponent(p.components[name], r.components?.[name] as Partial<ComponentTable> | undefined);
    const isEntry = name === p.entry;
    // reachable_from is declared on the callee; the caller's egress follows from it.
    const callees = names.filter((other) => other !== name && p.components[other].reachable_from.includes(name));
    const secretMounts = p.secrets.mounts.map((m) => ({ secret: m.name, mountPath: m.mount_path })).sort((a, b) => a.secret.localeCompare(b.secret));
    return {
      ...hatchesOf(c),
      name,
      image: images[name],
      replicas: r.replicas[name],
      ...(c.port !== undefined ? { port: c.port, ...(c.service_port !== undefined ? { servicePort: c.service_port } : {}) } : {}),
      cpuRequestMillicores: c.cpu_request_millicores,
      cpuLimitMillicores: c.cpu_limit_millicores,
      memoryRequestMib: c.memory_request_mib,
      memoryLimitMib: c.memory_limit_mib,
      probe: probeOf(c),
      runAsUser: c.run_as_user,
      writablePaths: c.writable_paths,
      initDirectories: c.init_dirs ?? [],
      ...(c.command ? { command: c.command } : {}),
      ...(c.args ? { args: c.args } : {}),
      envFromConfigMaps: ['ring-config'],
      envFromSecrets: [...p.secrets.env_from].sort(),
      ...(secretMounts.length ? { secretMounts } : {}),
      configMounts: [{ configMap: 'module-lock', mountPath: p.lock_mount_dir }],
      ...(ctx.secretEnv?.length ? { secretEnv: ctx.secretEnv } : {}),
      terminationGracePeriodSeconds: c.termination_grace_seconds,
      ...(isEntry && r.hpa ? { hpa: { min: r.hpa.min, max: r.hpa.max, cpuUtilizationPercent: r.hpa.cpu_utilization_percent } } : {}),
      reachableFrom: { ...(isEntry ? { ingressController: true } : {}), ...(c.reachable_from.length ? { components: [...c.reachable_from].sort() } : {}) },
      reaches: { ...(callees.length ? { components: callees } : {}), sharedServices: true, internetPorts: p.egress_ports },
    };
  });
}

/** probe_command → exec; probe_path → an HTTP GET on the port; else a TCP connect on the port. */
function probeOf(c: ComponentTable): ProbeSpec {
  if (c.probe_command) return { kind: 'exec', command: c.probe_command };
  if (c.probe_path !== undefined) return { kind: 'http', path: c.probe_path, port: c.port! };
  return { kind: 'tcp', port: c.port! };
}
