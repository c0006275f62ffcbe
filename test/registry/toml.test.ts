/**
 * The tenants.toml fast path gives exactly what the TOML parser and the schema give, and declines
 * (undefined) whatever it does not fully understand, leaving it to the parser.
 */
import fc from 'fast-check';
import { propertyRuns } from '../support/property';
import { tenantsSchema } from '../../src/registry/schema/schema';
import { parseFlatStringTable, parseToml } from '../../src/registry/toml';

const viaParser = (text: string) => {
  const r = parseToml(text);
  return r.ok ? tenantsSchema.safeParse(r.value) : undefined;
};

describe('parseFlatStringTable', () => {
  const line = fc.oneof(
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), fc.string({ maxLength: 8 }), fc.constantFrom('', ' ', '\t', ' # c', '#c')).map(([k, v, tail]) => `${k} = ${JSON.stringify(v)}${tail}`),
    fc.constantFrom('', '  ', '# comment', '\t# x', '[tenants]', ' [ tenants ] # t', '[other]', 'a.b = "x"', '"q" = "x"', "k = 'lit'", 'k = "a\\u0041"', 'k = 1', 'k = """x"""', '__proto__ = "x"', 'k = "x" y'),
    fc.string({ maxLength: 10 }),
  );
  it('agrees with the parser and schema whenever it answers (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol);
        const flat = parseFlatStringTable(text, 'tenants');
        if (flat === undefined) return;
        const reference = viaParser(text);
        expect(reference?.success).toBe(true);
        expect({ tenants: {}, previews: {}, ...flat }).toEqual(reference!.success ? reference!.data : undefined);
        expect(Object.keys((flat as any).tenants ?? {})).toEqual(Object.keys(reference!.success ? reference!.data.tenants : {}));
      }),
      propertyRuns(3000),
    );
  });

  it('reads the usual file and declines duplicates, keys before the header and other tables', () => {
    expect(parseFlatStringTable('# t\n[tenants]\nacme = "stable" # x\r\nfoo-1 = "edge"\n\n', 'tenants')).toEqual({ tenants: { acme: 'stable', 'foo-1': 'edge' } });
    expect(parseFlatStringTable('', 'tenants')).toEqual({});
    expect(parseFlatStringTable('[tenants]\na = "x"\na = "y"\n', 'tenants')).toBeUndefined();
    expect(parseFlatStringTable('a = "x"\n[tenants]\n', 'tenants')).toBeUndefined();
    expect(parseFlatStringTable('[tenants]\n[tenants]\n', 'tenants')).toBeUndefined();
    expect(parseFlatStringTable('[tenants]\na = "x\\ty"\n', 'tenants')).toBeUndefined();
  });
});
