/** Redis run by the shared layer: what validation and the constructs both need. Pure. */

/** Flags the shared layer sets on redis itself (password, persistence): a service's own args may not repeat them. */
export const REDIS_MANAGED_FLAGS = ['--requirepass', '--appendonly', '--appendfsync', '--save', '--dir'] as const;
/** Where redis keeps its append-only file (the redis image's working directory). */
export const REDIS_DATA_DIR = '/data';
