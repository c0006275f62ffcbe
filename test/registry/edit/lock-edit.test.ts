/** Byte-preserving lock edits: only the changed entry changes, in either lock form. */
import * as fs from 'fs';
import fc from 'fast-check';
import { editLockText } from '../../../src/registry/edit/lock-edit';
import { propertyRuns } from '../../support/property';

const H = (c: string) => c.repeat(64);

describe('editLockText, flat form', () => {
  const text = '{\n  "b": "1.0.0",\n  "d": "2.0.0"\n}\n';
  test('changes one value in place', () => {
    expect(editLockText(text, 'flat', 'd', { version: '2.1.0' })).toBe('{\n  "b": "1.0.0",\n  "d": "2.1.0"\n}\n');
  });
  test('adds a module in key order when the keys are sorted, at the end when not', () => {
    expect(editLockText(text, 'flat', 'c', { version: '3.0.0' })).toBe('{\n  "b": "1.0.0",\n  "c": "3.0.0",\n  "d": "2.0.0"\n}\n');
    expect(editLockText(text, 'flat', 'a', { version: '3.0.0' })).toBe('{\n  "a": "3.0.0",\n  "b": "1.0.0",\n  "d": "2.0.0"\n}\n');
    const unsorted = '{\n    "z": "1.0.0",\n    "a": "1.0.0"\n}';
    expect(editLockText(unsorted, 'flat', 'm', { version: '1.0.0' })).toBe('{\n    "z": "1.0.0",\n    "a": "1.0.0",\n    "m": "1.0.0"\n}');
  });
  test('removes a module (first, middle, last, only)', () => {
    expect(editLockText(text, 'flat', 'b', null)).toBe('{\n  "d": "2.0.0"\n}\n');
    expect(editLockText(text, 'flat', 'd', null)).toBe('{\n  "b": "1.0.0"\n}\n');
    expect(editLockText('{\n  "a": "1.0.0",\n  "b": "1.0.0",\n  "c": "1.0.0"\n}\n', 'flat', 'b', null)).toBe('{\n  "a": "1.0.0",\n  "c": "1.0.0"\n}\n');
    expect(JSON.parse(editLockText('{"a": "1.0.0"}', 'flat', 'a', null))).toEqual({});
  });
  test('keeps CRLF line endings and a missing final newline', () => {
    const crlf = '{\r\n\t"a": "1.0.0"\r\n}';
    expect(editLockText(crlf, 'flat', 'b', { version: '2.0.0' })).toBe('{\r\n\t"a": "1.0.0",\r\n\t"b": "2.0.0"\r\n}');
  });
  test('an empty lock gets its first module', () => {
    expect(JSON.parse(editLockText('{}\n', 'flat', 'a', { version: '1.0.0' }))).toEqual({ a: '1.0.0' });
  });
});

describe("editLockText, the hashed form (AutoCom's lock)", () => {
  const text = [
    '{',
    '    "_readme": "written by module:lock",',
    '    "modules": {',
    '        "crm": {',
    '            "version": "1.5.3",',
    `            "sha256": "${H('a')}",`,
    '            "source": "gitlab"',
    '        },',
    '        "orders": {',
    '            "version": "1.6.0",',
    `            "sha256": "${H('b')}"`,
    '        }',
    '    },',
    '    "generated_at": "2026-11-20T10:00:00+00:00"',
    '}',
    '',
  ].join('\n');
  test('changes only the version and sha256 values of the entry; metadata and other keys stay', () => {
    const out = editLockText(text, 'hashed', 'crm', { version: '1.5.4', sha256: H('c') });
    expect(out).toBe(text.replace('"1.5.3"', '"1.5.4"').replace(H('a'), H('c')));
  });
  test('adds a module with the siblings\' layout, in key order', () => {
    const out = editLockText(text, 'hashed', 'inventory', { version: '2.6.1', sha256: H('d') });
    expect(out).toContain(['        },', '        "inventory": {', '            "version": "2.6.1",', `            "sha256": "${H('d')}"`, '        },', '        "orders": {'].join('\n'));
    expect(JSON.parse(out).modules.inventory).toEqual({ version: '2.6.1', sha256: H('d') });
    expect(JSON.parse(out).generated_at).toBe('2026-11-20T10:00:00+00:00');
  });
  test('inline module objects stay inline', () => {
    const inline = `{"modules": {\n  "a": { "version": "1.0.0", "sha256": "${H('a')}" }\n}}\n`;
    expect(editLockText(inline, 'hashed', 'b', { version: '1.0.0', sha256: H('b') })).toBe(
      `{"modules": {\n  "a": { "version": "1.0.0", "sha256": "${H('a')}" },\n  "b": { "version": "1.0.0", "sha256": "${H('b')}" }\n}}\n`,
    );
  });
  test('removes a module', () => {
    const out = editLockText(text, 'hashed', 'orders', null);
    expect(Object.keys(JSON.parse(out).modules)).toEqual(['crm']);
    expect(out.split('\n').length).toBe(text.split('\n').length - 4);
  });
  test('refuses a pin without a sha256', () => {
    expect(() => editLockText(text, 'hashed', 'crm', { version: '1.5.4' })).toThrow(/sha256/);
  });
  test('the example locks: a promotion changes exactly two lines', () => {
    const t = fs.readFileSync('rings/locks/stable.lock.json', 'utf8');
    const out = editLockText(t, 'hashed', 'orders', { version: '9.9.9', sha256: H('e') });
    const a = t.split('\n');
    const b = out.split('\n');
    expect(b).toHaveLength(a.length);
    expect(b.filter((l, i) => l !== a[i])).toHaveLength(2);
  });
});

