/**
 * The hardening rules, once (src/model/hardening.ts): each with a passing and a failing case, and the
 * proof that the registry's rules and the constructs' validation word the same mistake the same way.
 */
import { validateComponent, ComponentSpec } from '../../constructs';
import {
  annotationKeyProblem,
  disruptionBudgetProblems,
  duplicateEnvProblem,
  envNameProblem,
  extraLabelProblem,
  initDirProblem,
  labelEntryProblem,
  mibProblem,
  plainEnvProblem,
  priorityClassProblem,
  requestOverLimitProblem,
  sizeLimitPathProblem,
  spreadProblem,
  writableSizesOverLimitProblem,
} from '../../src/model/hardening';
import { exampleSources, problemsOf } from '../support/registry-fixture';

describe('hardening rules', () => {
  test('plainEnvProblem: a valid name, not named or shaped like a secret (the value is never shown)', () => {
    expect([plainEnvProblem('APP_ENV', 'production'), plainEnvProblem('TZ', 'UTC')]).toEqual([undefined, undefined]);
    expect(plainEnvProblem('1BAD', 'x')).toBe('expected an environment variable name (letters, digits and _)');
    expect(plainEnvProblem('MAIL_PASSWORD', 'hunter2')).toBe('expected a non-secret value, got what looks like a secret (value not shown); keep it in a Secret in the home namespace');
    expect(plainEnvProblem('INNOCENT', 'base64:c2VjcmV0')).not.toContain('c2VjcmV0');
    expect(plainEnvProblem('INNOCENT', 'base64:c2VjcmV0')).toMatch(/looks like a secret/);
  });
  test('envNameProblem and duplicateEnvProblem', () => {
    expect(envNameProblem('REDIS_PASSWORD')).toBeUndefined();
    expect(envNameProblem('A-B')).toBe('expected an environment variable name (letters, digits and _)');
    expect(duplicateEnvProblem('X')).toBe('expected each environment variable once, got X twice');
  });
  test('extraLabelProblem: not a key the library sets; a valid key and value', () => {
    expect(extraLabelProblem('acme.io/team', 'payments')).toBeUndefined();
    expect(extraLabelProblem('ring', 'x')).toBe('expected a label the library does not set (app.kubernetes.io/name, app.kubernetes.io/part-of, app.kubernetes.io/managed-by, app.kubernetes.io/component, ring select the pods)');
    expect(extraLabelProblem('Bad Key', 'x')).toBe('expected a label key (an optional DNS prefix and a name of at most 63 alphanumerics, -, _, .)');
    expect(extraLabelProblem('team', 'not a value')).toBe('expected a label value (at most 63 alphanumerics, -, _, .), got "not a value"');
  });
  test('labelEntryProblem: selectors may use the library keys; a long value is cut in the message', () => {
    expect(labelEntryProblem('app.kubernetes.io/name', 'minio')).toBeUndefined();
    expect(labelEntryProblem('pool', 'x'.repeat(100))).toBe(`expected a label value (at most 63 alphanumerics, -, _, .), got "${'x'.repeat(60)}…"`);
    expect(labelEntryProblem('pool', 7)).toBe('expected a label value (at most 63 alphanumerics, -, _, .), got number');
  });
  test('annotationKeyProblem', () => {
    expect(annotationKeyProblem('prometheus.io/scrape')).toBeUndefined();
    expect(annotationKeyProblem('not/a/key')).toBe('expected an annotation key (an optional DNS prefix and a name of at most 63 alphanumerics, -, _, .)');
  });
  test('requestOverLimitProblem: in the caller\'s vocabulary, with the context it gives', () => {
    expect(requestOverLimitProblem('cpu_limit_millicores', 2000, 2000)).toBeUndefined();
    expect(requestOverLimitProblem('cpu_limit_millicores', 2000, 2500, "after this ring's overrides")).toBe("expected at most cpu_limit_millicores (2000) after this ring's overrides, got 2500");
    expect(requestOverLimitProblem('memoryLimitMib', 128, 256)).toBe('expected at most memoryLimitMib (128), got 256');
  });
  test('mibProblem and sizeLimitPathProblem', () => {
    expect([mibProblem(1), mibProblem(256)]).toEqual([undefined, undefined]);
    expect([mibProblem(0), mibProblem(1.5)]).toEqual(['expected a whole number of MiB ≥ 1, got 0', 'expected a whole number of MiB ≥ 1, got 1.5']);
    expect(sizeLimitPathProblem('/tmp', ['/tmp'])).toBeUndefined();
    expect(sizeLimitPathProblem('/cache', ['/tmp', '/data'])).toBe('expected one of the writable paths (/tmp, /data), got "/cache"');
  });
  test('writableSizesOverLimitProblem: the limit holds every writable path\'s size limit', () => {
    expect(writableSizesOverLimitProblem(768, [256, 256, 256])).toBeUndefined();
    expect(writableSizesOverLimitProblem(700, [256, 256, 256])).toBe('expected at least 768 (the size limits of the 3 writable paths together: the pod is evicted past its limit), got 700');
    expect(writableSizesOverLimitProblem(100, [256])).toBe('expected at least 256 (the size limits of the writable path: the pod is evicted past its limit), got 100');
  });
  test('initDirProblem: absolute, no .., inside a writable path', () => {
    expect([initDirProblem('/app/storage/logs', ['/tmp', '/app/storage']), initDirProblem('/tmp/', ['/tmp/']), initDirProblem('/x', ['/'])]).toEqual([undefined, undefined, undefined]);
    expect(initDirProblem('/var/log/app', ['/tmp'])).toBe('expected a folder inside a writable path (/tmp; the root filesystem is read-only), got "/var/log/app"');
    expect(initDirProblem('/tmp/../etc', ['/tmp'])).toMatch(/^expected a folder inside a writable path/);
    expect(initDirProblem('tmp/x', ['/tmp'])).toMatch(/^expected a folder inside a writable path/);
    expect(initDirProblem('/tmpx', ['/tmp'])).toMatch(/^expected a folder inside a writable path/);
  });
  test('disruptionBudgetProblems', () => {
    expect([disruptionBudgetProblems(true, 3), disruptionBudgetProblems(false, 1), disruptionBudgetProblems({ minAvailable: 1 }, 1)]).toEqual([[], [], []]);
    expect(disruptionBudgetProblems(false, 2)).toEqual([{ field: '', message: 'expected a PodDisruptionBudget (every component of ≥ 2 replicas has one), got false for 2 replicas' }]);
    expect(disruptionBudgetProblems({}, 2)).toEqual([{ field: '', message: 'expected exactly one of minAvailable and maxUnavailable, got neither' }]);
    expect(disruptionBudgetProblems({ minAvailable: 1, maxUnavailable: -1 }, 2)).toEqual([
      { field: '', message: 'expected exactly one of minAvailable and maxUnavailable, got both' },
      { field: 'maxUnavailable', message: 'expected a whole number ≥ 0, got -1' },
    ]);
  });
  test('priorityClassProblem and spreadProblem', () => {
    expect([priorityClassProblem('platform-batch'), spreadProblem('DoNotSchedule')]).toEqual([undefined, undefined]);
    expect(priorityClassProblem('High_Priority')).toBe('expected a PriorityClass name (a DNS subdomain)');
    expect(spreadProblem('Sometimes')).toBe('expected "ScheduleAnyway" or "DoNotSchedule", got "Sometimes"');
  });
});

