/**
 * Which kubeconfig context reads which cluster, for the commands that read clusters (`rings verify`,
 * `rings diff --live`). Without `[clusters]`: one cluster, `--context NAME` or kubectl's current
 * context. With `[clusters]`: one context per cluster, `--context <cluster>=<context>` (repeatable);
 * a cluster not named reads the context named like the cluster.
 */
import { UsageError } from './args';

/** cluster name ('' without [clusters]) → the kubeconfig context to read it with (undefined: kubectl's current one). */
export type ClusterContexts = ReadonlyMap<string, string | undefined>;

export function clusterContexts(clusters: readonly string[] | undefined, given: readonly string[], usage: string): ClusterContexts {
  if (!clusters) {
    if (given.length > 1) throw new UsageError('--context given twice (the registry declares no [clusters]: one cluster, one context)', usage);
    if (given.length === 1 && /^[^=]+=/.test(given[0]) && !given[0].includes('/')) {
      throw new UsageError(`--context ${given[0]}: the registry declares no [clusters]; pass --context NAME (the kubeconfig context of its one cluster)`, usage);
    }
    return new Map([['', given[0]]]);
  }
  const out = new Map<string, string | undefined>(clusters.map((c) => [c, c]));
  const seen = new Set<string>();
  for (const g of given) {
    const eq = g.indexOf('=');
    if (eq <= 0 || eq === g.length - 1) {
      throw new UsageError(`--context ${g}: expected <cluster>=<context> for one of the clusters (${clusters.join(', ')}); a cluster not named reads the context named like it`, usage);
    }
    const cluster = g.slice(0, eq);
    if (!clusters.includes(cluster)) throw new UsageError(`--context ${g}: expected one of the clusters (${clusters.join(', ')}), got "${cluster}"`, usage);
    if (seen.has(cluster)) throw new UsageError(`--context ${cluster}=… given twice`, usage);
    seen.add(cluster);
    out.set(cluster, g.slice(eq + 1));
  }
  return out;
}

/** How a cluster is named in messages: `cluster us-1 (context us-1-admin)`, or nothing for the one implicit cluster. */
export function clusterLabel(cluster: string, context: string | undefined): string {
  return cluster ? `cluster ${cluster} (context ${context ?? cluster})` : '';
}