describe('editLockText, property: any layout, any edit → exactly the intended lock, every other entry byte-identical', () => {
  const alias = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const version = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);
  const sha = fc.stringMatching(/^[0-9a-f]{64}$/);
  const layout = fc.constantFrom(2, 4, '\t' as const);
  test('both forms', () => {
    fc.assert(
      fc.property(
        fc.dictionary(alias, fc.tuple(version, sha), { maxKeys: 8 }),
        fc.boolean(),
        layout,
        fc.boolean(),
        fc.boolean(),
        alias,
        fc.option(fc.tuple(version, sha)),
        (lock, autocom, indent, sortKeys, crlf, target, pin) => {
          const keys = Object.keys(lock);
          if (sortKeys) keys.sort();
          const modules = Object.fromEntries(keys.map((k) => [k, autocom ? { version: lock[k][0], sha256: lock[k][1] } : lock[k][0]]));
          let text = `${JSON.stringify(autocom ? { generator: 'module:lock', modules } : modules, null, indent)}\n`;
          if (crlf) text = text.replace(/\n/g, '\r\n');
          const out = editLockText(text, autocom ? 'hashed' : 'flat', target, pin ? { version: pin[0], sha256: pin[1] } : null);
          const expected = { ...modules };
          if (pin) expected[target] = autocom ? { version: pin[0], sha256: pin[1] } : pin[0];
          else delete expected[target];
          const parsed = JSON.parse(out);
          expect(autocom ? parsed.modules : parsed).toEqual(expected);
          if (autocom) expect(parsed.generator).toBe('module:lock');
          if (crlf) expect(out.replace(/\r\n/g, '')).not.toContain('\n');
          // Nothing else changed: undoing the edit gives back the original bytes.
          const form = autocom ? 'hashed' : 'flat';
          const before = lock[target];
          if (before && pin) expect(editLockText(out, form, target, { version: before[0], sha256: before[1] })).toBe(text);
          if (!before && pin) expect(editLockText(out, form, target, null)).toBe(text);
          if (!before && !pin) expect(out).toBe(text);
          // Removing the only module of a flat lock leaves `{}`, which keeps no indentation: adding one
          // back takes the two-space default (see the regular test of that counterexample).
          const layoutLeft = autocom || keys.length > 1 || indent === 2;
          if (before && !pin && (sortKeys || keys[keys.length - 1] === target) && layoutLeft) {
            expect(editLockText(out, form, target, { version: before[0], sha256: before[1] })).toBe(text);
          }
        },
      ),
      propertyRuns(300),
    );
  });
});

describe('editLockText, counterexamples the property found (kept as regular tests)', () => {
  // fast-check, seed -1068110184: [{"e":["0.0.0","a0aa…"]},false,"\t",false,false,"e",null]
  test('a tab-indented lock: a module removed and added back keeps the tabs (AutoCom form)', () => {
    const text = `${JSON.stringify({ generator: 'module:lock', modules: { e: { version: '0.0.0', sha256: H('a') } } }, null, '\t')}\n`;
    const removed = editLockText(text, 'hashed', 'e', null);
    expect(removed).toBe('{\n\t"generator": "module:lock",\n\t"modules": {}\n}\n');
    expect(editLockText(removed, 'hashed', 'e', { version: '0.0.0', sha256: H('a') })).toBe(text);
  });
  test('a tab-indented flat lock keeps its tabs for a new module; emptied to {}, it has no layout left and takes two spaces', () => {
    const text = '{\n\t"e": "0.0.0"\n}\n';
    expect(editLockText(text, 'flat', 'f', { version: '1.0.0' })).toBe('{\n\t"e": "0.0.0",\n\t"f": "1.0.0"\n}\n');
    const removed = editLockText(text, 'flat', 'e', null);
    expect(removed).toBe('{}\n');
    expect(editLockText(removed, 'flat', 'e', { version: '0.0.0' })).toBe('{\n  "e": "0.0.0"\n}\n');
  });
  test('a nested empty modules table in a four-space file gets eight spaces, one step deeper than its line', () => {
    const text = '{\n    "generator": "module:lock",\n    "modules": {}\n}\n';
    expect(editLockText(text, 'hashed', 'a', { version: '1.0.0', sha256: H('b') })).toBe(
      `{\n    "generator": "module:lock",\n    "modules": {\n        "a": {\n            "version": "1.0.0",\n            "sha256": "${H('b')}"\n        }\n    }\n}\n`,
    );
  });
});
