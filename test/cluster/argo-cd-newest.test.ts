/** Argo CD delivers the rings on the newest Kubernetes minor the Go module proxy serves (test/cluster/versions.env); the newest only, for CI time. */
import { clusterVersions } from './control-plane';
import { defineArgoCdSuite } from './argo-cd-suite';

const versions = clusterVersions().kube;
defineArgoCdSuite(versions[versions.length - 1]);
