/**
 * ArgoCdDelivery: Argo CD syncs dist/ unit by unit. An AppProject allowed only the platform's
 * namespaces, source repository and the kinds dist/ holds, and either
 * - one Application per unit, annotated with sync waves in delivery order (cluster, shared layer,
 *   then the rings from the bleeding edge to the most conservative), or
 * - one ApplicationSet generating those Applications, with a RollingSync strategy whose steps follow
 *   the same order (Argo CD's progressive syncs: a step starts when the one before is healthy).
 * Each ring is its own Application: a broken canary never holds stable back.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { DeliveredKinds, DeliveryCluster, DeliveryUnit } from '../src/model/delivery';
import { ANNOTATION_PREFIX, standardLabels } from './labels';
import { PlainApiObject } from './plain-api-object';

/** Label on every Application naming its unit; the RollingSync steps select by it. */
export const DELIVERY_UNIT_LABEL = `${ANNOTATION_PREFIX}/unit`;
export const ARGO_CD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/**
 * Deleting an Application deletes what it deployed (a retired ring's objects), in the foreground.
 * The domain-qualified spelling Argo CD also reads: the API server warns about the bare
 * `resources-finalizer.argocd.argoproj.io` ("prefer a domain-qualified finalizer name").
 */
export const ARGO_CD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io/foreground';
export const IN_CLUSTER = 'https://kubernetes.default.svc';

export interface ArgoCdDeliveryProps {
  /** Platform name: the AppProject's and ApplicationSet's name, the Applications' prefix, `app.kubernetes.io/part-of`. */
  readonly platform: string;
  /** Repository dist/ is committed to (https://, ssh:// or oci://). */
  readonly repoUrl: string;
  /** Branch or tag. @default "main" */
  readonly revision?: string;
  /** dist/'s path inside the repository. @default "dist" */
  readonly path?: string;
  /** Argo CD's namespace. @default "argocd" */
  readonly namespace?: string;
  /** The cluster the platform runs in. @default "https://kubernetes.default.svc" */
  readonly destinationServer?: string;
  /** Delete what leaves dist/. @default true */
  readonly prune?: boolean;
  /** Revert changes made in the cluster. @default true */
  readonly selfHeal?: boolean;
  /** "applications" (sync waves) or "applicationset" (RollingSync). @default "applications" */
  readonly strategy?: 'applications' | 'applicationset';
  /** The units, in delivery order (`deliveryUnits`). */
  readonly units: readonly DeliveryUnit[];
  /** What dist/ writes (`deliveredKinds`): the project allows exactly that. */
  readonly kinds: DeliveredKinds;
  /**
   * Rings across clusters: the clusters the units name (`DeliveryUnit.cluster`), each with its `server`
   * and the namespaces written there. Each unit is deployed to its cluster's server, and the project's
   * destinations are exactly those (server, namespace) pairs; `destinationServer` is then unused.
   * @default none (every unit to `destinationServer`)
   */
  readonly clusters?: readonly DeliveryCluster[];
}

export class ArgoCdDelivery extends Chart {
  public readonly project: PlainApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdDeliveryProps) {
    super(scope, id, { disableResourceNameHashes: true });
    if (!props.units.length) throw new Error('argo-cd delivery: no units to deliver; pass the output of deliveryUnits()');
    const namespace = props.namespace ?? 'argocd';
    const server = props.destinationServer ?? IN_CLUSTER;
    const clusterOf = new Map((props.clusters ?? []).map((c) => [c.name, c]));
    const serverOf = (u: DeliveryUnit): string => {
      if (u.cluster === undefined) return server;
      const c = clusterOf.get(u.cluster);
      if (!c) throw new Error(`argo-cd delivery: unit ${u.name} is placed on cluster "${u.cluster}", which is not in clusters (${[...clusterOf.keys()].join(', ') || 'none'})`);
      return c.server ?? IN_CLUSTER;
    };
    if (props.clusters) for (const u of props.units) serverOf(u);
    const dist = props.path ?? 'dist';
    const unitPath = (unit: string) => (dist === '.' ? unit : `${dist}/${unit}`);
    const revision = props.revision ?? 'main';
    const labels = (extra: Record<string, string> = {}) => ({ ...standardLabels({ name: props.platform, partOf: props.platform, component: 'delivery' }), ...extra });

    this.project = new PlainApiObject(this, 'project', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      // The project exists before the Applications that name it.
      metadata: { name: props.platform, namespace, labels: labels(), annotations: { [ARGO_CD_SYNC_WAVE]: '-1' } },
      spec: {
        description: `${props.platform}: the cluster objects, the shared layer and the rings of dist/, nothing else`,
        sourceRepos: [props.repoUrl],
        destinations: props.clusters
          ? props.clusters.flatMap((c) => [...(c.namespaces ?? [])].sort().map((ns) => ({ server: c.server ?? IN_CLUSTER, namespace: ns })))
          : props.kinds.namespaces.map((ns) => ({ server, namespace: ns })),
        clusterResourceWhitelist: props.kinds.clusterScoped.map((gk) => ({ group: gk.group, kind: gk.kind })),
        namespaceResourceWhitelist: props.kinds.namespaced.map((gk) => ({ group: gk.group, kind: gk.kind })),
      },
    });

    const syncPolicy = {
      automated: { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true },
      // Server-side apply: tenant Ingresses outgrow the client-side last-applied annotation (256 KiB).
      // Prune last: old objects go once the new ones are in (content-addressed ConfigMaps).
      syncOptions: ['ServerSideApply=true', 'PruneLast=true'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    };
    const spec = (path: string, ns: string, to = server) => ({
      project: props.platform,
      source: { repoURL: props.repoUrl, targetRevision: revision, path },
      destination: { server: to, namespace: ns },
      syncPolicy,
    });

    if ((props.strategy ?? 'applications') === 'applications') {
      for (const u of props.units) {
        new PlainApiObject(this, `application-${u.name}`, {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: {
            name: `${props.platform}-${u.name}`,
            namespace,
            labels: labels({ [DELIVERY_UNIT_LABEL]: u.name, ...(u.ring ? { ring: u.ring } : {}) }),
            annotations: { [ARGO_CD_SYNC_WAVE]: String(u.wave) },
            finalizers: [ARGO_CD_RESOURCES_FINALIZER],
          },
          spec: spec(unitPath(u.name), u.namespace, serverOf(u)),
        });
      }
      return;
    }

    new PlainApiObject(this, 'application-set', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: props.platform, namespace, labels: labels() },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            list: {
              elements: props.units.map((u) => ({ unit: u.name, path: unitPath(u.name), namespace: u.namespace, ...(props.clusters ? { server: serverOf(u) } : {}) })),
            },
          },
        ],
        // One step per unit, in delivery order: a change reaches the next unit once the last is healthy.
        strategy: {
          type: 'RollingSync',
          rollingSync: { steps: props.units.map((u) => ({ matchExpressions: [{ key: DELIVERY_UNIT_LABEL, operator: 'In', values: [u.name] }] })) },
        },
        template: {
          metadata: {
            name: `${props.platform}-{{.unit}}`,
            labels: labels({ [DELIVERY_UNIT_LABEL]: '{{.unit}}' }),
            finalizers: [ARGO_CD_RESOURCES_FINALIZER],
          },
          spec: spec('{{.path}}', '{{.namespace}}', props.clusters ? '{{.server}}' : server),
        },
      },
    });
  }
}
