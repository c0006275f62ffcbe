/**
 * The cross-file rules of rings across clusters (`home_cluster`, `[clusters.<name>]`, `cluster = …`
 * in a ring file, `remote_host` on shared services). Each is a small pure function like the rules
 * of validate.ts; they only speak when `[clusters]` (or one of its keys) is written.
 */
import * as path from 'path';
import { IN_CLUSTER_SERVER } from '../../model/clusters';
import type { RegistryProblem } from '../errors';
import type { PreviewEntry } from '../schema/schema';
import type { PlatformFile } from '../schema/presets';
import type { RingEntry } from '../schema/types';

/** The part of the parsed registry these rules read; validate.ts's `CrossFileInput` extends it (so this file does not import validate.ts). */
export interface ClusterRuleInput {
  /** Undefined when platform.toml itself failed (rules needing it are skipped). */
  readonly platform?: PlatformFile;
  readonly platformFile: string;
  readonly tenantsFile: string;
  /** Ring files that parsed. */
  readonly rings: readonly RingEntry[];
  /** Undefined when tenants.toml failed. */
  readonly tenants?: Readonly<Record<string, string>>;
  /** tenant → preview; undefined when tenants.toml failed. */
  readonly previews?: Readonly<Record<string, PreviewEntry>>;
}

export type Rule = (input: ClusterRuleInput) => RegistryProblem[];

const list = (xs: Iterable<string>) => [...xs].sort().join(', ');
const declared = (p: PlatformFile) => Object.keys(p.clusters ?? {}).sort();

/** The cluster a ring runs in, when `[clusters]` and a valid home cluster exist. */
function clusterOf(p: PlatformFile, r: RingEntry): string | undefined {
  if (!p.clusters || p.home_cluster === undefined || !(p.home_cluster in p.clusters)) return undefined;
  return r.spec.cluster ?? p.home_cluster;
}

/** Rings placed on a declared cluster other than the home cluster. */
function remoteRings(p: PlatformFile, rings: readonly RingEntry[]): RingEntry[] {
  return rings.filter((r) => {
    const c = clusterOf(p, r);
    return c !== undefined && c !== p.home_cluster && c in (p.clusters ?? {});
  });
}

/**
 * `home_cluster` names a declared cluster, and `[clusters]` has one: the shared layer lives in exactly
 * one cluster. (Two home clusters cannot be written as one key; an array is refused by the schema, and
 * a home ring placed elsewhere is `homeRingInHomeCluster`.)
 */
export const homeClusterDeclared: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const names = declared(platform);
  if (platform.clusters && platform.home_cluster === undefined) {
    return [{ file: platformFile, path: 'home_cluster', message: `missing: expected the cluster the home ring and the shared layer run in, one of [clusters] (${names.join(', ') || 'none declared'})` }];
  }
  if (platform.home_cluster !== undefined && !platform.clusters) {
    return [{ file: platformFile, path: 'home_cluster', message: `expected a cluster declared as [clusters.${platform.home_cluster}] (no [clusters] is declared), got "${platform.home_cluster}"; declare the clusters or remove home_cluster` }];
  }
  if (platform.home_cluster !== undefined && platform.clusters && !(platform.home_cluster in platform.clusters)) {
    return [{ file: platformFile, path: 'home_cluster', message: `expected one of the declared clusters (${names.join(', ')}), got "${platform.home_cluster}"` }];
  }
  return [];
};

/** A ring's `cluster` is a declared cluster (the known ones listed), and needs `[clusters]` at all. */
export const ringClustersDeclared: Rule = ({ platform, platformFile, rings }) => {
  if (!platform) return [];
  const names = declared(platform);
  return rings
    .filter((r) => r.spec.cluster !== undefined && !names.includes(r.spec.cluster))
    .map((r) => ({
      file: r.file,
      path: 'cluster',
      message: names.length
        ? `expected a cluster declared in ${platformFile} (${names.join(', ')}), got "${r.spec.cluster}"`
        : `expected no cluster (${platformFile} declares no [clusters]: every ring runs in one cluster), got "${r.spec.cluster}"`,
    }));
};

/** The home ring runs in the home cluster: the shared layer is in its namespace, so there is one home. */
export const homeRingInHomeCluster: Rule = ({ platform, platformFile, rings }) => {
  if (!platform?.clusters || platform.home_cluster === undefined) return [];
  const home = rings.find((r) => r.spec.name === platform.home_ring);
  if (!home || home.spec.cluster === undefined || home.spec.cluster === platform.home_cluster) return [];
  return [
    {
      file: home.file,
      path: 'cluster',
      message: `expected the home cluster "${platform.home_cluster}" (home_cluster in ${path.basename(platformFile)}; ${home.spec.name} is home_ring, so the shared layer runs beside it), got "${home.spec.cluster}"; change home_cluster or home_ring instead`,
    },
  ];
};

