/** Cluster tests on the newest Kubernetes minor: the example registries of test/fixtures/registries/ (rings/ is k8s-newest.test.ts). */
import { clusterVersions } from './control-plane';
import { defineClusterSuite } from './suite';

const versions = clusterVersions().kube;
defineClusterSuite(versions[versions.length - 1], 'fixtures');
