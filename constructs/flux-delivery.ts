/**
 * FluxDelivery: Flux syncs dist/ unit by unit. One Kustomization per unit (cluster, shared layer,
 * one per ring), the shared layer depending on the cluster unit and every ring on the shared layer,
 * never on another ring: a broken canary never holds stable back (rings go Ready in parallel; the
 * promotion order is the gates' job). Each waits for its Deployments (health checks). The source
 * (GitRepository or OCIRepository) is written here or referenced by name, and a last Kustomization
 * keeps dist/gitops/ itself in sync.
 *
 * Least privilege: the shared layer's and each ring's Kustomization runs as its own ServiceAccount
 * (`<platform>-<unit>`, written here), which FluxUnitAccess allows only the unit's kinds in the
 * unit's namespace; the cluster unit (Namespaces, cluster-scoped objects and that RBAC) and the
 * delivery Kustomization run as kustomize-controller itself. The Flux namespace is written too,
 * with pruning disabled, so `kubectl apply -k dist/gitops` works on a cluster without it and no
 * prune ever deletes it.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { deliveryObjectName, isClusterUnit } from '../src/model/delivery';
import type { DeliveryCluster, DeliveryUnit } from '../src/model/delivery';
import { DELIVERY_UNIT_LABEL } from './argo-cd-delivery';
import { standardLabels } from './labels';
import { PlainApiObject } from './plain-api-object';
import { KUBECONFIG_SECRET_KEY } from '../src/model/clusters';

export interface FluxSource {
  /** "GitRepository" (https:// or ssh://) or "OCIRepository" (oci://). */
  readonly kind: 'GitRepository' | 'OCIRepository';
  /** The source object's name. */
  readonly name: string;
  /** Write the source object; false references an existing one. @default true */
  readonly create?: boolean;
  /** Repository URL; required when `create` is true. @default none */
  readonly url?: string;
  /** Branch (git) or tag (oci). @default "main" for git, "latest" for oci */
  readonly revision?: string;
  /** Secret with credentials in the delivery namespace, by name (never generated). @default none */
  readonly secretRef?: string;
}

export interface FluxDeliveryProps {
  /** Platform name: the Kustomizations' prefix and `app.kubernetes.io/part-of`. */
  readonly platform: string;
  readonly source: FluxSource;
  /** dist/'s path inside the source. @default "dist" */
  readonly path?: string;
  /** Flux's namespace. @default "flux-system" */
  readonly namespace?: string;
  /** Reconcile interval. @default "10m" */
  readonly interval?: string;
  /** Apply and health-check timeout. @default "5m" */
  readonly timeout?: string;
  /** Delete what leaves dist/. @default true */
  readonly prune?: boolean;
  /** The units, in delivery order (`deliveryUnits`). */
  readonly units: readonly DeliveryUnit[];
  /**
   * Run the shared layer's and each ring's Kustomization as its own ServiceAccount `<platform>-<unit>`
   * (written here, in the Flux namespace). Give them their Roles with FluxUnitAccess, in the cluster
   * unit; without those they may do nothing. @default true
   */
  readonly serviceAccounts?: boolean;
  /** Write the Flux namespace, annotated `kustomize.toolkit.fluxcd.io/prune: disabled`. @default true */
  readonly createNamespace?: boolean;
  /**
   * Rings across clusters: the clusters the units name. Flux runs in the home cluster; a unit on
   * another cluster is applied through that cluster's `kubeconfigSecret` (`kubeConfig.secretRef`, key
   * "value"), as its own ServiceAccount impersonated there, and a ring there depends on its own cluster
   * unit and on the home cluster's shared layer. @default none (one cluster)
   */
  readonly clusters?: readonly DeliveryCluster[];
}

/** Kustomizations of the units that run as their own ServiceAccount: every unit but the cluster units. */
export function runsAsOwnServiceAccount(unit: DeliveryUnit): boolean {
  return !isClusterUnit(unit.name);
}

