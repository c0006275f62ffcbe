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

/** A volume name for a writable path: `/var/cache/nginx` → `writable-var-cache-nginx`. */
export function writableVolumeName(path: string): string {
  const slug = path.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';
  return `writable-${slug}`.slice(0, 63).replace(/-+$/, '');
}
