/**
 * PlainApiObject skips cdk8s's resolve pass only when that pass could not change the output:
 * the manifest must be the one a plain ApiObject gives, with or without resolvers and patches.
 */
import { ApiObject, ApiObjectProps, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import fc from 'fast-check';
import { propertyRuns } from '../support/property';
import { PlainApiObject } from '../../constructs';

const props = (spec: unknown): ApiObjectProps => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'tenants', namespace: 'ns', labels: { b: '2', a: '1' }, annotations: { z: 'x' } },
  spec,
  zeta: { nested: [1, null, { y: undefined, x: 'k' }] },
});

function both(spec: unknown, app = new App()) {
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  const plain = new PlainApiObject(chart, 'plain', props(spec));
  const reference = new ApiObject(chart, 'reference', props(spec));
  return { plain, reference };
}

describe('PlainApiObject', () => {
  it('renders exactly what ApiObject renders for plain data (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(json, fc.constant(undefined), fc.constant(null)), { maxKeys: 6, noNullPrototype: true }), (spec) => {
        const { plain, reference } = both(spec);
        expect(JSON.stringify(plain.toJson())).toBe(JSON.stringify(reference.toJson()));
      }),
      propertyRuns(300),
    );
  });

  it('applies JSON patches like ApiObject', () => {
    const { plain, reference } = both({ rules: [{ host: 'a' }] });
    for (const o of [plain, reference]) o.addJsonPatch(JsonPatch.add('/spec/rules/0/host', 'b'));
    expect(plain.toJson()).toEqual(reference.toJson());
    expect(plain.toJson().spec.rules[0].host).toBe('b');
  });

  it('lets custom resolvers see every value', () => {
    const upper: IResolver = { resolve: (c: ResolutionContext) => (typeof c.value === 'string' && c.value.startsWith('t-') ? c.replaceValue(c.value.toUpperCase()) : undefined) };
    const { plain, reference } = both({ rules: [{ host: 't-acme' }] }, new App({ resolvers: [upper] }));
    expect(plain.toJson()).toEqual(reference.toJson());
    expect(plain.toJson().spec.rules[0].host).toBe('T-ACME');
  });

  it('resolves Lazy values and tokens like ApiObject', () => {
    const spec = { a: Lazy.any({ produce: () => ({ x: 1 }) }), b: { resolve: () => 'token' } };
    const { plain, reference } = both(spec);
    expect(plain.toJson()).toEqual(reference.toJson());
    expect(plain.toJson().spec).toEqual({ a: { x: 1 }, b: 'token' });
  });
});
