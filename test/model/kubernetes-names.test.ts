/** The syntax of Kubernetes names and labels, once (src/model/kubernetes-names.ts): each with a passing and a failing case. */
import { isDns1035Label, isDnsLabel, isDnsSubdomain, isEnvName, isLabelKey, isLabelValue } from '../../src/model/kubernetes-names';
import { DNS_LABEL as SCHEMA_DNS_LABEL, DNS_1035_LABEL as SCHEMA_DNS_1035_LABEL } from '../../src/registry/schema/schema';
import * as api from '../../src';
import * as model from '../../src/model/kubernetes-names';

describe('kubernetes names', () => {
  test('isDnsLabel: lower-case alphanumerics and -, alphanumeric at both ends, at most 63', () => {
    for (const ok of ['a', 'canary', 'eu-1', '0', 'x'.repeat(63)]) expect([ok, isDnsLabel(ok)]).toEqual([ok, true]);
    for (const bad of ['', 'Canary', '-a', 'a-', 'a.b', 'a_b', 'x'.repeat(64)]) expect([bad, isDnsLabel(bad)]).toEqual([bad, false]);
  });
  test('isDns1035Label: as a DNS label, starting with a letter', () => {
    expect([isDns1035Label('web'), isDns1035Label('w3')]).toEqual([true, true]);
    expect([isDns1035Label('1web'), isDns1035Label('Web'), isDns1035Label('w'.repeat(64))]).toEqual([false, false, false]);
  });
  test('isDnsSubdomain: DNS labels joined by dots, at most 253', () => {
    expect([isDnsSubdomain('redis-auth'), isDnsSubdomain('tls.example.com'), isDnsSubdomain(`${'a'.repeat(63)}.${'b'.repeat(63)}`)]).toEqual([true, true, true]);
    expect([isDnsSubdomain('Bad_Name'), isDnsSubdomain('a..b'), isDnsSubdomain('.a'), isDnsSubdomain('a'.repeat(254))]).toEqual([false, false, false, false]);
  });
  test('isLabelKey: an optional DNS-subdomain prefix, then a name of at most 63', () => {
    for (const ok of ['team', 'acme.io/team', 'app.kubernetes.io/name', 'A_b.c-D']) expect([ok, isLabelKey(ok)]).toEqual([ok, true]);
    for (const bad of ['', '/team', 'Acme.io/team', 'acme.io/', '-team', `x/${'n'.repeat(64)}`, `${'p'.repeat(254)}/n`]) expect([bad, isLabelKey(bad)]).toEqual([bad, false]);
  });
  test('isLabelValue: empty, or at most 63 alphanumerics, -, _, . with alphanumeric ends', () => {
    for (const ok of ['', 'payments', 'v1.2_3-x', 'x'.repeat(63)]) expect([ok, isLabelValue(ok)]).toEqual([ok, true]);
    for (const bad of ['not a value', '-x', 'x.', 'x'.repeat(64), 42]) expect([bad, isLabelValue(bad)]).toEqual([bad, false]);
  });
  test('isEnvName: letters, digits and _, not starting with a digit', () => {
    expect([isEnvName('APP_ENV'), isEnvName('_x1')]).toEqual([true, true]);
    expect([isEnvName('1BAD'), isEnvName('A-B'), isEnvName('')]).toEqual([false, false, false]);
  });
  test('the schema and the public API re-export the very same regexes (no second copy)', () => {
    expect(SCHEMA_DNS_LABEL).toBe(model.DNS_LABEL);
    expect(SCHEMA_DNS_1035_LABEL).toBe(model.DNS_1035_LABEL);
    expect(api.DNS_LABEL).toBe(model.DNS_LABEL);
    expect(api.DNS_1035_LABEL).toBe(model.DNS_1035_LABEL);
  });
});
