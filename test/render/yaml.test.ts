/**
 * The fast manifest writer must be byte-identical to cdk8s's `Yaml.stringify` (the `yaml` library):
 * dist/ is reviewed as diffs, so a changed quote or indent would be a spurious change everywhere.
 */
import { Yaml } from 'cdk8s';
import fc from 'fast-check';
import { propertyRuns } from '../support/property';
import * as YAML from 'yaml';
import { renderRegistry } from '../../src/render/pipeline';
import { stringifyDocument, stringifyManifests } from '../../src/render/yaml';

const TRICKY = [
  '', ' ', 'a', 'y', 'Y', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', '~', 'NULL', '<<', '=',
  '0', '-0', 'e5', 'E0', 'e-5', '1', '1.0', '1e3', '.5', '.inf', '-.Inf', '.nan', '0x1F', '0o17', '017', '0b101', '1_000', '12:30:45', '190:20:30.15',
  '2026-01-01', '2026-01-01T10:00:00Z', '*.acme.io', '&a', '!tag', '%x', '@x', '`x', '|', '>', '?', '-', '- a', '? a', 'a: b', 'a:b', 'a:', 'a #b', 'a#b',
  '#x', '[a]', '{a}', 'a,b', "'q'", '"q"', 'a ', ' a', '---', '--- a', '...', 'a\nb', 'a\n', '\n', 'line1\nline2\n', 'x\n---\ny', '\ttab', 'a\tb',
  'é', 'ü: x', '\u0007bell', '\u00a0nbsp', 'sha256:0123abcd', 'registry.example/app:1.2.3', '/api/health', '250m', '1536Mi', 'v1.29', '10.0.0.0/8',
  'app.kubernetes.io/name', 'a'.repeat(1100),
];

/** What cdk8s `Yaml.stringify` does per document. */
const library = (doc: unknown) => YAML.stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' });

describe('stringifyManifests is byte-identical to cdk8s Yaml.stringify', () => {
  it('on every chart of the example registry', () => {
    const { result } = renderRegistry('rings');
    for (const c of result.charts) expect(stringifyManifests(c.objects)).toBe(Yaml.stringify(...c.objects));
  });

  it('on every tricky scalar, as a value, a list item and a key', () => {
    for (const s of TRICKY) {
      const doc = { key: s, list: [s, 1, s], nested: { [s]: s, inList: [{ [s]: [s] }] } };
      expect(stringifyDocument(doc)).toBe(library(doc));
    }
  });

  it('on shared references, empty containers, nested lists, numbers and undefined', () => {
    const shared = { a: 1 };
    const docs: unknown[] = [
      { a: shared, b: shared },
      { e: {}, f: [], g: [{}, []], h: [[1, 2], [3]] },
      { n: [0, -0, 1.5, -2, 1e21, 2 ** 60, Number.NaN, Infinity], u: undefined, z: null, t: true },
      {},
      [],
      'scalar',
    ];
    for (const d of docs) expect(stringifyManifests([d])).toBe(Yaml.stringify(d));
    expect(stringifyManifests([{ a: 1 }, undefined, { b: 2 }])).toBe(Yaml.stringify({ a: 1 }, undefined, { b: 2 }));
  });

  it('on arbitrary JSON documents (property)', () => {
    const str = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.stringMatching(/^[A-Za-z][A-Za-z0-9._/+-]{0,5}$/));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(str, tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(fc.dictionary(str, value, { minKeys: 1, maxKeys: 6 }), (doc) => {
        expect(stringifyDocument(doc)).toBe(library(doc));
      }),
      propertyRuns(500),
    );
  });
});
