/**
 * SharedLayer: the services that run once, in the home namespace, for every ring (frontend, docs,
 * redis, indian-post…), with a shared Ingress for the public ones.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { addComponent, ComponentSpec, validateComponent } from './component';
import * as k8s from './k8s';
import { standardLabels } from './labels';
import { RingData, RingDataProps } from './ring-data';
import { Footprint, surgeFootprint } from './ring-quota';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../imports/gwapi-httproutes-gateway.networking.k8s.io';
import type { GatewayRef } from './tenant-routes';

export interface SharedServiceProps {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  /** @default 1 */
  readonly replicas?: number;
  /** Public host label: served at `<host>.<domain>`. @default not exposed */
  readonly host?: string;
  /** @default 100 */
  readonly cpuRequestMillicores?: number;
  /** @default 1000 */
  readonly cpuLimitMillicores?: number;
  /** @default 128 */
  readonly memoryRequestMib?: number;
  /** @default 256 */
  readonly memoryLimitMib?: number;
  /** @default 1000 */
  readonly runAsUser?: number;
  /** @default ["/tmp"] */
  readonly writablePaths?: readonly string[];
  /** HTTP readiness/liveness path. @default a TCP probe on `port` */
  readonly healthPath?: string;
  /** @default the image's arguments */
  readonly args?: readonly string[];
  /** Folder where the layer's ring-data ConfigMap is mounted read-only (needs `ringData`). @default not mounted */
  readonly ringDataPath?: string;
}

export interface SharedLayerProps {
  /** The home namespace (created by the home Ring). */
  readonly namespace: string;
  readonly domain: string;
  readonly services: readonly SharedServiceProps[];
  /** `app.kubernetes.io/part-of`. @default "platform" */
  readonly partOf?: string;
  /** @default "nginx" */
  readonly ingressClassName?: string;
  /** Secret with the `*.<domain>` certificate. @default "wildcard-tls" */
  readonly domainTlsSecret?: string;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** How the public services are routed; gateway-api makes one HTTPRoute per host. @default ingress */
  readonly routing?: { readonly mode?: 'ingress' | 'gateway-api'; readonly gateway?: GatewayRef };
  /**
   * The tenant → ring map as an immutable, content-addressed ConfigMap in this namespace (see
   * RingData), mounted into the services that give `ringDataPath`. @default none
   */
  readonly ringData?: Omit<RingDataProps, 'namespace' | 'partOf'>;
}

/** A shared service as a component spec: the same Deployment/Service builder as the rings use. */
export function sharedComponent(s: SharedServiceProps): ComponentSpec {
  return {
    name: s.name,
    image: s.image,
    replicas: s.replicas ?? 1,
    port: s.port,
    cpuRequestMillicores: s.cpuRequestMillicores ?? 100,
    cpuLimitMillicores: s.cpuLimitMillicores ?? 1000,
    memoryRequestMib: s.memoryRequestMib ?? 128,
    memoryLimitMib: s.memoryLimitMib ?? 256,
    probe: s.healthPath ? { kind: 'http', path: s.healthPath, port: s.port } : { kind: 'tcp', port: s.port },
    runAsUser: s.runAsUser,
    writablePaths: s.writablePaths,
    args: s.args,
    disruptionBudget: true,
  };
}

/** The shared layer's resources at full surge, for the home ring's quota. */
export function sharedLayerFootprint(services: readonly SharedServiceProps[]): Footprint {
  return surgeFootprint(services.map(sharedComponent));
}

export class SharedLayer extends Chart {
  constructor(scope: Construct, id: string, props: SharedLayerProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const partOf = props.partOf ?? 'platform';
    const services = [...props.services].sort((a, b) => a.name.localeCompare(b.name));
    const ringData = props.ringData ? new RingData(this, 'ring-data', { ...props.ringData, namespace: props.namespace, partOf }) : undefined;
    const unmountable = services.filter((s) => s.ringDataPath && !ringData).map((s) => s.name);
    if (unmountable.length) throw new Error(`shared layer: ${unmountable.join(', ')} set ringDataPath, but no ringData is given to mount; pass ringData or drop ringDataPath`);
    const components = services.map((s) => {
      const c = sharedComponent(s);
      return s.ringDataPath && ringData ? { ...c, configMounts: [...(c.configMounts ?? []), { configMap: ringData.configMapName, mountPath: s.ringDataPath }] } : c;
    });
    const errors = components.flatMap(validateComponent);
    if (errors.length) throw new Error(`shared layer: ${errors.join('; ')}`);
    for (const c of components) {
      addComponent(this, c, { namespace: props.namespace, partOf, imagePullSecrets: props.imagePullSecrets });
    }
    const exposed = services.filter((s) => s.host);
    if (exposed.length && props.routing?.mode === 'gateway-api') {
      const g = props.routing.gateway;
      if (!g) throw new Error('shared layer: gateway-api routing needs routing.gateway (the Gateway\'s name and namespace)');
      // An HTTPRoute's hostnames apply to all its rules, so each host gets its own route.
      for (const s of exposed) {
        const name = `shared-${s.name}`.slice(0, 63).replace(/-+$/, '');
        new HttpRoute(this, `route-${s.name}`, {
          metadata: { name, namespace: props.namespace, labels: standardLabels({ name, partOf, component: 'routes' }) },
          spec: {
            parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name, namespace: g.namespace, ...(g.sectionName ? { sectionName: g.sectionName } : {}) }],
            hostnames: [`${s.host}.${props.domain}`],
            rules: [{ matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: s.name, port: s.port }] }],
          },
        });
      }
    } else if (exposed.length) {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: { name: 'shared-hosts', namespace: props.namespace, labels: standardLabels({ name: 'shared-hosts', partOf, component: 'ingress' }) },
        spec: {
          ingressClassName: props.ingressClassName ?? 'nginx',
          tls: [{ hosts: exposed.map((s) => `${s.host}.${props.domain}`), secretName: props.domainTlsSecret ?? 'wildcard-tls' }],
          rules: exposed.map((s) => ({
            host: `${s.host}.${props.domain}`,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: s.name, port: { number: s.port } } } }] },
          })),
        },
      });
    }
  }
}
