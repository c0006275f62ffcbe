/** `[gitops]` → the props of the delivery constructs (Argo CD or Flux), every default made explicit. */
import type { ArgoCdDeliveryProps, FluxDeliveryProps } from '../../constructs';
import type { PlatformFile } from '../registry/schema/presets';

export type GitOpsPlan =
  | { readonly tool: 'argo-cd'; readonly argoCd: Omit<ArgoCdDeliveryProps, 'units' | 'kinds'> }
  | { readonly tool: 'flux'; readonly flux: Omit<FluxDeliveryProps, 'units'> };

/** `[gitops]` → the props of the delivery constructs, every default made explicit. */
export function gitopsPlan(p: PlatformFile): GitOpsPlan | undefined {
  const g = p.gitops;
  if (!g) return undefined;
  const oci = g.repo_url.startsWith('oci://');
  const revision = g.revision ?? (oci ? 'latest' : 'main');
  if (g.tool === 'argo-cd') {
    return {
      tool: 'argo-cd',
      argoCd: {
        platform: p.name,
        repoUrl: g.repo_url,
        revision,
        path: g.path,
        namespace: g.namespace ?? 'argocd',
        destinationServer: g.destination_server ?? 'https://kubernetes.default.svc',
        prune: g.prune,
        selfHeal: g.self_heal,
        strategy: g.argo_cd_strategy ?? 'applications',
      },
    };
  }
  return {
    tool: 'flux',
    flux: {
      platform: p.name,
      source: {
        kind: oci ? 'OCIRepository' : 'GitRepository',
        name: g.source_name ?? p.name,
        create: g.create_source ?? true,
        url: g.repo_url,
        revision,
        ...(g.secret_ref ? { secretRef: g.secret_ref } : {}),
      },
      path: g.path,
      namespace: g.namespace ?? 'flux-system',
      interval: g.interval ?? '10m',
      timeout: g.timeout ?? '5m',
      prune: g.prune,
    },
  };
}
