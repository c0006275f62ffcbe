/** Flux delivers the rings on the floor the project targets (Kubernetes 1.29). */
import { clusterVersions } from './control-plane';
import { defineFluxSuite } from './flux-suite';

defineFluxSuite(clusterVersions().kube.find((v) => v.startsWith('1.29.'))!);
