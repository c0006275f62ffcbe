/** Cluster tests on the floor the project targets (Kubernetes 1.29, as cdk8s-plus-29): rings/ and the negative fixtures. */
import { clusterVersions } from './control-plane';
import { defineClusterSuite } from './suite';

defineClusterSuite(clusterVersions().kube.find((v) => v.startsWith('1.29.'))!, 'example');
