/** Flux delivers rings across two control planes of the floor the project targets (Kubernetes 1.29). */
import { clusterVersions } from './control-plane';
import { defineMultiClusterFluxSuite } from './multi-cluster-flux-suite';

defineMultiClusterFluxSuite(clusterVersions().kube.find((v) => v.startsWith('1.29.'))!);