/**
 * Each namespace once per cluster: two rings in one namespace of one cluster would overwrite each
 * other; the same namespace in two clusters is two namespaces. Without `[clusters]`, every ring is in
 * one cluster and this is the plain unique-namespace rule.
 */
export const uniqueNamespacesPerCluster: Rule = ({ platform, rings }) => {
  // While platform.toml cannot be read, a ring file that names a cluster still says there are several.
  const multi = platform ? Boolean(platform.clusters) : rings.some((r) => r.spec.cluster !== undefined);
  const seen = new Map<string, RingEntry>();
  const out: RegistryProblem[] = [];
  for (const r of [...rings].sort((a, b) => a.file.localeCompare(b.file))) {
    // A ring without `cluster` is in the home cluster (reported elsewhere when home_cluster is wrong).
    const cluster = multi ? (r.spec.cluster ?? platform?.home_cluster ?? '(home)') : '';
    const key = `${cluster}\u0000${r.spec.namespace}`;
    const first = seen.get(key);
    if (first) out.push({ file: r.file, path: 'namespace', message: `expected a unique namespace${multi && platform ? ` in cluster ${cluster}` : ''}, got ${JSON.stringify(r.spec.namespace)}, already used by ${first.file}` });
    else seen.set(key, r);
  }
  return out;
};

/**
 * What the GitOps tool needs to reach a cluster other than home: under Flux, the kubeconfig Secret its
 * Kustomizations apply through; under Argo CD, the server its Applications deploy to. Flux runs in the
 * home cluster (no kubeconfig there); `destination_server` is the single-cluster key, ambiguous beside
 * `[clusters]` (each cluster's `server` is its destination).
 */
export const clustersReachableByTheGitopsTool: Rule = ({ platform, platformFile }) => {
  // Which cluster is home decides what each one needs: wait until home_cluster is right.
  if (!platform?.clusters || !platform.gitops || platform.home_cluster === undefined || !(platform.home_cluster in platform.clusters)) return [];
  const g = platform.gitops;
  const out: RegistryProblem[] = [];
  const ns = g.namespace ?? (g.tool === 'flux' ? 'flux-system' : 'argocd');
  if (g.tool === 'argo-cd' && g.destination_server !== undefined) {
    out.push({ file: platformFile, path: 'gitops.destination_server', message: `expected no destination_server beside [clusters] (each cluster's server is the destination of its units), got "${g.destination_server}"; remove it and set clusters.<name>.server` });
  }
  for (const name of declared(platform)) {
    const c = platform.clusters[name];
    const home = name === platform.home_cluster;
    if (g.tool === 'flux') {
      if (!home && c.kubeconfig_secret === undefined) {
        out.push({ file: platformFile, path: `clusters.${name}.kubeconfig_secret`, message: `missing: expected the name of the Secret in ${ns} holding ${name}'s kubeconfig under key "value" (made by hand, never generated): Flux runs in the home cluster and applies ${name}'s units through it` });
      }
      if (home && c.kubeconfig_secret !== undefined) {
        out.push({ file: platformFile, path: `clusters.${name}.kubeconfig_secret`, message: `expected no kubeconfig_secret on the home cluster (Flux runs there and applies its units in-cluster), got "${c.kubeconfig_secret}"; remove it` });
      }
    } else {
      if (!home && c.server === undefined) {
        out.push({ file: platformFile, path: `clusters.${name}.server`, message: `missing: expected the API URL Argo CD deploys ${name}'s units to (the cluster as registered in Argo CD)` });
      }
      if (c.kubeconfig_secret !== undefined) {
        out.push({ file: platformFile, path: `clusters.${name}.kubeconfig_secret`, message: `expected no kubeconfig_secret (it applies to tool = "flux" only, and tool is "argo-cd": Argo CD reaches ${name} through its cluster registration); remove it, got "${c.kubeconfig_secret}"` });
      }
    }
  }
  return out;
};

/**
 * A ring in another cluster reaches every shared service (`[[shared.services]]`, `[[shared.external]]`)
 * by the same short name as the home rings, through an ExternalName alias to its `remote_host`:
 * `*.svc.cluster.local` does not reach across clusters. One line per service without it, naming the
 * rings that need it and the key to add. `remote_host` without `[clusters]` means nothing and is refused.
 */
