/** rings verify / diff --live on the newest minor the Go proxy serves (test/cluster/versions.env). */
import { clusterVersions } from './control-plane';
import { defineVerifySuite } from './verify-suite';

const versions = clusterVersions().kube;
defineVerifySuite(versions[versions.length - 1]);
