/** Flux delivers the rings on the newest Kubernetes minor the Go module proxy serves (test/cluster/versions.env). */
import { clusterVersions } from './control-plane';
import { defineFluxSuite } from './flux-suite';

const versions = clusterVersions().kube;
defineFluxSuite(versions[versions.length - 1]);
