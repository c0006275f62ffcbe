/** rings verify / diff --live on the floor the project targets (Kubernetes 1.29). */
import { clusterVersions } from './control-plane';
import { defineVerifySuite } from './verify-suite';

defineVerifySuite(clusterVersions().kube.find((v) => v.startsWith('1.29.'))!);
