/**
 * A field path from its keys, in TOML's own syntax: bare keys as they are, any other key quoted, so
 * `tenants."big.corp"` cannot be read as a nested table and odd characters stay visible. The registry's
 * problem lines and the constructs' errors name fields the same way. Pure.
 */
export function fieldPath(keys: readonly (string | number)[]): string {
  return keys.map((k) => (typeof k === 'number' ? String(k) : /^[A-Za-z0-9_-]{1,64}$/.test(k) ? k : quoteKey(k))).join('.');
}

/** Quoted as a TOML basic string; a key longer than 64 characters is cut (…) so one line stays readable. */
function quoteKey(k: string): string {
  const q = JSON.stringify(k.length > 64 ? `${k.slice(0, 60)}…` : k);
  return q.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
