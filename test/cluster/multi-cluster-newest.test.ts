/** Rings across clusters on two control planes of the newest Kubernetes the Go module proxy serves. */
import { clusterVersions } from './control-plane';
import { defineMultiClusterSuite } from './multi-cluster-suite';

const versions = clusterVersions().kube;
defineMultiClusterSuite(versions[versions.length - 1]);
