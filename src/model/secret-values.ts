/** What a secret looks like: validation and the constructs both refuse such values in plain settings. Pure. */

/** Values shaped like keys or tokens: `base64:` keys, PEM blocks, long unbroken mixed-case-and-digit strings (not URLs, paths or sentences). */
export function looksLikeSecretValue(value: string): boolean {
  if (/^base64:/.test(value) || /-----BEGIN [A-Z ]*KEY-----/.test(value)) return true;
  return value.length >= 32 && !/[\s/]/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value);
}

/** Variable names that say they hold a secret: KEY, SECRET, PASSWORD, PASSWD, TOKEN, CREDENTIAL(S), PRIVATE as a `_`-separated word. */
export const SECRET_NAMED = /(^|_)(KEY|SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIALS?|PRIVATE)(_|$)/i;

/** A setting that must not be plain: its name says it is a secret, or its value looks like one. */
export function looksLikeSecret(key: string, value: string): boolean {
  return SECRET_NAMED.test(key) || looksLikeSecretValue(value);
}
