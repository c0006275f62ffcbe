import { changedPaths, diffRenderings, objectKey } from '../../src/operate/object-diff';

const cm = (name: string, data: Record<string, string>, ns = 'x') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });

describe('changedPaths', () => {
  test('names the leaf that changed', () => expect(changedPaths({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } })).toEqual(['a.c']));
  test('quotes keys that are not identifiers', () =>
    expect(changedPaths({ labels: { 'app.kubernetes.io/name': 'a' } }, { labels: { 'app.kubernetes.io/name': 'b' } })).toEqual(['labels["app.kubernetes.io/name"]']));
  test('matches list items by identity: one added host is one path', () => {
    const before = { rules: [{ host: 'a.x' }, { host: 'c.x' }] };
    const after = { rules: [{ host: 'a.x' }, { host: 'b.x' }, { host: 'c.x' }] };
    expect(changedPaths(before, after)).toEqual(['rules[host=b.x]']);
  });
  test('a list of plain values is one field', () => expect(changedPaths({ hosts: ['a', 'b'] }, { hosts: ['a', 'c'] })).toEqual(['hosts']));
  test('equal values have no paths', () => expect(changedPaths({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]));
});

describe('diffRenderings', () => {
  test('reports added, removed and changed objects per file', () => {
    const committed = new Map([['ring-a.yaml', [cm('keep', { k: '1' }), cm('gone', {})]], ['ring-old.yaml', [cm('o', {})]]]);
    const fresh = new Map([['ring-a.yaml', [cm('keep', { k: '2' }), cm('new', {})]], ['ring-new.yaml', [cm('n', {})]]]);
    const d = diffRenderings(committed, fresh);
    expect(d).toEqual([
      { file: 'ring-a.yaml', status: 'changed', added: ['ConfigMap x/new'], removed: ['ConfigMap x/gone'], changed: [{ key: 'ConfigMap x/keep', paths: ['data.k'] }] },
      { file: 'ring-new.yaml', status: 'added', added: ['ConfigMap x/n'], removed: [], changed: [] },
      { file: 'ring-old.yaml', status: 'removed', added: [], removed: ['ConfigMap x/o'], changed: [] },
    ]);
  });
  test('identical renderings have no differences', () => {
    const m = new Map([['a.yaml', [cm('a', {})]]]);
    expect(diffRenderings(m, m, new Map([['a.yaml', 't']]), new Map([['a.yaml', 't']]))).toEqual([]);
  });
  test('same objects with different bytes is still drift', () => {
    const m = new Map([['a.yaml', [cm('a', {})]]]);
    expect(diffRenderings(m, m, new Map([['a.yaml', 't']]), new Map([['a.yaml', 'u']]))).toMatchObject([{ file: 'a.yaml', textOnly: true }]);
  });
  test('objectKey omits the namespace of cluster-scoped objects', () => {
    expect(objectKey({ kind: 'Namespace', metadata: { name: 'n' } })).toBe('Namespace n');
  });
});
