/** Flux delivers rings across two control planes of the newest Kubernetes the Go module proxy serves. */
import { clusterVersions } from './control-plane';
import { defineMultiClusterFluxSuite } from './multi-cluster-flux-suite';

const versions = clusterVersions().kube;
defineMultiClusterFluxSuite(versions[versions.length - 1]);
