/**
 * RingData: the tenant → ring map as an immutable, content-addressed ConfigMap in the home namespace,
 * for the frontend (ring-aware API host) and for whatever syncs the app's database (`module_rings`,
 * `tenants.module_ring_id`). Pure: every value comes through props.
 */
import { Construct } from 'constructs';
import { contentAddressedName, PriorConfigMap, retainedConfigMaps, RETAINED_ANNOTATION, RING_DATA_CONFIG_MAP } from '../src/model/content-address';
import * as k8s from './k8s';
import { ANNOTATION_PREFIX, standardLabels } from './labels';

export type { RingDataRing } from '../src/model/ring-data';
export { ringDataFiles } from '../src/model/ring-data';
import { ringDataFiles, RingDataRing } from '../src/model/ring-data';
import { DEFAULT_PART_OF } from '../src/model/defaults';

export interface RingDataProps {
  /** The home namespace. */
  readonly namespace: string;
  /** Public domain: a tenant's API host is `<tenant>.<hostname_segment>.<domain>`. */
  readonly domain: string;
  /** Every ring, most conservative first. */
  readonly rings: readonly RingDataRing[];
  /** tenant → ring name. */
  readonly tenants: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/part-of`. @default DEFAULT_PART_OF ("platform") */
  readonly partOf?: string;
  /** Base of the ConfigMap's name; the name is `<base>-<content hash>`. @default "ring-data" */
  readonly baseName?: string;
  /**
   * The content-addressed ConfigMaps of the previous output in this namespace (`previousConfigMaps`
   * of the committed dist/): the one the pods read there is kept, annotated, next to a new one until
   * the change after next, so pods of an in-flight rollout never lose the file they mount. @default none
   */
  readonly previousConfigMaps?: readonly PriorConfigMap[];
}

/** Label every ring-data ConfigMap carries, so the current one can be found by selector too. */
export const RING_DATA_LABEL = `${ANNOTATION_PREFIX}/ring-data`;

export class RingData extends Construct {
  /** The ConfigMap's name, `<base>-<content hash>`: mount it by this name. */
  readonly configMapName: string;

  constructor(scope: Construct, id: string, props: RingDataProps) {
    super(scope, id);
    const data = ringDataFiles(props);
    const base = props.baseName ?? RING_DATA_CONFIG_MAP;
    this.configMapName = contentAddressedName(base, data);
    const labels = standardLabels({ name: base, partOf: props.partOf ?? DEFAULT_PART_OF, component: 'config' });
    new k8s.KubeConfigMap(this, 'config-map', {
      metadata: { name: this.configMapName, namespace: props.namespace, labels: { ...labels, [RING_DATA_LABEL]: 'true' } },
      immutable: true,
      data,
    });
    // The version the pods read before: no RING_DATA_LABEL (that selects the current one).
    for (const kept of retainedConfigMaps(base, props.previousConfigMaps ?? [], this.configMapName)) {
      new k8s.KubeConfigMap(this, 'config-map-previous', {
        metadata: {
          name: kept.name,
          namespace: props.namespace,
          labels,
          annotations: { [RETAINED_ANNOTATION]: `previous version of ${base}, kept for pods of an in-flight rollout and rollout undo; pruned after the next change` },
        },
        immutable: true,
        data: { ...kept.data },
      });
    }
  }
}
