/** How found values and field paths appear in problem lines: exact where harmless, never a secret. */
import { describeValue, didYouMean, fieldPath, looksLikeSecretValue, unknownName } from '../../src/registry/errors';
import { parseToml } from '../../src/registry/toml';

describe('describeValue names what was found without echoing secrets', () => {
  test('short plain values are shown as written', () => {
    expect(describeValue('-edge')).toBe('"-edge"');
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue(null)).toBe('null');
  });

  test('secret-looking strings are described, not shown', () => {
    const token = 'ghp_aZ3kQ9mX2pL7vB4nR8tY1wE6sD5fG0hJ3k';
    expect(describeValue(token)).toBe('a string of 38 characters that looks like a secret (not shown)');
    expect(describeValue('base64:c2VjcmV0')).not.toContain('c2VjcmV0');
  });

  test('URLs, paths and sentences are not taken for secrets', () => {
    expect(looksLikeSecretValue('https://shop.example/api/v1/Health2')).toBe(false);
    expect(looksLikeSecretValue('Bleeding edge for 2 QA tenants only, see the runbook')).toBe(false);
  });

  test('TOML dates and out-of-range integers are named by kind', () => {
    const parsed = parseToml('d = 1979-05-27\nn = 99999999999999999999\n');
    if (!parsed.ok) throw new Error('fixture must parse');
    expect(describeValue(parsed.value.d)).toBe('a TOML date/time (1979-05-27)');
    expect(describeValue(parsed.value.n)).toBe('a whole number too large to be exact (beyond 2^53)');
  });
});

describe('parseToml keeps values no schema accepts, so they cannot pass as valid', () => {
  test('an integer the parser wraps to 64 bits stays a bigint, never the small number it wraps to', () => {
    const parsed = parseToml('n = 18446744073709551617\n');
    if (!parsed.ok) throw new Error('fixture must parse');
    expect(typeof parsed.value.n).toBe('bigint');
  });

  test('a safe integer stays a number', () => {
    const parsed = parseToml('n = 3\n');
    expect(parsed.ok && parsed.value.n).toBe(3);
  });
});

describe('fieldPath writes keys in TOML syntax', () => {
  test('bare keys stay bare', () => {
    expect(fieldPath(['shared', 'services', 0, 'host'])).toBe('shared.services.0.host');
  });

  test('keys with dots, spaces or quotes are quoted so they read as one key', () => {
    expect(fieldPath(['tenants', 'Big.Corp'])).toBe('tenants."Big.Corp"');
    expect(fieldPath(['tenants', 'x"y'])).toBe('tenants."x\\"y"');
    expect(fieldPath(['tenants', ''])).toBe('tenants.""');
  });

  test('very long keys are cut', () => {
    expect(fieldPath(['tenants', 'a'.repeat(500)]).length).toBeLessThan(80);
  });
});

describe('unknownName: the one wording of an unknown name the CLI was given, with a "did you mean" from closest', () => {
  test('passes: a close name is suggested, the known names listed', () => {
    expect(unknownName('ring', 'btea', ['stable', 'beta', 'edge'])).toBe('unknown ring "btea"; did you mean "beta"? (rings: stable, beta, edge)');
    expect(unknownName('module', 'ordres', ['ai', 'orders', 'payments'], 'see rings status')).toBe('unknown module "ordres"; did you mean "orders"? (see rings status)');
    expect(didYouMean('promte', ['promote', 'rollback'])).toBe('; did you mean "promote"?');
  });
  test('fails: a far-off name gets no guess, an empty list says none, and a name never suggests itself', () => {
    expect(unknownName('ring', 'frobnicate', ['stable', 'edge'])).toBe('unknown ring "frobnicate" (rings: stable, edge)');
    expect(unknownName('ring', 'beta', [])).toBe('unknown ring "beta" (rings: none)');
    expect(didYouMean('beta', ['beta'])).toBe('');
    expect(didYouMean('zzzzzz', ['orders'])).toBe('');
  });
});
