/**
 * ClusterLayer: the platform's cluster-scoped objects (and the namespaced ones that only make sense
 * with them), in a chart WITHOUT a namespace, so cdk8s never stamps one onto a ClusterSecretStore or
 * a ClusterRole. Today: the External Secrets read path out of the home namespace.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_HOME_SECRET_STORE, DEFAULT_PART_OF } from '../src/model/defaults';
import { standardLabels } from './labels';
import { HomeSecretAccess, RemoteHomeSecretStore, RemoteHomeSecretStoreProps } from './secret-sync';

export interface ClusterLayerProps {
  /** `app.kubernetes.io/part-of`. @default DEFAULT_PART_OF ("platform") */
  readonly partOf?: string;
  /** The External Secrets store reading the home namespace. @default none (no objects) */
  readonly homeSecretAccess?: {
    readonly homeNamespace: string;
    readonly secretNames: readonly string[];
    readonly ringNamespaces: readonly string[];
    /** @default DEFAULT_HOME_SECRET_STORE ("ring-home-secrets") */
    readonly storeName?: string;
    /** Other clusters whose stores read the home namespace as its reader (rings across clusters). @default none */
    readonly remoteClusters?: readonly string[];
  };
  /** On a cluster other than home: the External Secrets store reading the home cluster. @default none */
  readonly remoteHomeSecrets?: Omit<RemoteHomeSecretStoreProps, 'labels'>;
}

export class ClusterLayer extends Chart {
  /** True when the chart holds no object (nothing to write). */
  public readonly isEmpty: boolean;

  constructor(scope: Construct, id: string, props: ClusterLayerProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const partOf = props.partOf ?? DEFAULT_PART_OF;
    const a = props.homeSecretAccess;
    if (a && a.secretNames.length && (a.ringNamespaces.length || a.remoteClusters?.length)) {
      new HomeSecretAccess(this, 'home-secret-access', { ...a, labels: standardLabels({ name: 'ring-secret-reader', partOf, component: 'secrets' }) });
    }
    if (props.remoteHomeSecrets) {
      new RemoteHomeSecretStore(this, 'remote-home-secrets', { ...props.remoteHomeSecrets, labels: standardLabels({ name: DEFAULT_HOME_SECRET_STORE, partOf, component: 'secrets' }) });
    }
    this.isEmpty = this.node.children.length === 0;
  }
}
