/** Tenant hosts: the single source of how a ring's public hostnames are formed. */
export interface RingHostsInput {
  readonly hostnameSegment: string;
  readonly domain: string;
  readonly tenants: readonly string[];
  /** The default ring also answers `*.<domain>` for tenants listed nowhere. */
  readonly isDefault: boolean;
}

export interface HostClaim {
  readonly host: string;
  /** Undefined for the wildcard. */
  readonly tenant?: string;
  /** Which certificate covers it: the ring's `*.<segment>.<domain>` or the domain's `*.<domain>`. */
  readonly cover: 'segment' | 'domain';
}

/** Every host a ring claims: `<tenant>.<segment>.<domain>` and `<tenant>.<domain>` per tenant (the bare host follows the tenant). */
export function ringHosts(input: RingHostsInput): HostClaim[] {
  const out: HostClaim[] = [];
  for (const t of [...input.tenants].sort()) {
    out.push({ host: `${t}.${input.hostnameSegment}.${input.domain}`, tenant: t, cover: 'segment' });
    out.push({ host: `${t}.${input.domain}`, tenant: t, cover: 'domain' });
  }
  if (input.isDefault) out.push({ host: `*.${input.domain}`, cover: 'domain' });
  return out;
}
