/** Registry rules of issue 11 (escape hatches, redis, selectors, patches), each with a passing and a failing case. */
import { exampleSources, parse, planOf, problemsOf } from '../../support/registry-fixture';

const PLATFORM = 'platform.toml';
/** The example registry with `find` replaced in platform.toml (and optionally a ring file appended to). */
function withEdits(platform: [string, string][], ringAppend?: [string, string]): Map<string, string> {
  const s = exampleSources();
  let text = s.get(PLATFORM)!;
  for (const [find, replace] of platform) {
    if (!text.includes(find)) throw new Error(`not in platform.toml: ${find}`);
    text = text.replace(find, replace);
  }
  s.set(PLATFORM, text);
  if (ringAppend) s.set(ringAppend[0], `${s.get(ringAppend[0])}\n${ringAppend[1]}\n`);
  return s;
}
const HORIZON = '[components.horizon]\n';
const valid = (s: Map<string, string>) => expect(() => parse(s)).not.toThrow();

describe('componentSettingsValid', () => {
  test('passes: node selector, tolerations, priority class, labels, annotations, env, ephemeral bounds, init dirs', () => {
    valid(withEdits([[HORIZON, `${HORIZON}node_selector = { "node-pool" = "workers" }\ntolerations = [{ key = "dedicated", operator = "Equal", value = "workers", effect = "NoSchedule" }]\npriority_class = "platform-batch"\nlabels = { "acme.io/team" = "payments" }\nannotations = { "prometheus.io/scrape" = "true" }\nenv = { PHP_MEMORY_LIMIT = "512M" }\nephemeral_storage_request_mib = 512\nephemeral_storage_limit_mib = 2048\nwritable_size_limit_mib = 512\ninit_dirs = ["/app/storage/logs"]\n`]]));
  });
  test('fails: env secret-looking, reserved or malformed; a selector label; a bad label value; limits; init dir outside', () => {
    const s = withEdits([[HORIZON, `${HORIZON}env = { API_TOKEN = "x", REDIS_PASSWORD = "y", "1BAD" = "z" }\nlabels = { ring = "x", "acme.io/ok" = "not a value" }\nephemeral_storage_request_mib = 900\nephemeral_storage_limit_mib = 700\ninit_dirs = ["/var/log/app"]\n`]]);
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: components.horizon.env.1BAD: expected an environment variable name (letters, digits and _)',
      'rings/platform.toml: components.horizon.env.API_TOKEN: expected a non-secret value, got what looks like a secret (value not shown); keep it in a Secret in the home namespace',
      'rings/platform.toml: components.horizon.env.REDIS_PASSWORD: expected a variable the registry does not set itself (RING_NAME, MODULE_LOCK_PATH, DB_*, REDIS_* come from the registry)',
      'rings/platform.toml: components.horizon.ephemeral_storage_limit_mib: expected at least 768 (the size limits of the 3 writable paths together: the pod is evicted past its limit), got 700',
      'rings/platform.toml: components.horizon.ephemeral_storage_request_mib: expected at most ephemeral_storage_limit_mib (700), got 900',
      'rings/platform.toml: components.horizon.init_dirs.0: expected a folder inside a writable path (/tmp, /app/storage, /app/bootstrap/cache; the root filesystem is read-only), got "/var/log/app"',
      'rings/platform.toml: components.horizon.labels."acme.io/ok": expected a label value (at most 63 alphanumerics, -, _, .), got "not a value"',
      'rings/platform.toml: components.horizon.labels.ring: expected a label the library does not set (app.kubernetes.io/name, app.kubernetes.io/part-of, app.kubernetes.io/managed-by, app.kubernetes.io/component, ring select the pods)',
    ]);
  });
  test('a ring overrides a component: maps merge (the ring wins), the rest is replaced', () => {
    const plan = planOf(withEdits([[HORIZON, `${HORIZON}env = { A = "platform", B = "platform" }\nnode_selector = { pool = "a" }\n`]], ['edge.toml', '[components.horizon]\nenv = { B = "edge" }\ncpu_limit_millicores = 3000\nmemory_request_mib = 2048\nmemory_limit_mib = 3072']));
    const horizon = (ring: string) => plan.rings.find((r) => r.name === ring)!.workload.find((c) => c.name === 'horizon')!;
    expect(horizon('edge').env).toEqual({ A: 'platform', B: 'edge' });
    expect(horizon('edge').nodeSelector).toEqual({ pool: 'a' });
    expect([horizon('edge').cpuLimitMillicores, horizon('edge').memoryRequestMib, horizon('edge').memoryLimitMib]).toEqual([3000, 2048, 3072]);
    expect([horizon('canary').cpuLimitMillicores, horizon('canary').env]).toEqual([2000, { A: 'platform', B: 'platform' }]);
  });
  test('fails: a ring override whose request exceeds the platform limit', () => {
    expect(problemsOf(withEdits([], ['edge.toml', '[components.api]\ncpu_request_millicores = 2500']))).toEqual([
      'rings/edge.toml: components.api.cpu_request_millicores: expected at most cpu_limit_millicores (2000) after this ring\'s overrides, got 2500',
    ]);
  });
  test('fails: api or horizon memory given alone (request and limit replace the memory rule together)', () => {
    expect(problemsOf(withEdits([[HORIZON, `${HORIZON}memory_request_mib = 100000\n`]]))).toEqual([
      'rings/platform.toml: components.horizon.memory_limit_mib: missing: expected memory_limit_mib next to memory_request_mib (together they replace the memory rule for this component)',
    ]);
    expect(problemsOf(withEdits([], ['edge.toml', '[components.api]\nmemory_limit_mib = 4096']))).toEqual([
      'rings/edge.toml: components.api.memory_request_mib: missing: expected memory_request_mib next to memory_limit_mib (together they replace the memory rule for this component)',
    ]);
  });
  test('fails: an unknown key in a ring override says what it meant', () => {
    expect(problemsOf(withEdits([], ['edge.toml', '[components.api]\nnode_selectr = { a = "b" }']))).toEqual(["rings/edge.toml: components.api.node_selectr: unknown key; did you mean 'node_selector'?"]);
  });
});

