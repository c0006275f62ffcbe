/**
 * What `rings verify` reads from a live cluster, as plain JSON (the API's own `-o json` objects), so
 * the comparison is a pure function of (expected objects, snapshot) and can be tested with snapshots
 * recorded from a real API server (test/fixtures/verify/). Secrets are names only: their data is
 * never read.
 */

import type { Obj } from '../../model/objects';
/** A live object as the API server returns it (the shared object type). */
export type { Obj };

export interface NamespaceSnapshot {
  readonly deployments: readonly Obj[];
  readonly pods: readonly Obj[];
  readonly configmaps: readonly Obj[];
  readonly services: readonly Obj[];
  /** Names of the Secrets of the namespace (never their data). */
  readonly secrets: readonly string[];
  /** ExternalSecrets; null when the cluster does not serve the kind (no External Secrets CRDs). */
  readonly externalsecrets: readonly Obj[] | null;
}

export interface ClusterSnapshot {
  /** Namespace name → what it holds; a namespace missing from the cluster is absent here. */
  readonly namespaces: Readonly<Record<string, NamespaceSnapshot>>;
  /** Every Ingress of the cluster (all namespaces): a host must be served by one ring only. */
  readonly ingresses: readonly Obj[];
  /** Every HTTPRoute of the cluster; null when the cluster does not serve Gateway API. */
  readonly httproutes: readonly Obj[] | null;
}

/** The result of one `/api/health` request through the API server's service proxy. */
export interface ProbeResponse {
  /** `namespace/service:port`. */
  readonly target: string;
  /** true when the request got an HTTP answer (any status); false on connection errors/timeouts. */
  readonly answered: boolean;
  /** The body (JSON text expected), or the error message when not answered. */
  readonly body: string;
}
