/** Label and annotation keys shared by every construct. */
export const MANAGED_BY = 'cdk8s-rings';
export const RING_LABEL = 'ring';
export const ANNOTATION_PREFIX = 'rings.cdk8s.io';

/** Recommended labels plus `ring: <name>` when the object belongs to a ring. */
export function standardLabels(opts: { name: string; partOf: string; component?: string; ring?: string }): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': opts.name,
    'app.kubernetes.io/part-of': opts.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
  if (opts.component) labels['app.kubernetes.io/component'] = opts.component;
  if (opts.ring) labels[RING_LABEL] = opts.ring;
  return labels;
}

/** The labels a Deployment selects its pods by: stable for the life of the Deployment, no hashes. */
export function selectorLabels(name: string, ring?: string): Record<string, string> {
  return ring ? { 'app.kubernetes.io/name': name, [RING_LABEL]: ring } : { 'app.kubernetes.io/name': name };
}
