/**
 * Secret synchronisation: the home namespace's secrets (made once by hand, never by this library)
 * reach the other rings without a manual copy.
 *
 * - `HomeSecretAccess`: the one read-only path out of the home namespace for External Secrets
 *   Operator: a ServiceAccount whose Role may only read the listed secret names, and a
 *   ClusterSecretStore (kubernetes provider) that only ring namespaces may use. Cluster-scoped
 *   objects included, so it belongs in a chart without a namespace (`ClusterLayer`).
 * - `SyncedSecrets`: per ring, an ExternalSecret per secret, or Reflector mirrors, or (mode "none")
 *   an annotation on the ring's Namespace listing what the operator must copy.
 *
 * No object here ever carries secret data.
 */
import { Construct } from 'constructs';
import { DEFAULT_HOME_SECRET_STORE, DEFAULT_SECRET_REFRESH_INTERVAL } from '../src/model/defaults';
import { isDnsSubdomain } from '../src/model/kubernetes-names';
import {
  ClusterSecretStore,
  ClusterSecretStoreSpecProviderKubernetesServerCaProviderType,
} from '../imports/eso-clustersecretstores-external-secrets.io';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
  ExternalSecretSpecTargetTemplateMergePolicy,
} from '../imports/eso-externalsecrets-external-secrets.io';
import * as k8s from './k8s';
import { ANNOTATION_PREFIX } from './labels';

export type SecretSyncMode = 'external-secrets' | 'reflector' | 'none';

/** The Secret types the platform uses; the synced copy keeps the source's type. */
export type SyncedSecretType = 'Opaque' | 'kubernetes.io/dockerconfigjson' | 'kubernetes.io/tls';

/** A secret that exists in the home namespace and must exist, with the same name and type, in a ring. */
export interface SyncedSecret {
  readonly name: string;
  /** @default "Opaque" */
  readonly type?: SyncedSecretType;
  /** For TLS secrets: the names the certificate must cover (recorded for the coverage check). @default none */
  readonly dnsNames?: readonly string[];
}

/** Annotation on a ring Namespace: secrets the operator (or Reflector auto-mirroring) puts there; the library emits nothing for them. */
export const OPERATOR_SECRETS_ANNOTATION = `${ANNOTATION_PREFIX}/operator-provided-secrets`;
/** Annotation on a ring Namespace: `name=dnsName…` for each operator-provided TLS secret (what it must cover). */
export const OPERATOR_TLS_ANNOTATION = `${ANNOTATION_PREFIX}/operator-provided-tls`;
/** Annotation on a sync object (ExternalSecret, mirror) or Certificate: the DNS names its TLS secret covers. */
export const TLS_DNS_NAMES_ANNOTATION = `${ANNOTATION_PREFIX}/tls-dns-names`;
export const REFLECTOR_REFLECTS = 'reflector.v1.k8s.emberstack.com/reflects';
export const REFLECTOR_ALLOWED = 'reflector.v1.k8s.emberstack.com/reflection-allowed';
export const REFLECTOR_ALLOWED_NAMESPACES = 'reflector.v1.k8s.emberstack.com/reflection-allowed-namespaces';
export const REFLECTOR_AUTO = 'reflector.v1.k8s.emberstack.com/reflection-auto-enabled';
export const REFLECTOR_AUTO_NAMESPACES = 'reflector.v1.k8s.emberstack.com/reflection-auto-namespaces';
/** Stakater Reloader: roll the Deployment when one of these Secrets changes. */
export const RELOADER_SECRETS_ANNOTATION = 'secret.reloader.stakater.com/reload';