describe('one wording: the registry and the constructs refuse the same mistake in the same words', () => {
  const HORIZON = '[components.horizon]\n';
  const registry = (settings: string) => {
    const s = exampleSources();
    s.set('platform.toml', s.get('platform.toml')!.replace(HORIZON, `${HORIZON}${settings}\n`));
    return problemsOf(s).filter((p) => p.includes('components.horizon.'));
  };
  const web: ComponentSpec = { name: 'web', image: 'registry.example/web:1.0.0', replicas: 1, port: 8080, cpuRequestMillicores: 100, cpuLimitMillicores: 200, memoryRequestMib: 64, memoryLimitMib: 128, probe: { kind: 'tcp', port: 8080 } };
  const construct = (c: Partial<ComponentSpec>) => validateComponent({ ...web, ...c });
  /** `<file>: components.horizon.<field>: <message>` and `component web: <field>: <message>` → the message. */
  const message = (line: string) => line.replace(/^(?:[^:]+: components\.horizon\.|component web: )(?:"[^"]*"|[^ :"])+: /, '');

  test.each([
    ['a secret in env', 'env = { API_TOKEN = "x" }', { env: { API_TOKEN: 'x' } }],
    ['a malformed env name', 'env = { "1BAD" = "x" }', { env: { '1BAD': 'x' } }],
    ['a library label', 'labels = { ring = "x" }', { labels: { ring: 'x' } }],
    ['a bad label value', 'labels = { team = "not a value" }', { labels: { team: 'not a value' } }],
    ['a bad node selector key', 'node_selector = { "Bad Key" = "x" }', { nodeSelector: { 'Bad Key': 'x' } }],
    ['a bad annotation key', 'annotations = { "not/a/key" = "x" }', { podAnnotations: { 'not/a/key': 'x' } }],
    ['an init folder outside the writable paths', 'writable_paths = ["/tmp"]\ninit_dirs = ["/var/log/app"]', { writablePaths: ['/tmp'], initDirectories: ['/var/log/app'] }],
    ['an ephemeral-storage limit below the writable sizes', 'writable_paths = ["/tmp"]\nephemeral_storage_request_mib = 64\nephemeral_storage_limit_mib = 100', { writablePaths: ['/tmp'], ephemeralStorageRequestMib: 64, ephemeralStorageLimitMib: 100 }],
  ] as const)('%s', (_what, toml, spec) => {
    const r = registry(toml);
    const c = construct(spec as Partial<ComponentSpec>);
    expect(r).toHaveLength(1);
    expect(c).toHaveLength(1);
    expect(message(c[0])).toBe(message(r[0]));
    expect(message(c[0])).toMatch(/^expected /);
  });
});
