/** Defaults and reserved names of a component that validation and the constructs both need. Pure. */

/** The defaults of the ephemeral-storage bounds, MiB. */
export const EPHEMERAL_DEFAULTS = { requestMib: 256, writableSizeLimitMib: 256, limitHeadroomMib: 512 } as const;

/** Label keys the library sets itself; extra labels may not take them. */
export const RESERVED_LABEL_KEYS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/component', 'ring'] as const;
