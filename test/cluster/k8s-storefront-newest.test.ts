/**
 * Cluster tests on the newest Kubernetes minor: the registries of examples/ (examples/storefront/, a
 * platform that is not AutoCom's: web and worker, memcached, no database). The same suite as rings/.
 */
import { clusterVersions } from './control-plane';
import { defineClusterSuite } from './suite';

const versions = clusterVersions().kube;
defineClusterSuite(versions[versions.length - 1], 'examples');
