/**
 * Every cross-file rule: the example registry passes it, and a minimal edit breaks it with a line
 * naming the file, the field and what was expected.
 */
import * as V from '../../../src/registry/rules/validate';
import { Registry } from '../../../src/registry/load';
import { edit, exampleSources, parse, problemsOf, sourcesWith } from '../../support/registry-fixture';

function inputOf(reg: Registry): V.CrossFileInput {
  return {
    dir: reg.dir,
    platform: reg.platform,
    platformFile: 'rings/platform.toml',
    tenantsFile: 'rings/tenants.toml',
    rings: reg.rings,
    tenants: reg.tenants,
    locks: reg.locks,
    lockFiles: Object.values(reg.locks).map((l) => ({ file: l.file, ring: l.ring })),
    ringFiles: reg.rings.map((r) => r.spec.name),
    ringFilesFailed: false,
  };
}

const example = () => inputOf(parse(exampleSources()));

test('the example registry passes every rule', () => {
  for (const rule of V.RULES) expect(rule(example())).toEqual([]);
});

describe('ringFileNamedAfterRing', () => {
  test('passes', () => expect(V.ringFileNamedAfterRing(example())).toEqual([]));
  test('fails when name differs from the file name', () => {
    expect(problemsOf(edit('edge.toml', 'name = "edge"', 'name = "edgy"'))).toContain('rings/edge.toml: name: expected "edge" (the file name), got "edgy"');
  });
});

describe('exactlyOneDefaultRing', () => {
  test('passes', () => expect(V.exactlyOneDefaultRing(example())).toEqual([]));
  test('fails with none', () => {
    expect(problemsOf(edit('stable.toml', /default = true/, 'default = false'))).toContain('rings: expected exactly one ring with default = true, got none');
  });
  test('fails with two, naming both', () => {
    const lines = problemsOf(edit('edge.toml', 'default = false', 'default = true'));
    expect(lines).toContain('rings/edge.toml: default: expected exactly one ring with default = true, got 2 (stable, edge)');
    expect(lines).toContain('rings/stable.toml: default: expected exactly one ring with default = true, got 2 (stable, edge)');
  });
});

