/**
 * Rings across clusters (`[clusters.<name>]` and `home_cluster` in platform.toml, `cluster = …` in a
 * ring file): the names and defaults that validation, resolve, synth, the delivery constructs and
 * the CLI share. Without `[clusters]` there is one implicit cluster and none of this applies: dist/
 * keeps its single-cluster layout byte for byte.
 */

/** The API server as a pod (or Argo CD) sees its own cluster: valid only inside that cluster. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** dist/'s folder of one cluster's cluster-scoped objects and Namespaces: `cluster-<name>`. */
export const clusterUnitName = (cluster: string): string => `cluster-${cluster}`;

/** dist/'s folder of the per-cluster kustomizations: `clusters/<name>/kustomization.yaml` builds what runs on `<name>`. */
export const CLUSTER_KUSTOMIZATIONS_DIR = 'clusters';

/** The path of a cluster's kustomization in dist/. */
export const clusterKustomizationPath = (cluster: string): string => `${CLUSTER_KUSTOMIZATIONS_DIR}/${cluster}/kustomization.yaml`;

/**
 * Longest cluster name: `cluster-<name>` is a folder, a delivery object's suffix and the value of the
 * `rings.cdk8s.io/unit` label (at most 63 characters).
 */
export const MAX_CLUSTER_NAME = 63 - 'cluster-'.length;

/** The key of the kubeconfig in a Flux `kubeConfig.secretRef` Secret (Flux's own default is `value` or `value.yaml`). */
export const KUBECONFIG_SECRET_KEY = 'value';

/** Keys of the hand-made token Secret a remote cluster's External Secrets store authenticates to the home cluster with. */
export const REMOTE_TOKEN_KEYS = { token: 'token', caCert: 'ca.crt' } as const;

/** @default name of that token Secret: `<store>-token`. */
export const defaultRemoteTokenSecret = (store: string): string => `${store}-token`;

/** @default namespace of that token Secret on each remote cluster: the External Secrets Operator's usual one. */
export const DEFAULT_REMOTE_TOKEN_NAMESPACE = 'external-secrets';

/** A ring's placement: the cluster it runs in, and whether that is the home cluster (where the shared layer is). */
export interface Placement {
  readonly cluster: string;
  readonly home: boolean;
}

/**
 * The cluster each ring runs in: its `cluster`, else the home cluster. Undefined without `[clusters]`
 * (one implicit cluster).
 */
export function placementOf(homeCluster: string | undefined, clusters: Readonly<Record<string, unknown>> | undefined, ringCluster: string | undefined): Placement | undefined {
  if (!clusters || homeCluster === undefined) return undefined;
  const cluster = ringCluster ?? homeCluster;
  return { cluster, home: cluster === homeCluster };
}

/** An IPv4 or IPv6 literal: an ExternalName cannot point at one (cluster DNS treats it as a name and does not resolve it). */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