export const remoteRingsReachSharedServices: Rule = ({ platform, platformFile, rings }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const entries = [
    ...platform.shared.services.map((s, i) => ({ s, at: `shared.services.${i}`, table: '[[shared.services]]' })),
    ...platform.shared.external.map((s, i) => ({ s, at: `shared.external.${i}`, table: '[[shared.external]]' })),
  ];
  if (!platform.clusters) {
    for (const { s, at } of entries) {
      if (s.remote_host !== undefined) out.push({ file: platformFile, path: `${at}.remote_host`, message: `expected no remote_host without [clusters] (every ring reaches ${s.name} inside its one cluster), got "${s.remote_host}"` });
    }
    return out;
  }
  const remote = remoteRings(platform, rings);
  if (!remote.length) return out;
  const who = remote.map((r) => `${r.spec.name} (cluster ${clusterOf(platform, r)})`);
  for (const { s, at, table } of entries) {
    if (s.remote_host !== undefined) continue;
    out.push({
      file: platformFile,
      path: `${at}.remote_host`,
      message: `missing: expected remote_host on ${table} ${s.name}, the DNS name ${who.length === 1 ? 'ring' : 'rings'} ${who.join(', ')} ${who.length === 1 ? 'reaches' : 'reach'} it at on port ${s.port} (it runs in the home cluster ${platform.home_cluster}; *.svc.cluster.local does not reach across clusters)`,
    });
  }
  return out;
};

/**
 * Secrets reach a ring in another cluster only through External Secrets (a store there reading the
 * home cluster) or by hand (`sync = "none"`): Reflector mirrors within one cluster. Under External
 * Secrets, the home cluster's API must have an address the other clusters reach: `remote_server`, or
 * `server` unless that is the in-cluster address (which, on another cluster, is that cluster's own API).
 */
export const secretsReachRemoteRings: Rule = ({ platform, platformFile, rings }) => {
  if (!platform?.clusters) return [];
  const remote = remoteRings(platform, rings);
  if (!remote.length) return [];
  const sync = platform.secrets.sync;
  if (sync === 'reflector') {
    return remote.map((r) => ({
      file: r.file,
      path: 'cluster',
      message: `expected the home cluster "${platform.home_cluster}" while secrets.sync = "reflector" in ${path.basename(platformFile)} (Reflector mirrors secrets within one cluster and cannot reach ${r.spec.cluster}), got "${r.spec.cluster}"; set secrets.sync = "external-secrets" (a store on ${r.spec.cluster} reads the home cluster) or "none" (copy them by hand)`,
    }));
  }
  if (sync !== 'external-secrets') return [];
  const home = platform.clusters[platform.home_cluster!];
  const address = home.remote_server ?? home.server;
  if (address !== undefined && address !== IN_CLUSTER_SERVER) return [];
  const others = list(new Set(remote.map((r) => clusterOf(platform, r)!)));
  return [
    {
      file: platformFile,
      path: `clusters.${platform.home_cluster}.remote_server`,
      message: `missing: expected the home cluster's API URL as ${others} ${others.includes(',') ? 'reach' : 'reaches'} it (the External Secrets store there reads the home secrets at that address)${address === IN_CLUSTER_SERVER ? `; server is "${IN_CLUSTER_SERVER}", which on another cluster is that cluster's own API server` : ''}`,
    },
  ];
};

/**
 * A header preview sends a tenant's requests to another ring through the same ingress controller or
 * Gateway as the tenant's own route (an nginx canary Ingress, an HTTPRoute match): both rings must run
 * in one cluster.
 */
export const previewsStayInOneCluster: Rule = ({ platform, previews, tenants, tenantsFile, rings }) => {
  if (!platform?.clusters || !previews || !tenants) return [];
  const byName = new Map(rings.map((r) => [r.spec.name, r]));
  const out: RegistryProblem[] = [];
  for (const [tenant, p] of Object.entries(previews)) {
    const own = byName.get(tenants[tenant] ?? '');
    const pv = byName.get(p.ring);
    if (!own || !pv) continue;
    const a = clusterOf(platform, own);
    const b = clusterOf(platform, pv);
    if (a !== undefined && b !== undefined && a !== b) {
      out.push({ file: tenantsFile, path: `previews.${tenant}.ring`, message: `expected a ring in the cluster of ${tenant}'s own ring ${own.spec.name} (${a}): a header preview needs both routes on one ingress controller or Gateway, got "${p.ring}" (cluster ${b})` });
    }
  }
  return out;
};

export const CLUSTER_RULES: readonly Rule[] = [
  homeClusterDeclared,
  ringClustersDeclared,
  homeRingInHomeCluster,
  clustersReachableByTheGitopsTool,
  remoteRingsReachSharedServices,
  secretsReachRemoteRings,
  previewsStayInOneCluster,
];