describe('unique ring fields', () => {
  test('a duplicate ring name is reported once, on the file not named after it', () => {
    const s = exampleSources();
    s.set('edge2.toml', s.get('edge.toml')!.replace('namespace = "autocom-edge"', 'namespace = "autocom-edge2"').replace('hostname_segment = "edge"', 'hostname_segment = "edge2"').replace('promotion_order = 10', 'promotion_order = 11'));
    s.set('locks/edge2.lock.json', '{}');
    expect(problemsOf(s)).toEqual(['rings/edge2.toml: name: expected "edge2" (the file name), got "edge", the name of the ring in rings/edge.toml']);
  });
  test('uniqueNamespaces passes', () => expect(V.uniqueNamespaces(example())).toEqual([]));
  test('uniqueNamespaces fails', () => {
    expect(problemsOf(edit('edge.toml', 'namespace = "autocom-edge"', 'namespace = "autocom-canary"'))).toContain(
      'rings/edge.toml: namespace: expected a unique namespace, got "autocom-canary", already used by rings/canary.toml',
    );
  });
  test('uniqueHostnameSegments passes', () => expect(V.uniqueHostnameSegments(example())).toEqual([]));
  test('uniqueHostnameSegments fails', () => {
    expect(problemsOf(edit('experimental.toml', 'hostname_segment = "experimental"', 'hostname_segment = "canary"'))).toContain(
      'rings/experimental.toml: hostname_segment: expected a unique hostname segment, got "canary", which rings/canary.toml has first (it is the name of ring canary); give ring experimental another, e.g. its name "experimental"',
    );
  });
  test('uniqueHostnameSegments names both files and which came first: the ring named like the segment keeps it, whatever the file order', () => {
    // canary.toml sorts before edge.toml, but edge is the ring whose name the segment is: the line is on canary.toml.
    expect(problemsOf(edit('canary.toml', 'hostname_segment = "canary"', 'hostname_segment = "edge"'))).toEqual([
      'rings/canary.toml: hostname_segment: expected a unique hostname segment, got "edge", which rings/edge.toml has first (it is the name of ring edge); give ring canary another, e.g. its name "canary"',
    ]);
  });
  test('uniqueHostnameSegments: with no ring named like the segment, the more conservative ring came first; one line per later ring', () => {
    let s = edit('canary.toml', 'hostname_segment = "canary"', 'hostname_segment = "eu"');
    s.set('edge.toml', s.get('edge.toml')!.replace('hostname_segment = "edge"', 'hostname_segment = "eu"'));
    s.set('experimental.toml', s.get('experimental.toml')!.replace('hostname_segment = "experimental"', 'hostname_segment = "eu"'));
    expect(problemsOf(s)).toEqual([
      'rings/canary.toml: hostname_segment: expected a unique hostname segment, got "eu", which rings/edge.toml has first (edge is the more conservative ring: promotion_order 10 < 20); give ring canary another, e.g. its name "canary"',
      'rings/experimental.toml: hostname_segment: expected a unique hostname segment, got "eu", which rings/edge.toml has first (edge is the more conservative ring: promotion_order 10 < 30); give ring experimental another, e.g. its name "experimental"',
    ]);
    // No suggestion of a name another ring already uses as its segment.
    s = edit('canary.toml', 'hostname_segment = "canary"', 'hostname_segment = "eu"');
    s.set('edge.toml', s.get('edge.toml')!.replace('hostname_segment = "edge"', 'hostname_segment = "eu"'));
    s.set('experimental.toml', s.get('experimental.toml')!.replace('hostname_segment = "experimental"', 'hostname_segment = "canary"'));
    expect(problemsOf(s)).toEqual([
      'rings/canary.toml: hostname_segment: expected a unique hostname segment, got "eu", which rings/edge.toml has first (edge is the more conservative ring: promotion_order 10 < 20); give ring canary another',
    ]);
  });
  test('uniquePromotionOrders passes', () => expect(V.uniquePromotionOrders(example())).toEqual([]));
  test('uniquePromotionOrders fails', () => {
    expect(problemsOf(edit('experimental.toml', 'promotion_order = 30', 'promotion_order = 20'))).toContain(
      'rings/experimental.toml: promotion_order: expected a unique promotion order, got 20, already used by rings/canary.toml',
    );
  });
});

describe('everyRingHasALock / everyLockHasARing', () => {
  test('everyRingHasALock passes', () => expect(V.everyRingHasALock(example())).toEqual([]));
  test('everyRingHasALock fails for a ring without a lock', () => {
    expect(problemsOf(sourcesWith({ 'locks/canary.lock.json': undefined }))).toContain('rings/canary.toml: expected a lock file rings/locks/canary.lock.json, found none');
  });
  test('everyLockHasARing passes', () => expect(V.everyLockHasARing(example())).toEqual([]));
  test('everyLockHasARing fails for a lock without a ring', () => {
    expect(problemsOf(sourcesWith({ 'locks/beta.lock.json': '{"orders": "1.0.0"}\n' }))).toContain('rings/locks/beta.lock.json: expected a ring file rings/beta.toml for this lock, found none');
  });
});

describe('homeRingExists', () => {
  test('passes', () => expect(V.homeRingExists(example())).toEqual([]));
  test('fails for an unknown home ring', () => {
    expect(problemsOf(edit('platform.toml', 'home_ring = "stable"', 'home_ring = "prod"'))).toContain(
      'rings/platform.toml: home_ring: expected the name of a ring, got "prod" (rings: stable, edge, canary, experimental)',
    );
  });
});

