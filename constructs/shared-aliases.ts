/**
 * SharedAliases: an ExternalName Service per shared service, so a ring's pods reach
 * `redis`, `autocom-db-rw`, … by the same short names as in the home namespace. In a ring on another
 * cluster than home (`remote`), each alias points at the service's `remoteHost` instead of
 * `<svc>.<home>.svc.<cluster domain>`, which does not reach across clusters.
 */
import { Construct } from 'constructs';
import * as k8s from './k8s';
import { standardLabels } from './labels';

export interface SharedServiceRef {
  /** Service name in the home namespace (a DNS-1035 label). */
  readonly name: string;
  readonly port: number;
  /** Run by something else (`[[shared.external]]`): without `podSelector`, policies can only name its namespace. @default false */
  readonly external?: boolean;
  /** Labels of its pods, for NetworkPolicies. @default `app.kubernetes.io/name: <name>` for a shared-layer service; none for an external one */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** The DNS name rings in other clusters reach it at, on `port` (required by a `remote` ring). @default none */
  readonly remoteHost?: string;
}

export interface SharedAliasesProps {
  /** Namespace the aliases are created in (a non-home ring's). */
  readonly namespace: string;
  /** Namespace the real services live in. */
  readonly homeNamespace: string;
  readonly services: readonly SharedServiceRef[];
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** Ring label for the aliases. @default none */
  readonly ring?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
  /** The ring runs in another cluster than the home namespace: aliases point at each service's `remoteHost`. @default false */
  readonly remote?: boolean;
}

export class SharedAliases extends Construct {
  constructor(scope: Construct, id: string, props: SharedAliasesProps) {
    super(scope, id);
    if (props.remote) {
      const missing = props.services.filter((s) => !s.remoteHost).map((s) => s.name);
      if (missing.length) throw new Error(`shared aliases in another cluster need each service's remoteHost (the address that cluster reaches it at); missing for ${missing.sort().join(', ')}`);
    } else if (props.namespace === props.homeNamespace) {
      throw new Error(`shared aliases in the home namespace "${props.homeNamespace}" would shadow the real services; create them only in other rings`);
    }
    const domain = props.clusterDomain ?? 'cluster.local';
    for (const s of [...props.services].sort((a, b) => a.name.localeCompare(b.name))) {
      new k8s.KubeService(this, s.name, {
        metadata: {
          name: s.name,
          namespace: props.namespace,
          labels: standardLabels({ name: s.name, partOf: props.partOf, component: 'shared-alias', ring: props.ring }),
        },
        spec: {
          type: 'ExternalName',
          externalName: props.remote ? s.remoteHost! : `${s.name}.${props.homeNamespace}.svc.${domain}`,
          ports: [{ name: 'tcp', port: s.port, protocol: 'TCP' }],
        },
      });
    }
  }
}
