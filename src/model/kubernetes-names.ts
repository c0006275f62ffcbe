/**
 * The syntax of Kubernetes names, label keys and values, and environment variable names: the one
 * definition the registry's schema and rules, the constructs and the CLI all test against (as the API
 * server's apimachinery validation spells them). Pure.
 */

/** DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric (at most 63: see isDnsLabel). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1035 label (Service names): as DNS-1123 but must start with a letter (at most 63: see isDns1035Label). */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A label value: empty, or alphanumerics, '-', '_' and '.', starting and ending alphanumeric (at most 63: see isLabelValue). */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** The name part of a label or annotation key (after the optional `prefix/`), at most 63 characters. */
export const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** An environment variable name as the registry and the constructs accept it: letters, digits and '_', not starting with a digit. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Longest DNS label, label name part and label value. */
export const MAX_DNS_LABEL = 63;
/** Longest DNS subdomain (most object names, a label key's prefix). */
export const MAX_DNS_SUBDOMAIN = 253;

/** A DNS-1123 label of at most 63 characters (namespaces, ring names, tenant names, hostname segments). */
export function isDnsLabel(s: string): boolean {
  return s.length <= MAX_DNS_LABEL && DNS_LABEL.test(s);
}

/** A DNS-1035 label of at most 63 characters (Service and component names). */
export function isDns1035Label(s: string): boolean {
  return s.length <= MAX_DNS_LABEL && DNS_1035_LABEL.test(s);
}

/** A DNS-1123 subdomain: DNS labels joined by '.', at most 253 characters (Secret and PriorityClass names). */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= MAX_DNS_SUBDOMAIN && s.split('.').every((l) => DNS_LABEL.test(l));
}

/** A label (or annotation) key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function isLabelKey(k: string): boolean {
  const slash = k.lastIndexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  return LABEL_NAME.test(name) && (prefix === undefined || isDnsSubdomain(prefix));
}

/** A label value of at most 63 characters (the empty value included). */
export function isLabelValue(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_DNS_LABEL && LABEL_VALUE.test(v);
}

/** An environment variable name (see ENV_NAME). */
export function isEnvName(k: string): boolean {
  return ENV_NAME.test(k);
}