export class FluxDelivery extends Chart {
  constructor(scope: Construct, id: string, props: FluxDeliveryProps) {
    super(scope, id, { disableResourceNameHashes: true });
    if (!props.units.length) throw new Error('flux delivery: no units to deliver; pass the output of deliveryUnits()');
    const namespace = props.namespace ?? 'flux-system';
    const interval = props.interval ?? '10m';
    const dist = props.path ?? 'dist';
    const unitPath = (unit: string) => (dist === '.' ? unit : `${dist}/${unit}`);
    const src = props.source;
    const labels = (extra: Record<string, string> = {}) => ({ ...standardLabels({ name: props.platform, partOf: props.platform, component: 'delivery' }), ...extra });
    const serviceAccounts = props.serviceAccounts ?? true;

    if (props.createNamespace ?? true) {
      new PlainApiObject(this, 'namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        // Never pruned: deleting the delivery Kustomization (or dist/gitops/ losing this object) must not take Flux with it.
        metadata: { name: namespace, labels: labels(), annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } },
      });
    }
    if (serviceAccounts) {
      for (const u of props.units.filter(runsAsOwnServiceAccount)) {
        const name = deliveryObjectName(props.platform, u.name);
        new PlainApiObject(this, `service-account-${u.name}`, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace, labels: labels({ [DELIVERY_UNIT_LABEL]: u.name, ...(u.ring ? { ring: u.ring } : {}) }) },
          // An identity to impersonate, never to run a pod as: no token is mounted anywhere.
          automountServiceAccountToken: false,
        });
      }
    }

    if (src.create ?? true) {
      if (!src.url) throw new Error(`flux delivery: source "${src.name}" is to be created but has no url; pass source.url or source.create = false`);
      const git = src.kind === 'GitRepository';
      new PlainApiObject(this, 'source', {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: src.kind,
        metadata: { name: src.name, namespace, labels: labels() },
        spec: {
          interval,
          url: src.url,
          ref: git ? { branch: src.revision ?? 'main' } : { tag: src.revision ?? 'latest' },
          ...(src.secretRef ? { secretRef: { name: src.secretRef } } : {}),
        },
      });
    }

    const sourceRef = { kind: src.kind, name: src.name };
    const clusterOf = new Map((props.clusters ?? []).map((c) => [c.name, c]));
    const homeCluster = props.clusters?.find((c) => c.home)?.name;
    // The cluster unit of each cluster: `cluster`, or `cluster-<name>` with clusters.
    const clusterUnitOf = (name: string | undefined) => props.units.find((u) => (props.clusters ? u.name === `cluster-${name}` : u.name === 'cluster'));
    const cluster = clusterUnitOf(homeCluster);
    const shared = props.units.find((u) => u.name === 'shared');
    const remote = (u: DeliveryUnit): DeliveryCluster | undefined => {
      if (u.cluster === undefined || !props.clusters) return undefined;
      const c = clusterOf.get(u.cluster);
      if (!c) throw new Error(`flux delivery: unit ${u.name} is placed on cluster "${u.cluster}", which is not in clusters (${[...clusterOf.keys()].join(', ') || 'none'})`);
      if (c.home) return undefined;
      if (!c.kubeconfigSecret) throw new Error(`flux delivery: cluster ${c.name} has no kubeconfigSecret; Flux applies its units through it`);
      return c;
    };
    const kustomization = (id: string, name: string, path: string, spec: Record<string, unknown>, extraLabels: Record<string, string>) =>
      new PlainApiObject(this, id, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace, labels: labels(extraLabels) },
        spec: { interval, path: `./${path}`, prune: props.prune ?? true, sourceRef, timeout: props.timeout ?? '5m', ...spec },
      });

    for (const u of props.units) {
      const elsewhere = remote(u);
      const dependsOn = u.ring !== undefined ? shared ?? cluster : u.name === 'shared' ? cluster : undefined;
      // A ring on another cluster also waits for its own cluster unit there (its Namespace).
      const own = elsewhere && u.ring !== undefined ? clusterUnitOf(elsewhere.name) : undefined;
      const needs = [dependsOn, own].filter((d): d is DeliveryUnit => d !== undefined && d !== u);
      kustomization(
        `kustomization-${u.name}`,
        deliveryObjectName(props.platform, u.name),
        unitPath(u.name),
        {
          ...(needs.length ? { dependsOn: needs.map((d) => ({ name: deliveryObjectName(props.platform, d.name) })) } : {}),
          ...(serviceAccounts && runsAsOwnServiceAccount(u) ? { serviceAccountName: deliveryObjectName(props.platform, u.name) } : {}),
          ...(u.deployments.length ? { healthChecks: u.deployments.map((d) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: d.name, namespace: d.namespace })) } : {}),
          // Applied (and health-checked) on that cluster, through its kubeconfig Secret.
          ...(elsewhere ? { kubeConfig: { secretRef: { name: elsewhere.kubeconfigSecret!, key: KUBECONFIG_SECRET_KEY } } } : {}),
        },
        { [DELIVERY_UNIT_LABEL]: u.name, ...(u.ring ? { ring: u.ring } : {}) },
      );
    }
    // dist/gitops/ itself: a ring added or retired in the registry reaches Flux through git too.
    kustomization('kustomization-delivery', `${props.platform}-delivery`, unitPath('gitops'), {}, { [DELIVERY_UNIT_LABEL]: 'gitops' });
  }
}