/** Sorted, one entry per name; throws when a name is malformed or listed with two types. */
export function normalizeSecrets(secrets: readonly SyncedSecret[]): SyncedSecret[] {
  const byName = new Map<string, SyncedSecret>();
  for (const s of secrets) {
    if (!isDnsSubdomain(s.name)) throw new Error(`secret name "${s.name}" is not a valid Secret name; use lower-case letters, digits, '-' and '.'`);
    const type = s.type ?? 'Opaque';
    const seen = byName.get(s.name);
    if (seen && seen.type !== type) throw new Error(`secret "${s.name}" is listed as ${seen.type} and as ${type}; give each Secret one type`);
    if (!seen) byName.set(s.name, { ...s, type });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export interface HomeSecretAccessProps {
  /** Namespace holding the hand-made secrets. */
  readonly homeNamespace: string;
  /** The only secret names the store may read. */
  readonly secretNames: readonly string[];
  /** The only namespaces whose ExternalSecrets may use the store (the non-home rings). */
  readonly ringNamespaces: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** Name of the ClusterSecretStore. @default DEFAULT_HOME_SECRET_STORE ("ring-home-secrets") */
  readonly storeName?: string;
  /** Name of the ServiceAccount, Role and RoleBinding in the home namespace, and prefix of the ClusterRole. @default "ring-secret-reader" */
  readonly readerName?: string;
  /**
   * Other clusters whose stores (`RemoteHomeSecretStore`) read the home namespace as this ServiceAccount,
   * with a token made by hand. With none of the home cluster's rings needing it (`ringNamespaces` empty),
   * only the reader is made, no store. @default none
   */
  readonly remoteClusters?: readonly string[];
}

/** Read-only access to the listed home secrets for ESO's kubernetes provider, and the store that uses it. */
export class HomeSecretAccess extends Construct {
  public readonly storeName: string;

  constructor(scope: Construct, id: string, props: HomeSecretAccessProps) {
    super(scope, id);
    const names = [...new Set(props.secretNames)].sort();
    if (!names.length) throw new Error('home secret access needs at least one secret name; list the secrets the rings read, or do not create it');
    const remote = props.remoteClusters ?? [];
    if (!props.ringNamespaces.length && !remote.length) throw new Error('home secret access needs at least one ring namespace allowed to use the store');
    if (props.ringNamespaces.includes(props.homeNamespace)) throw new Error(`ring namespaces must not include the home namespace "${props.homeNamespace}": it already holds the secrets`);
    this.storeName = props.storeName ?? DEFAULT_HOME_SECRET_STORE;
    const reader = props.readerName ?? 'ring-secret-reader';
    const labels = { ...props.labels };
    const sa = { kind: 'ServiceAccount', name: reader, namespace: props.homeNamespace };

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: {
        name: reader,
        namespace: props.homeNamespace,
        labels,
        // Who else authenticates as it: the stores of the other clusters, with a token Secret made by hand.
        ...(remote.length ? { annotations: { [REMOTE_READERS_ANNOTATION]: [...remote].sort().join(',') } } : {}),
      },
      // ESO requests short-lived tokens for it (TokenRequest); nothing mounts a long-lived one.
      automountServiceAccountToken: false,
    });
    new k8s.KubeRole(this, 'role', {
      metadata: { name: reader, namespace: props.homeNamespace, labels },
      // resourceNames: the store can read exactly the listed secrets, never the rest of the home namespace.
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: names, verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name: reader, namespace: props.homeNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: reader },
      subjects: [sa],
    });
    // The provider validates the store with a SelfSubjectRulesReview (cluster-scoped, so a ClusterRole).
    // Kubernetes' default system:basic-user already grants it; stating it keeps the store working where that default was narrowed.
    new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: `${reader}-review`, labels },
      rules: [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'], verbs: ['create'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: `${reader}-review`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${reader}-review` },
      subjects: [sa],
    });
    if (!props.ringNamespaces.length) return;
    new ClusterSecretStore(this, 'store', {
      metadata: { name: this.storeName, labels },
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: props.homeNamespace,
            server: {
              caProvider: {
                type: ClusterSecretStoreSpecProviderKubernetesServerCaProviderType.CONFIG_MAP,
                name: 'kube-root-ca.crt',
                key: 'ca.crt',
                namespace: props.homeNamespace,
              },
            },
            auth: { serviceAccount: { name: reader, namespace: props.homeNamespace } },
          },
        },
        conditions: [{ namespaces: [...props.ringNamespaces].sort() }],
      },
    });
  }
}

/** Annotation on the home reader ServiceAccount: the other clusters whose stores read as it. */
export const REMOTE_READERS_ANNOTATION = `${ANNOTATION_PREFIX}/read-by-clusters`;

export interface RemoteHomeSecretStoreProps {
  /** The home namespace, on the home cluster: where the hand-made secrets are. */
  readonly homeNamespace: string;
  /** The home cluster's API URL as this cluster reaches it (never `https://kubernetes.default.svc`, which is this cluster's own). */
  readonly homeServer: string;
  /** This cluster's ring namespaces allowed to use the store. */
  readonly ringNamespaces: readonly string[];
  /**
   * The Secret on this cluster, made by hand and never generated, with `token` (a token of the home
   * reader ServiceAccount) and `ca.crt` (the home API server's CA).
   */
  readonly tokenSecret: string;
  /** Its namespace on this cluster. */
  readonly tokenNamespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The store's name; the rings' ExternalSecrets name it, as on the home cluster. @default DEFAULT_HOME_SECRET_STORE ("ring-home-secrets") */
  readonly storeName?: string;
}

/**
 * On a cluster other than home: a ClusterSecretStore whose kubernetes provider reads the home namespace
 * on the home cluster's API server, authenticating with a hand-made token Secret referenced by name.
 * The home cluster's reader (`HomeSecretAccess`) decides what it may read.
 */
export class RemoteHomeSecretStore extends Construct {
  public readonly storeName: string;