describe('tenantsOnActiveRings', () => {
  test('passes', () => expect(V.tenantsOnActiveRings(example())).toEqual([]));
  test('fails for an unknown ring', () => {
    expect(problemsOf(edit('tenants.toml', 'acme = "stable"', 'acme = "beta"'))).toContain(
      'rings/tenants.toml: tenants.acme: expected an existing ring (canary, edge, experimental, stable), got "beta"',
    );
  });
  test('fails for an inactive ring', () => {
    expect(problemsOf(edit('experimental.toml', 'active = true', 'active = false'))).toContain(
      'rings/tenants.toml: tenants.internal-qa: expected an active ring, got "experimental" (active = false in rings/experimental.toml)',
    );
  });
});

describe('tenantNamesAreDnsLabels', () => {
  test('passes', () => expect(V.tenantNamesAreDnsLabels(example())).toEqual([]));
  test('fails for an upper-case tenant', () => {
    expect(problemsOf(edit('tenants.toml', 'acme = "stable"', 'Acme_Corp = "stable"'))).toContain(
      "rings/tenants.toml: tenants.Acme_Corp: expected a tenant name that is a DNS label (lower-case letters, digits and '-', at most 63 characters)",
    );
  });
});

describe('sharedNamesDoNotCollide', () => {
  test('passes', () => expect(V.sharedNamesDoNotCollide(example())).toEqual([]));
  test('fails for a shared service named like a per-ring object', () => {
    expect(problemsOf(edit('platform.toml', 'name = "indian-post"', 'name = "nginx"'))).toContain(
      'rings/platform.toml: shared.services[name=nginx].name: expected a name no ring uses for its own objects (api, horizon, nginx, ring-config, module-lock, nginx-config), got "nginx"',
    );
  });
  test('fails for a duplicate shared name', () => {
    expect(problemsOf(edit('platform.toml', 'name = "minio"', 'name = "redis"'))).toContain('rings/platform.toml: shared.external[name=redis].name: expected a unique shared service name, got "redis" twice');
  });
});

describe('sharedHostsAreUnique', () => {
  test('passes', () => expect(V.sharedHostsAreUnique(example())).toEqual([]));
  test('fails when two shared services claim one host', () => {
    expect(problemsOf(edit('platform.toml', 'host = "docs"', 'host = "app"'))).toContain(
      'rings/platform.toml: shared.services[name=docs].host: expected a host no other shared service claims, got "app", already claimed by frontend (listed before it)',
    );
  });
});

describe('tenantHostsDoNotCollideWithSharedHosts', () => {
  test('passes', () => expect(V.tenantHostsDoNotCollideWithSharedHosts(example())).toEqual([]));
  test('fails for a tenant named like a shared host', () => {
    expect(problemsOf(edit('tenants.toml', 'acme = "stable"', 'docs = "stable"'))).toContain(
      'rings/tenants.toml: tenants.docs: expected a tenant whose host docs.acme.io is free, got one the shared service docs already claims',
    );
  });
});

describe('appSettingsAreNotSecrets', () => {
  const secret = 'base64:c2VjcmV0LWFwcC1rZXktdGhhdC1tdXN0LW5vdC1sZWFr';
  test('passes', () => expect(V.appSettingsAreNotSecrets(example())).toEqual([]));
  test('fails for an APP_KEY, without echoing it', () => {
    const lines = problemsOf(edit('platform.toml', 'APP_ENV = "production"', `APP_ENV = "production"\nAPP_KEY = "${secret}"`));
    expect(lines.join('\n')).toContain('rings/platform.toml: app_settings.APP_KEY: expected a non-secret setting, got what looks like a secret (value not shown)');
    expect(lines.join('\n')).not.toContain(secret.slice(7, 20));
  });
  test('fails for a token under an innocent name, without echoing it', () => {
    const token = 'ghp8Xk2LmQ9rT4vW7yZ1aB3cD5eF6gH0iJkLmN';
    const lines = problemsOf(edit('platform.toml', 'APP_ENV = "production"', `APP_ENV = "production"\nGITHUB = "${token}"`));
    expect(lines.join('\n')).toContain('app_settings.GITHUB: expected a non-secret setting');
    expect(lines.join('\n')).not.toContain(token.slice(4, 16));
  });
  test('fails for a reserved setting', () => {
    expect(problemsOf(edit('platform.toml', 'APP_ENV = "production"', 'RING_NAME = "x"'))[0]).toMatch(/app_settings\.RING_NAME: expected a setting the ring ConfigMap does not set itself/);
  });
});

