/**
 * Content-addressed object names: `<base>-<hash>`, where the hash is the first 10 hex digits of the
 * SHA-256 of the object's data in canonical form (keys sorted). Used for immutable ConfigMaps that
 * pods read: new content is a new object, so a running pod never sees its files change, and a pod
 * template that names the object rolls when (and only when) the content changes.
 */
import { createHash } from 'crypto';
import { canonicalJson } from './checksum';

/** Hex digits of the hash kept in the name: 40 bits, ample for one object's history. */
export const CONTENT_HASH_LENGTH = 10;

/** The short content hash of `data` (any JSON value; key order does not matter). */
export function contentHash(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data, 0)).digest('hex').slice(0, CONTENT_HASH_LENGTH);
}

/**
 * `<base>-<hash>` for `data`. Throws when the result would not be a valid object name (DNS-1123
 * subdomain, at most 253 characters), naming the base received.
 */
export function contentAddressedName(base: string, data: unknown): string {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(base) || base.length + 1 + CONTENT_HASH_LENGTH > 253) {
    throw new Error(`content-addressed name: expected a base name that is a DNS-1123 subdomain of at most ${252 - CONTENT_HASH_LENGTH} characters, got ${JSON.stringify(base)}`);
  }
  return `${base}-${contentHash(data)}`;
}