  constructor(scope: Construct, id: string, props: RemoteHomeSecretStoreProps) {
    super(scope, id);
    if (!props.ringNamespaces.length) throw new Error('a remote home secret store needs at least one ring namespace allowed to use it');
    if (!/^https:\/\/[^\s]+$/.test(props.homeServer)) throw new Error(`home server "${props.homeServer}" is not an https:// URL`);
    if (props.homeServer === 'https://kubernetes.default.svc') {
      throw new Error('home server "https://kubernetes.default.svc" is this cluster\'s own API server; pass the home cluster\'s API URL as this cluster reaches it');
    }
    this.storeName = props.storeName ?? DEFAULT_HOME_SECRET_STORE;
    const ref = { name: props.tokenSecret, namespace: props.tokenNamespace };
    new ClusterSecretStore(this, 'store', {
      metadata: { name: this.storeName, labels: { ...props.labels } },
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: props.homeNamespace,
            server: {
              url: props.homeServer,
              caProvider: { type: ClusterSecretStoreSpecProviderKubernetesServerCaProviderType.SECRET, key: 'ca.crt', ...ref },
            },
            auth: { token: { bearerToken: { key: 'token', ...ref } } },
          },
        },
        conditions: [{ namespaces: [...new Set(props.ringNamespaces)].sort() }],
      },
    });
  }
}

export interface SyncedSecretsProps {
  /** The ring namespace the secrets must appear in. */
  readonly namespace: string;
  readonly homeNamespace: string;
  readonly secrets: readonly SyncedSecret[];
  readonly mode: SecretSyncMode;
  readonly labels: Readonly<Record<string, string>>;
  /** ClusterSecretStore to read from (external-secrets). @default DEFAULT_HOME_SECRET_STORE ("ring-home-secrets") */
  readonly storeName?: string;
  /** How often a rotated secret is copied again (external-secrets). @default DEFAULT_SECRET_REFRESH_INTERVAL ("1h") */
  readonly refreshInterval?: string;
  /** The ring runs in another cluster than the home namespace (its namespace may then have the home namespace's name). Reflector cannot reach it. @default false */
  readonly remote?: boolean;
}

/**
 * The ring's copies of the home secrets. The names the namespace must hold but for which nothing is
 * emitted (mode "none", and typed secrets under Reflector, whose API validation requires data) are in
 * `operatorProvided`, for the Namespace annotation.
 */
export class SyncedSecrets extends Construct {
  /** Synchronised by an object in this construct. */
  public readonly synced: readonly SyncedSecret[];
  /** Expected in the namespace but put there by the operator or by Reflector auto-mirroring. */
  public readonly operatorProvided: readonly SyncedSecret[];

  constructor(scope: Construct, id: string, props: SyncedSecretsProps) {
    super(scope, id);
    if (!props.remote && props.namespace === props.homeNamespace) throw new Error(`synced secrets target "${props.namespace}" is the home namespace; the home ring holds the originals`);
    if (props.remote && props.mode === 'reflector') throw new Error(`synced secrets of a ring in another cluster cannot use Reflector (it mirrors within one cluster); use "external-secrets" or "none"`);
    const secrets = normalizeSecrets(props.secrets);
    const refresh = props.refreshInterval ?? DEFAULT_SECRET_REFRESH_INTERVAL;
    if (!/^([1-9]\d*(s|m|h))+$/.test(refresh)) throw new Error(`refresh interval "${refresh}" is not a duration such as "1h" or "15m"`);
    const synced: SyncedSecret[] = [];
    const operatorProvided: SyncedSecret[] = [];
    for (const s of secrets) {
      const annotations = s.dnsNames?.length ? { [TLS_DNS_NAMES_ANNOTATION]: s.dnsNames.join(',') } : undefined;
      const metadata = { name: s.name, namespace: props.namespace, labels: { ...props.labels }, ...(annotations ? { annotations } : {}) };
      if (props.mode === 'external-secrets') {
        new ExternalSecret(this, `external-secret-${s.name}`, {
          metadata,
          spec: {
            refreshInterval: refresh,
            secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: props.storeName ?? DEFAULT_HOME_SECRET_STORE },
            target: {
              name: s.name,
              creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
              // A source deleted by mistake must not take every ring's copy with it.
              deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
              // No template data: the keys are copied as they are; the type is kept so pull and TLS secrets work.
              template: { type: s.type, engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2, mergePolicy: ExternalSecretSpecTargetTemplateMergePolicy.MERGE },
            },
            dataFrom: [{ extract: { key: s.name } }],
          },
        });
        synced.push(s);
      } else if (props.mode === 'reflector' && s.type === 'Opaque') {
        // An empty Opaque Secret is valid; Reflector fills it from the source and keeps it in step.
        new k8s.KubeSecret(this, `mirror-${s.name}`, {
          metadata: { ...metadata, annotations: { ...(annotations ?? {}), [REFLECTOR_REFLECTS]: `${props.homeNamespace}/${s.name}` } },
          type: 'Opaque',
        });
        synced.push(s);
      } else {
        operatorProvided.push(s);
      }
    }
    this.synced = synced;
    this.operatorProvided = operatorProvided;
  }
}