describe('locksFitAConfigMap', () => {
  test('passes', () => expect(V.locksFitAConfigMap(example())).toEqual([]));
  test('fails for a lock over 1 MiB', () => {
    const big: Record<string, string> = {};
    for (let i = 0; i < 40000; i++) big[`module-${String(i).padStart(6, '0')}`] = '1.0.0';
    const lines = problemsOf(sourcesWith({ 'locks/experimental.lock.json': JSON.stringify(big) }));
    expect(lines.some((l) => /^rings\/locks\/experimental\.lock\.json: expected a lock of at most 1024000 bytes \(it becomes a ConfigMap, limit 1 MiB\), got \d+$/.test(l))).toBe(true);
  });
});

describe('memoryStaysSane', () => {
  test('passes', () => expect(V.memoryStaysSane(example())).toEqual([]));
  test('fails for coefficients giving more than 64 GiB', () => {
    expect(problemsOf(edit('platform.toml', 'per_module_mib = 32', 'per_module_mib = 4096'))).toContain(
      'rings/platform.toml: memory: expected coefficients giving at most 64 GiB per pod, got 160128 MiB for 26 modules',
    );
  });
});

describe('hpa bounds (ring schema)', () => {
  test('passes with min ≤ max', () => expect(() => parse(exampleSources())).not.toThrow());
  test('fails when min > max', () => {
    expect(problemsOf(edit('stable.toml', 'max = 8', 'max = 2'))).toContain('rings/stable.toml: hpa.max: expected max ≥ min, got 2');
  });
});

describe('schema errors', () => {
  test('negative replicas name the field and the value', () => {
    expect(problemsOf(edit('canary.toml', 'api = 2', 'api = -1'))).toEqual(['rings/canary.toml: replicas.api: expected a whole number ≥ 0, got -1']);
  });
  test('an unknown key suggests the known one', () => {
    expect(problemsOf(edit('canary.toml', 'horizon = 1', 'horizn = 1'))).toEqual([
      "rings/canary.toml: replicas.horizn: unknown key; did you mean 'horizon'?",
      'rings/canary.toml: replicas.horizon: missing: expected a whole number ≥ 0',
    ]);
  });
  test('a floating image tag is refused', () => {
    expect(problemsOf(edit('platform.toml', /api-octane:2026\.11\.3@sha256:[0-9a-f]+/, 'api-octane:latest'))).toEqual([
      'rings/platform.toml: images.api: expected an image pinned by a tag other than latest, or a digest, got "registry.gitlab.com/autocommerce/main/api-octane:latest"',
    ]);
  });
  test('an image without a tag is refused', () => {
    expect(problemsOf(edit('platform.toml', 'redis:7.4.1-alpine', 'redis'))).toEqual([
      'rings/platform.toml: shared.services[name=redis].image: expected an image pinned by a tag or a digest (without a tag it floats to latest), got "redis"',
    ]);
  });
  test('a digest-pinned image is accepted', () => {
    expect(() => parse(edit('platform.toml', 'redis:7.4.1-alpine', `redis@sha256:${'a'.repeat(64)}`))).not.toThrow();
  });
  test('malformed TOML names the line', () => {
    expect(problemsOf(edit('canary.toml', 'api = 2', 'api = = 2'))).toEqual([expect.stringMatching(/^rings\/canary\.toml: invalid TOML: line 12, column 7: unexpected character/)]);
  });
  test('all problems of several files are reported together', () => {
    const s = edit('canary.toml', 'api = 2', 'api = -1');
    s.set('edge.toml', s.get('edge.toml')!.replace('nginx = 2', 'nginx = "two"'));
    expect(problemsOf(s)).toEqual(['rings/canary.toml: replicas.api: expected a whole number ≥ 0, got -1', 'rings/edge.toml: replicas.nginx: expected a whole number ≥ 0, got "two"']);
  });
});
