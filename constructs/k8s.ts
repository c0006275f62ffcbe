/**
 * The Kubernetes 1.29 API classes, from cdk8s-plus-29's generated `k8s` module.
 *
 * Imported by path rather than through `cdk8s-plus-29`'s index: the index loads every cdk8s-plus
 * construct (~60 ms of start-up) and we use none of them — their defaults (resources, probes,
 * hashed selector labels) are exactly what this library sets explicitly instead.
 */
export * from 'cdk8s-plus-29/lib/imports/k8s';
