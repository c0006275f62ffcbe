import { parseToml } from '../../../src/registry/toml';
import { formatLock, setLockVersion, setTenantRing } from '../../../src/registry/edit/toml-edit';

const FILE = `# header comment
[tenants]
acme = "stable"   # big customer
"foo-bar"  =  'edge'
zed = "canary"

# trailing comment
`;

describe('setTenantRing keeps every other byte', () => {
  test('changes only the value of the tenant line, keeping its comment and spacing', () => {
    const r = setTenantRing(FILE, 'acme', 'canary');
    expect(r.previous).toBe('stable');
    expect(r.text).toBe(FILE.replace('acme = "stable"   # big customer', 'acme = "canary"   # big customer'));
  });
  test('quoted keys and literal strings keep their style', () => {
    const r = setTenantRing(FILE, 'foo-bar', 'stable');
    expect(r.previous).toBe('edge');
    expect(r.text).toContain(`"foo-bar"  =  'stable'`);
    expect(r.text.split('\n').filter((l, i) => l !== FILE.split('\n')[i])).toHaveLength(1);
  });
  test('a new tenant is appended after the last entry of the table', () => {
    const r = setTenantRing(FILE, 'newco', 'edge');
    expect(r.previous).toBeUndefined();
    expect(r.text).toBe(FILE.replace('zed = "canary"\n', 'zed = "canary"\nnewco = "edge"\n'));
    expect((parseToml(r.text) as any).value.tenants.newco).toBe('edge');
  });
  test('keys in another table are not touched', () => {
    const text = '[other]\nacme = "x"\n[tenants]\nacme = "stable"\n';
    expect(setTenantRing(text, 'acme', 'edge').text).toBe('[other]\nacme = "x"\n[tenants]\nacme = "edge"\n');
  });
  test('CRLF files stay CRLF', () => {
    const r = setTenantRing('[tenants]\r\nacme = "stable"\r\n', 'acme', 'edge');
    expect(r.text).toBe('[tenants]\r\nacme = "edge"\r\n');
  });
  test('no [tenants] table yet: one is added', () => {
    const r = setTenantRing('# empty\n', 'acme', 'edge');
    expect((parseToml(r.text) as any).value).toEqual({ tenants: { acme: 'edge' } });
    expect(r.text.startsWith('# empty\n')).toBe(true);
  });
  test('the result parses to exactly the intended mapping', () => {
    const r = setTenantRing(FILE, 'zed', 'stable');
    expect((parseToml(r.text) as any).value.tenants).toEqual({ acme: 'stable', 'foo-bar': 'edge', zed: 'stable' });
  });
});

describe('lock formatting is canonical', () => {
  test('sorted keys, 2-space JSON, trailing newline', () => {
    expect(formatLock({ b: '1.0.0', a: '2.0.0' })).toBe('{\n  "a": "2.0.0",\n  "b": "1.0.0"\n}\n');
  });
  test('setLockVersion sets and removes', () => {
    expect(setLockVersion({ a: '1.0.0' }, 'b', '2.0.0')).toEqual({ a: '1.0.0', b: '2.0.0' });
    expect(setLockVersion({ a: '1.0.0', b: '2.0.0' }, 'b', null)).toEqual({ a: '1.0.0' });
  });
  test("the example locks are in AutoCom's form (a promotion edits them in place, see lock-edit.test.ts)", () => {
    const fs = require('fs') as typeof import('fs');
    for (const f of fs.readdirSync('rings/locks')) {
      const json = JSON.parse(fs.readFileSync(`rings/locks/${f}`, 'utf8'));
      expect(Object.values(json.modules).every((p: any) => typeof p.version === 'string' && /^[0-9a-f]{64}$/.test(p.sha256))).toBe(true);
    }
  });
});
