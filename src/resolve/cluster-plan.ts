/**
 * The cluster-scoped layer: the External Secrets store reading the home namespace (what each ring needs,
 * only for rings other than home), and with `[clusters]` one layer per cluster. Also lists, on the home
 * ring, every original secret to create there by hand.
 */
import { ClusterLayerProps, ringSecretNeeds } from '../../constructs';
import { DEFAULT_REMOTE_TOKEN_NAMESPACE, defaultRemoteTokenSecret, IN_CLUSTER_SERVER } from '../model/clusters';
import type { PlatformFile } from '../registry/schema/presets';
import type { PlatformContext } from './platform-context';
import type { ResolvedRing } from './ring-plan';

/** A cluster rings are placed on (`[clusters.<name>]`). */
export interface PlannedCluster {
  readonly name: string;
  /** The home cluster: the home ring and the shared layer run here. */
  readonly home: boolean;
  /** Where its units are deployed to (Argo CD's destination). @default "https://kubernetes.default.svc" for the home cluster */
  readonly server?: string;
  /** Flux: the Secret (key "value") its units' Kustomizations reach it through. @default none (the home cluster) */
  readonly kubeconfigSecret?: string;
  /** Its cluster-scoped objects. */
  readonly layer: ClusterLayerProps;
}

export function clusterPlan(ctx: PlatformContext, rings: readonly ResolvedRing[]): { rings: ResolvedRing[]; cluster: ClusterLayerProps; clusters?: PlannedCluster[] } {
  const { p, home } = ctx;
  // The store may read exactly what some ring needs, and only rings other than home may use it.
  const others = rings.filter((r) => r.name !== p.home_ring);
  const othersNeed = others.flatMap((r) => ringSecretNeeds(r));
  // The home Namespace lists every original to create by hand: its own needs and every other ring's.
  const withHomeOriginals = rings.map((r) => (r.name === p.home_ring ? { ...r, secretSync: { ...r.secretSync, extra: othersNeed } } : r));
  const external = p.secrets.sync === 'external-secrets';
  // Without [clusters]: one cluster unit. With it, the home cluster's store serves the other rings of the
  // home cluster, and each other cluster's store reads the home cluster through its own token.
  const local = others.filter((r) => r.cluster === undefined || r.cluster === p.home_cluster);
  const remoteClusters = [...new Set(others.filter((r) => !local.includes(r)).map((r) => r.cluster!))].sort();
  const cluster: ClusterLayerProps = {
    partOf: p.name,
    ...(external
      ? {
          homeSecretAccess: {
            homeNamespace: home.namespace,
            secretNames: [...new Set(othersNeed.map((s) => s.name))].sort(),
            ringNamespaces: local.map((r) => r.namespace).sort(),
            storeName: p.secrets.store,
            ...(remoteClusters.length ? { remoteClusters } : {}),
          },
        }
      : {}),
  };
  const clusters = p.clusters && p.home_cluster !== undefined ? plannedClusters(p, home.namespace, cluster, others) : undefined;
  return { rings: withHomeOriginals, cluster, ...(clusters ? { clusters } : {}) };
}

/**
 * `[clusters]` → one planned cluster per declared cluster, home first: the home cluster keeps the home
 * layer; every other cluster with rings gets their External Secrets store, reading the home namespace
 * on the home cluster's API (`remote_server`, else `server`) with the hand-made token Secret.
 */
function plannedClusters(p: PlatformFile, homeNamespace: string, homeLayer: ClusterLayerProps, others: readonly ResolvedRing[]): PlannedCluster[] {
  const home = p.home_cluster!;
  const names = [home, ...Object.keys(p.clusters!).filter((n) => n !== home).sort()];
  const homeTable = p.clusters![home];
  return names.map((name) => {
    const c = p.clusters![name];
    const isHome = name === home;
    const placed = others.filter((r) => r.cluster === name);
    const needs = placed.flatMap((r) => ringSecretNeeds(r));
    const layer: ClusterLayerProps = isHome
      ? homeLayer
      : {
          partOf: p.name,
          ...(p.secrets.sync === 'external-secrets' && needs.length
            ? {
                remoteHomeSecrets: {
                  homeNamespace,
                  homeServer: homeTable.remote_server ?? homeTable.server ?? IN_CLUSTER_SERVER,
                  ringNamespaces: [...new Set(placed.map((r) => r.namespace))].sort(),
                  storeName: p.secrets.store,
                  tokenSecret: p.secrets.remote_token_secret ?? defaultRemoteTokenSecret(p.secrets.store),
                  tokenNamespace: p.secrets.remote_token_namespace ?? DEFAULT_REMOTE_TOKEN_NAMESPACE,
                },
              }
            : {}),
        };
    return {
      name,
      home: isHome,
      server: c.server ?? (isHome ? IN_CLUSTER_SERVER : undefined),
      ...(c.kubeconfig_secret ? { kubeconfigSecret: c.kubeconfig_secret } : {}),
      layer,
    };
  });
}
