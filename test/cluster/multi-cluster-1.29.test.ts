/** Rings across clusters on two control planes of the floor the project targets (Kubernetes 1.29). */
import { clusterVersions } from './control-plane';
import { defineMultiClusterSuite } from './multi-cluster-suite';

defineMultiClusterSuite(clusterVersions().kube.find((v) => v.startsWith('1.29.'))!);
