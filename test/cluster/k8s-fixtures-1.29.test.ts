/** Cluster tests on Kubernetes 1.29: the example registries of test/fixtures/registries/ (rings/ is k8s-1.29.test.ts). */
import { clusterVersions } from './control-plane';
import { defineClusterSuite } from './suite';

defineClusterSuite(clusterVersions().kube.find((v) => v.startsWith('1.29.'))!, 'fixtures');
