/**
 * RingData: the tenant → ring map as an immutable, content-addressed ConfigMap in the home namespace,
 * for the frontend (ring-aware API host) and for whatever syncs the app's database (`module_rings`,
 * `tenants.module_ring_id`). Pure: every value comes through props.
 */
import { Construct } from 'constructs';
import { contentAddressedName } from '../src/model/content-address';
import * as k8s from './k8s';
import { ANNOTATION_PREFIX, standardLabels } from './labels';

export type { RingDataRing } from '../src/model/ring-data';
export { ringDataFiles } from '../src/model/ring-data';
import { ringDataFiles, RingDataRing } from '../src/model/ring-data';

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
