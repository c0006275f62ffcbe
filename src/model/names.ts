/**
 * Object and volume names that both the registry's rules and the constructs need: the registry
 * refuses a path or a name that would make the constructs emit an invalid or clashing object.
 */

/** The nginx server block's ConfigMap. */
export const NGINX_CONFIG_MAP = 'nginx-config';
/** Where nginx reads its server block from (the nginx-unprivileged image's include folder). */
export const NGINX_CONFIG_DIR = '/etc/nginx/conf.d';

/** A volume name for a writable path: `/var/cache/nginx` → `writable-var-cache-nginx`. */
export function writableVolumeName(path: string): string {
  const slug = path.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';
  return `writable-${slug}`.slice(0, 63).replace(/-+$/, '');
}