describe('affinityMatchesTheSchema', () => {
  const affinity = (a: string) => withEdits([[HORIZON, `${HORIZON}affinity = ${a}\n`]]);
  test('passes: a node affinity as the Kubernetes API spells it', () => {
    valid(affinity('{ nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms = [{ matchExpressions = [{ key = "pool", operator = "In", values = ["a"] }] }] } } }'));
  });
  test('fails: a misspelled field (strict, as kubeconform -strict)', () => {
    expect(problemsOf(affinity('{ nodeAfinity = {} }'))).toEqual([
      'rings/platform.toml: components.horizon.affinity: expected a Kubernetes Affinity (core/v1, camelCase fields), got one where / must NOT have additional properties (additionalProperty: "nodeAfinity")',
    ]);
  });
});

describe('redisSettingsAreTheRegistrys', () => {
  test('passes: other redis flags', () => valid(withEdits([['memory_limit_mib = 512\nwritable_paths = ["/tmp"]\n\n', 'memory_limit_mib = 512\nwritable_paths = ["/tmp"]\nargs = ["--maxmemory", "400mb"]\n\n']])));
  test('fails: args repeating a managed flag; /data as an emptyDir under AOF', () => {
    const s = withEdits([['memory_limit_mib = 512\nwritable_paths = ["/tmp"]\n\n', 'memory_limit_mib = 512\nwritable_paths = ["/tmp", "/data"]\nargs = ["--appendonly", "no", "--requirepass=x"]\n\n']]);
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: shared.services.2.args.0: expected no --appendonly: the shared layer sets it from [redis] (password_secret, persistence), got it in args',
      'rings/platform.toml: shared.services.2.args.2: expected no --requirepass: the shared layer sets it from [redis] (password_secret, persistence), got it in args',
      'rings/platform.toml: shared.services.2.writable_paths.1: expected no "/data": with redis.persistence = "aof" it holds the append-only file on a PersistentVolumeClaim',
    ]);
  });
  test('persistence = "none" must be written out, and then /data may be an emptyDir', () => {
    const plan = planOf(withEdits([['persistence = "aof"', 'persistence = "none"'], ['memory_limit_mib = 512\nwritable_paths = ["/tmp"]\n\n', 'memory_limit_mib = 512\nwritable_paths = ["/tmp", "/data"]\n\n']]));
    expect(plan.shared.redis!.persistence).toEqual({ mode: 'none' });
    expect(planOf(exampleSources()).shared.redis).toMatchObject({ service: 'redis', passwordSecret: 'redis-auth', passwordKey: 'password', persistence: { mode: 'aof', sizeGib: 8 }, minAvailable: 1 });
  });
});

describe('selectorsAreLabels', () => {
  test('passes: the example registry (minio pod_selector, controller pod labels)', () => valid(exampleSources()));
  test('fails: a selector value that is no label value', () => {
    expect(problemsOf(withEdits([['pod_selector = { "app.kubernetes.io/name" = "minio" }', 'pod_selector = { "app.kubernetes.io/name" = "min io" }']]))).toEqual([
      'rings/platform.toml: shared.external.2.pod_selector."app.kubernetes.io/name": expected a label value (at most 63 alphanumerics, -, _, .), got "min io"',
    ]);
  });
});

describe('patchesTargetExistingRings', () => {
  const PATCH = '\n[[patches]]\nkind = "Deployment"\nname = "api"\n';
  test('passes: a patch scoped to an existing ring', () => valid(withEdits([['[app_settings]', `${PATCH}ring = "edge"\njson_patch = [{ op = "add", path = "/metadata/annotations/x", value = "y" }]\n\n[app_settings]`]])));
  test('fails: an unknown ring', () => {
    expect(problemsOf(withEdits([['[app_settings]', `${PATCH}ring = "beta"\njson_patch = []\n\n[app_settings]`]]))).toEqual([
      'rings/platform.toml: patches.0.ring: expected an existing ring (canary, edge, experimental, stable), got "beta"',
    ]);
  });
  test('fails (schema): neither or both of json_patch and strategic_merge', () => {
    const s = withEdits([['[app_settings]', `${PATCH}\n[[patches]]\nkind = "Deployment"\nname = "api"\njson_patch = []\nstrategic_merge = {}\n\n[app_settings]`]]);
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: patches.0: expected exactly one of json_patch and strategic_merge, got a table',
      'rings/platform.toml: patches.1: expected exactly one of json_patch and strategic_merge, got a table',
    ]);
  });
});
