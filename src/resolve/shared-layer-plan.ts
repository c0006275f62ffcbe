/** The shared layer's props: the shared services once in the home namespace, redis, their policies, ring data. */
import type { SharedLayerProps } from '../../constructs';
import type { PriorConfigMap } from '../model/content-address';
import type { Registry } from '../registry/load';
import { componentNames } from '../registry/schema/presets';
import { hatchesOf } from './component-tables';
import type { PlatformContext, ResolveOptions } from './platform-context';
import { ringDataOf } from './ring-data-of';

export function sharedLayerPlan(ctx: PlatformContext, options: ResolveOptions): SharedLayerProps {
  const { reg, p, home, anyRemote, dns, controller, redis, routing } = ctx;
  return {
    routing,
    namespace: home.namespace,
    domain: p.domain,
    partOf: p.name,
    ingressClassName: p.ingress.class,
    domainTlsSecret: p.tls.domain_secret,
    imagePullSecrets: [...p.secrets.image_pull].sort(),
    services: p.shared.services.map((s) => ({
      name: s.name,
      image: s.image,
      port: s.port,
      replicas: s.replicas,
      host: s.host,
      cpuRequestMillicores: s.cpu_request_millicores,
      cpuLimitMillicores: s.cpu_limit_millicores,
      memoryRequestMib: s.memory_request_mib,
      memoryLimitMib: s.memory_limit_mib,
      runAsUser: s.run_as_user,
      writablePaths: s.writable_paths,
      healthPath: s.health_path,
      args: s.args,
      ringDataPath: s.ring_data_path,
      internetPorts: s.egress_ports,
      ...(anyRemote && s.remote_host !== undefined ? { remoteClients: true } : {}),
      ...hatchesOf(s),
    })),
    redis,
    networkPolicies: {
      // The ring components that call the shared services: Octane's api and horizon, or every declared one.
      clients: p.preset === 'none' ? [...componentNames(p)] : ['api', 'horizon'],
      ingressController: controller,
      dns,
      external: p.shared.external.map((e) => ({
        name: e.name,
        port: e.port,
        ...(e.pod_selector && Object.keys(e.pod_selector).length ? { podSelector: e.pod_selector } : {}),
        ...(anyRemote && e.remote_host !== undefined ? { remoteClients: true } : {}),
      })),
    },
    ringData: ringDataProps(reg, options.previousConfigMaps?.get(home.namespace)),
  };

}

/** The shared layer's ring-data ConfigMap, unless `ring_data = false`. */
function ringDataProps(reg: Registry, previous: readonly PriorConfigMap[] | undefined): SharedLayerProps['ringData'] {
  if (!reg.platform.ring_data) return undefined;
  const data = ringDataOf(reg);
  return {
    domain: reg.platform.domain,
    rings: data.module_rings,
    tenants: Object.fromEntries(data.tenants.map((t) => [t.name, t.ring])),
    ...(previous?.length ? { previousConfigMaps: previous } : {}),
  };
}
