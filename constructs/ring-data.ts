/**
 * RingData: the tenant → ring map as an immutable, content-addressed ConfigMap in the home namespace,
 * for the frontend (ring-aware API host) and for whatever syncs the app's database (`module_rings`,
 * `tenants.module_ring_id`). Pure: every value comes through props.
 */
import { Construct } from 'constructs';
import { contentAddressedName } from './content-addressed';
import * as k8s from './k8s';
import { ANNOTATION_PREFIX, standardLabels } from './labels';

/** A ring as the app's `module_rings` table holds it (the seed's columns). */
export interface RingDataRing {
  readonly name: string;
  readonly display_name: string;
  readonly description: string;
  readonly manifest_path: string;
  readonly k8s_namespace: string;
  readonly k8s_service: string;
  readonly hostname_segment: string;
  readonly promotion_order: number;
  readonly is_active: boolean;
  readonly is_default: boolean;
}

export interface RingDataProps {
  /** The home namespace. */
  readonly namespace: string;
  /** Public domain: a tenant's API host is `<tenant>.<hostname_segment>.<domain>`. */
  readonly domain: string;
  /** Every ring, most conservative first. */
  readonly rings: readonly RingDataRing[];
  /** tenant → ring name. */
  readonly tenants: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/part-of`. @default "platform" */
  readonly partOf?: string;
  /** Base of the ConfigMap's name; the name is `<base>-<content hash>`. @default "ring-data" */
  readonly baseName?: string;
}

/** Label every ring-data ConfigMap carries, so the current one can be found by selector too. */
export const RING_DATA_LABEL = `${ANNOTATION_PREFIX}/ring-data`;

/** The data keys: `rings.json` (rows with their tenants) and `tenants.json` (tenant → ring and API host). */
export function ringDataFiles(props: Pick<RingDataProps, 'domain' | 'rings' | 'tenants'>): Record<string, string> {
  const ringByName = new Map(props.rings.map((r) => [r.name, r]));
  const problems: string[] = [];
  const names = Object.keys(props.tenants).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const tenants: Record<string, { ring: string; api_host: string }> = {};
  for (const t of names) {
    const r = ringByName.get(props.tenants[t]);
    if (!r) problems.push(`tenant ${JSON.stringify(t)} is on ${JSON.stringify(props.tenants[t])}, which is not one of the rings given`);
    else tenants[t] = { ring: r.name, api_host: `${t}.${r.hostname_segment}.${props.domain}` };
  }
  if (problems.length) throw new Error(`ring data: ${problems.join('; ')}`);
  const rings = props.rings.map((r) => ({
    name: r.name,
    display_name: r.display_name,
    description: r.description,
    manifest_path: r.manifest_path,
    k8s_namespace: r.k8s_namespace,
    k8s_service: r.k8s_service,
    hostname_segment: r.hostname_segment,
    promotion_order: r.promotion_order,
    is_active: r.is_active,
    is_default: r.is_default,
  }));
  // One line per tenant: a tenant move is a one-line diff, and the size stays linear.
  const tenantLines = names.map((t) => `  ${JSON.stringify(t)}: ${JSON.stringify(tenants[t])}`);
  return {
    'rings.json': `${JSON.stringify(rings, null, 2)}\n`,
    'tenants.json': tenantLines.length ? `{\n${tenantLines.join(',\n')}\n}\n` : '{}\n',
  };
}

export class RingData extends Construct {
  /** The ConfigMap's name, `<base>-<content hash>`: mount it by this name. */
  readonly configMapName: string;

  constructor(scope: Construct, id: string, props: RingDataProps) {
    super(scope, id);
    const data = ringDataFiles(props);
    const base = props.baseName ?? 'ring-data';
    this.configMapName = contentAddressedName(base, data);
    new k8s.KubeConfigMap(this, 'config-map', {
      metadata: {
        name: this.configMapName,
        namespace: props.namespace,
        labels: { ...standardLabels({ name: base, partOf: props.partOf ?? 'platform', component: 'config' }), [RING_DATA_LABEL]: 'true' },
      },
      immutable: true,
      data,
    });
  }
}
