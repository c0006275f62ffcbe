/** AutoCom's lock files as they are: both forms read, reported and kept; each rule with a passing and a failing case. */
import { newHashes } from '../../src/operate/new-hashes';
import { parseHistory } from '../../src/operate/history';
import { lockFileText } from '../../src/model/lock';
import { lockFormatOf } from '../../src/registry/schema/schema';
import { oneHashPerModuleVersion } from '../../src/registry/rules/validate';
import { exampleSources, parse, planOf, problemsOf, sourcesWith } from '../support/registry-fixture';

const H = (c: string) => c.repeat(64);
const canaryLock = () => JSON.parse(exampleSources().get('locks/canary.lock.json')!);
const withCanaryLock = (lock: unknown) => sourcesWith({ 'locks/canary.lock.json': `${JSON.stringify(lock, null, 4)}\n` });

describe('lock format detection', () => {
  test("a file with a modules table is the hashed form (AutoCom's lock); a map of versions is flat", () => {
    expect(lockFormatOf({ modules: { a: { version: '1.0.0', sha256: H('a') } } })).toBe('hashed');
    expect(lockFormatOf({ orders: '1.6.0' })).toBe('flat');
    expect(lockFormatOf({ modules: '1.0.0' })).toBe('flat');
  });
  test('the example locks are read as hashed, with their metadata; a flat lock still loads', () => {
    const reg = parse(exampleSources());
    expect(Object.values(reg.locks).map((l) => l.format)).toEqual(['hashed', 'hashed', 'hashed', 'hashed']);
    expect(reg.locks.canary.metadata).toMatchObject({ generated_at: '2026-11-21T10:00:00+00:00' });
    expect(reg.locks.canary.hashes?.orders).toMatch(/^[0-9a-f]{64}$/);
    const flat = Object.fromEntries(Object.entries(canaryLock().modules).map(([a, p]: [string, any]) => [a, p.version]));
    const l = parse(withCanaryLock(flat)).locks.canary;
    expect([l.format, l.modules.orders, l.hashes]).toEqual(['flat', '1.6.1', {}]);
  });
  test("pods read AutoCom's form as AutoCom reads it (pairs and metadata), in canonical key order", () => {
    const ring = planOf(exampleSources()).rings.find((r) => r.name === 'canary')!;
    const text = lockFileText(ring.lock!, ring.lockMetadata);
    const json = JSON.parse(text);
    expect(json.modules.orders).toEqual({ version: '1.6.1', sha256: canaryLock().modules.orders.sha256 });
    expect(json._readme).toMatch(/module:lock/);
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
  });
});

describe('sha256 is 64 lower-case hex characters', () => {
  test('passes: the example', () => {
    expect(() => parse(exampleSources())).not.toThrow();
  });
  test('fails: upper case, short, missing', () => {
    const lock = canaryLock();
    lock.modules.orders.sha256 = lock.modules.orders.sha256.toUpperCase();
    lock.modules.crm.sha256 = 'abc123';
    delete lock.modules.ai.sha256;
    expect(problemsOf(withCanaryLock(lock))).toEqual([
      'rings/locks/canary.lock.json: modules.ai.sha256: missing: expected a sha256 (64 lower-case hex characters)',
      'rings/locks/canary.lock.json: modules.crm.sha256: expected a sha256: 64 lower-case hex characters, got "abc123"',
      expect.stringMatching(/^rings\/locks\/canary\.lock\.json: modules\.orders\.sha256: expected a sha256: 64 lower-case hex characters, got /),
    ]);
  });
});

describe('oneHashPerModuleVersion: the same version pinned with two hashes in two rings is an error', () => {
  test('passes: the example (every shared version has one hash)', () => {
    const reg = parse(exampleSources());
    expect(oneHashPerModuleVersion({ locks: reg.locks } as any)).toEqual([]);
  });
  test('fails: canary pins crm 1.5.3 with another hash than edge and experimental do', () => {
    const lock = canaryLock();
    const real = lock.modules.crm.sha256;
    lock.modules.crm.sha256 = H('f');
    expect(problemsOf(withCanaryLock(lock))).toEqual([
      `rings/locks/canary.lock.json: modules.crm.sha256: expected ${real} (crm 1.5.3 as rings/locks/edge.lock.json, rings/locks/experimental.lock.json, rings/locks/stable.lock.json pin it: one version is one artifact), got ${H('f')}`,
    ]);
  });
  test('a different version may have a different hash', () => {
    const lock = canaryLock();
    lock.modules.crm = { version: '1.5.9', sha256: H('f') };
    expect(() => parse(withCanaryLock(lock))).not.toThrow();
  });
});

describe('rings check --strict: a hash no other ring and no history line has seen is new', () => {
  const history = () => parseHistory(require('fs').readFileSync('rings/history.jsonl', 'utf8')).entries;
  test('passes: every hash of the example is pinned elsewhere or recorded', () => {
    expect(newHashes(parse(exampleSources()), history())).toEqual([]);
  });
  test('fails: a version only canary pins, with a hash nobody recorded', () => {
    const lock = canaryLock();
    lock.modules.crm = { version: '1.5.9', sha256: H('f') };
    expect(newHashes(parse(withCanaryLock(lock)), history()).map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      `rings/locks/canary.lock.json: modules.crm.sha256: new hash ${H('f')} for crm 1.5.9: no other ring pins it and no history line records it; check it is the artifact meant, and pin new artifacts with rings promote --with-version --sha256 (which records them)`,
    ]);
    // Once a history line records it, it is not new.
    const recorded = [...history(), { ...history()[1], module: 'crm', new: '1.5.9', new_sha256: H('f') }];
    expect(newHashes(parse(withCanaryLock(lock)), recorded)).toEqual([]);
  });
});
