/**
 * A ring at a glance: the one shape of what `rings list` and `rings status` print per ring, what synth
 * and `rings check` report per ring, and the status page's ring cards. One field per fact, named the
 * same everywhere; each view carries the facts it knows (`RingSummaryOf<…>`). Pure.
 */
export interface RingSummary {
  readonly ring: string;
  /** With [clusters]: the cluster it runs in. @default none (one cluster) */
  readonly cluster?: string;
  readonly namespace: string;
  /** 0 = most conservative. */
  readonly promotionOrder: number;
  /** Takes the tenants tenants.toml does not list (`*.<domain>`). */
  readonly default: boolean;
  readonly active: boolean;
  /** e.g. "24h". */
  readonly soak: string;
  /** Tenants assigned to it. */
  readonly tenants: number;
  /** Modules in its lock. */
  readonly modules: number;
  /** Objects of its chart. */
  readonly objects: number;
  /** Hosts it claims. */
  readonly hosts: number;
  /** Ingress objects its hosts are split over. */
  readonly ingressShards: number;
  /** The component whose memory limit is shown: api for the Octane preset, else the entry. */
  readonly memoryComponent: string;
  /** That component's memory limit, MiB. */
  readonly apiMemoryLimitMib: number;
  /** The home ring (its namespace holds the shared layer). */
  readonly home: boolean;
  /** What a promotion out of (verified, analysis) or into (approval) this ring needs besides order and soak. */
  readonly requires: readonly string[];
}

/** The summary as one view has it: `ring`, `namespace` (and `cluster` with [clusters]) always, and the facts `K`. */
export type RingSummaryOf<K extends keyof RingSummary> = Pick<RingSummary, 'ring' | 'cluster' | 'namespace' | K>;
