/**
 * FluxUnitAccess: least privilege for Flux's delivery of the shared layer and each ring. For every
 * unit and namespace of `unitAccess` (src/model/delivery.ts), a Role there listing exactly the kinds
 * the unit writes (plus read-only ReplicaSets and Pods for its Deployments' health checks), bound
 * to the unit's ServiceAccount in the Flux namespace, which its Kustomization runs as
 * (`serviceAccountName`; kustomize-controller impersonates it). A ring's identity can write nothing
 * outside its namespace, and nothing cluster-scoped.
 *
 * These objects belong in the cluster unit (applied by kustomize-controller's own identity, after
 * the Namespaces they live in, before the units that use them: the units depend on it); the
 * ServiceAccounts are in dist/gitops/ with the Kustomizations (FluxDelivery). Pure: everything
 * comes through props.
 */
import { Construct } from 'constructs';
import { deliveryObjectName, UnitAccess } from '../src/model/delivery';
import { DELIVERY_UNIT_LABEL } from './argo-cd-delivery';
import * as k8s from './k8s';
import { standardLabels } from './labels';

export interface FluxUnitAccessProps {
  /** Platform name: `<platform>-<unit>` names the ServiceAccount, Role and RoleBinding. */
  readonly platform: string;
  /** Flux's namespace, where the ServiceAccounts are. @default "flux-system" */
  readonly fluxNamespace?: string;
  /** What each unit may do, per namespace (`unitAccess` of each rendered unit). */
  readonly access: readonly UnitAccess[];
}

export class FluxUnitAccess extends Construct {
  constructor(scope: Construct, id: string, props: FluxUnitAccessProps) {
    super(scope, id);
    const fluxNamespace = props.fluxNamespace ?? 'flux-system';
    for (const a of props.access) {
      const name = deliveryObjectName(props.platform, a.unit);
      const labels = { ...standardLabels({ name, partOf: props.platform, component: 'delivery' }), [DELIVERY_UNIT_LABEL]: a.unit, ...(a.ring ? { ring: a.ring } : {}) };
      new k8s.KubeRole(this, `${a.unit}-${a.namespace}-role`, {
        metadata: { name, namespace: a.namespace, labels },
        rules: a.rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
      });
      new k8s.KubeRoleBinding(this, `${a.unit}-${a.namespace}-role-binding`, {
        metadata: { name, namespace: a.namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: fluxNamespace }],
      });
    }
  }
}
