/** Cluster tests on the newest Kubernetes minor the Go module proxy serves (test/cluster/versions.env): rings/ and the negative fixtures. */
import { clusterVersions } from './control-plane';
import { defineClusterSuite } from './suite';

const versions = clusterVersions().kube;
defineClusterSuite(versions[versions.length - 1], 'example');
