/**
 * Pod Security `restricted`, spelled out: cdk8s-plus defaults do not meet it (no `capabilities.drop`,
 * no `seccompProfile`), and `enforce` only rejects Pods, so a Deployment that misses one field is
 * accepted and its pods silently never start.
 */
import * as k8s from './k8s';

export function restrictedPodSecurityContext(runAsUser: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    fsGroup: runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(runAsUser: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Volume names are a domain rule the registry checks too (src/model/names.ts). */
export { writableVolumeName } from '../src/model/names';
