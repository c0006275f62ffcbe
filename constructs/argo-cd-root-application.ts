/**
 * ArgoCdRootApplication: the app of apps. Applied once by hand, it syncs dist/gitops/ (the
 * AppProject and the Applications or ApplicationSet), so the delivery objects themselves come from
 * git, in their sync waves, like everything else.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IN_CLUSTER } from './argo-cd-delivery';
import { standardLabels } from './labels';
import { PlainApiObject } from './plain-api-object';

export interface ArgoCdRootApplicationProps {
  /** Platform name: the Application is `<platform>-delivery`. */
  readonly platform: string;
  readonly repoUrl: string;
  /** @default "main" */
  readonly revision?: string;
  /** Path of the delivery objects' folder in the repository. @default "dist/gitops" */
  readonly path?: string;
  /** Argo CD's namespace. @default "argocd" */
  readonly namespace?: string;
  /** @default "https://kubernetes.default.svc" */
  readonly destinationServer?: string;
  /**
   * The project it belongs to: it creates an AppProject and Applications in Argo CD's namespace,
   * which the platform's own project rightly does not allow. @default "default"
   */
  readonly project?: string;
  /** @default true */
  readonly prune?: boolean;
  /** @default true */
  readonly selfHeal?: boolean;
}

export class ArgoCdRootApplication extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdRootApplicationProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = props.namespace ?? 'argocd';
    new PlainApiObject(this, 'application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${props.platform}-delivery`,
        namespace,
        labels: standardLabels({ name: `${props.platform}-delivery`, partOf: props.platform, component: 'delivery' }),
        // No resources finalizer: deleting the root by mistake must not cascade into the platform.
      },
      spec: {
        project: props.project ?? 'default',
        source: { repoURL: props.repoUrl, targetRevision: props.revision ?? 'main', path: props.path ?? 'dist/gitops' },
        destination: { server: props.destinationServer ?? IN_CLUSTER, namespace },
        syncPolicy: { automated: { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true } },
      },
    });
  }
}
