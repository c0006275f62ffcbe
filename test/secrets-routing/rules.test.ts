/** Registry rules for secrets, TLS, routing and previews: one passing and one failing case each. */
import * as fs from 'fs';
import * as path from 'path';
import { parseRegistry, RegistryError } from '../../src';

const DIR = path.resolve(__dirname, '..', '..', 'rings');
const base = new Map<string, string>();
for (const f of fs.readdirSync(DIR)) if (f.endsWith('.toml')) base.set(f, fs.readFileSync(path.join(DIR, f), 'utf8'));
for (const f of fs.readdirSync(path.join(DIR, 'locks'))) base.set(`locks/${f}`, fs.readFileSync(path.join(DIR, 'locks', f), 'utf8'));

/** Problems of the example registry with edits applied; [] when it loads. */
function problems(edit: (files: Map<string, string>) => void): string[] {
  const files = new Map(base);
  edit(files);
  try {
    parseRegistry('rings', files);
    return [];
  } catch (e) {
    if (e instanceof RegistryError) return e.lines();
    throw e;
  }
}
const platform = (f: (s: string) => string) => (files: Map<string, string>) => files.set('platform.toml', f(files.get('platform.toml')!));
const tenants = (f: (s: string) => string) => (files: Map<string, string>) => files.set('tenants.toml', f(files.get('tenants.toml')!));

test('the example registry loads', () => {
  expect(problems(() => undefined)).toEqual([]);
});

describe('secrets.sync', () => {
  test.each(['external-secrets', 'reflector', 'none'])('accepts "%s"', (mode) => {
    expect(problems(platform((s) => s.replace('sync = "external-secrets"', `sync = "${mode}"`)))).toEqual([]);
  });
  test('rejects another value', () => {
    expect(problems(platform((s) => s.replace('sync = "external-secrets"', 'sync = "sealed"')))).toEqual([
      'rings/platform.toml: secrets.sync: expected "external-secrets", "reflector" or "none", got "sealed"',
    ]);
  });
  test('refresh_interval must be a duration', () => {
    expect(problems(platform((s) => s.replace('refresh_interval = "1h"', 'refresh_interval = "1h30m"')))).toEqual([]);
    expect(problems(platform((s) => s.replace('refresh_interval = "1h"', 'refresh_interval = "hourly"')))).toEqual([
      'rings/platform.toml: secrets.refresh_interval: expected a duration such as "30m", "1h" or "1h30m", got "hourly"',
    ]);
  });
});

describe('secretNamesHaveOneType', () => {
  test('passes when every name has one type (env and mount may share an Opaque secret)', () => {
    expect(problems(platform((s) => s.replace('image_pull = ["gitlab-registry"]', 'image_pull = ["gitlab-registry"]\nmounts = [{ name = "passport-keys", mount_path = "/etc/passport" }]')))).toEqual([]);
  });
  test('fails when a pull secret is also an env secret', () => {
    expect(problems(platform((s) => s.replace('image_pull = ["gitlab-registry"]', 'image_pull = ["passport-keys"]')))).toEqual([
      'rings/platform.toml: secrets.image_pull.0: expected a secret name used for one Secret type, got "passport-keys" as kubernetes.io/dockerconfigjson and as Opaque (secrets.env_from.1)',
    ]);
  });
  test('fails when a TLS secret name is also an env secret', () => {
    expect(problems(platform((s) => s.replace('env_from = ["autocom-secrets", "passport-keys"]', 'env_from = ["autocom-secrets", "wildcard-acme-io-tls"]')))).toEqual([
      'rings/platform.toml: tls.domain_secret: expected a secret name used for one Secret type, got "wildcard-acme-io-tls" as kubernetes.io/tls and as Opaque (secrets.env_from.1)',
    ]);
  });
});

describe('secretMountPathsAreUnique', () => {
  const mounts = (m: string) => platform((s) => s.replace('image_pull = ["gitlab-registry"]', `image_pull = ["gitlab-registry"]\nmounts = ${m}`));
  test('passes with distinct paths', () => {
    expect(problems(mounts('[{ name = "a", mount_path = "/etc/a" }, { name = "b", mount_path = "/etc/b" }]'))).toEqual([]);
  });
  test('fails on a repeated path', () => {
    expect(problems(mounts('[{ name = "a", mount_path = "/etc/a" }, { name = "b", mount_path = "/etc/a/" }]'))).toEqual([
      'rings/platform.toml: secrets.mounts.1.mount_path: expected a path no other secret is mounted at, got "/etc/a/" twice',
    ]);
  });
  test('fails on a writable path', () => {
    expect(problems(mounts('[{ name = "a", mount_path = "/tmp" }]'))).toEqual([
      'rings/platform.toml: secrets.mounts.0.mount_path: expected a path that is not a writable path or the lock folder, got "/tmp"',
    ]);
  });
});

describe('tls.mode', () => {
  test('accepts synced', () => {
    expect(problems(platform((s) => s.replace('mode = "cert-manager"', 'mode = "synced"')))).toEqual([]);
  });
  test('rejects another value', () => {
    expect(problems(platform((s) => s.replace('mode = "cert-manager"', 'mode = "acme"')))).toEqual([
      'rings/platform.toml: tls.mode: expected "cert-manager" or "synced", got "acme"',
    ]);
  });
});

describe('gatewayNamedForGatewayRouting', () => {
  const gw = '\n[gateway]\nname = "public"\nnamespace = "gateway-system"\n';
  test('passes with a [gateway] table', () => {
    expect(problems((f) => { platform((s) => s.replace('routing = "ingress"', 'routing = "gateway-api"') + gw)(f); })).toEqual([]);
  });
  test('fails without one', () => {
    expect(problems(platform((s) => s.replace('routing = "ingress"', 'routing = "gateway-api"')))).toEqual([
      'rings/platform.toml: gateway: missing: expected a [gateway] table with name and namespace (routing = "gateway-api" attaches HTTPRoutes to it)',
    ]);
  });
  test('rejects an unknown routing mode', () => {
    expect(problems(platform((s) => s.replace('routing = "ingress"', 'routing = "traefik"')))).toEqual([
      'rings/platform.toml: routing: expected "ingress" or "gateway-api", got "traefik"',
    ]);
  });
});

describe('previewsPointAtAnotherActiveRing', () => {
  const preview = (line: string) => tenants((s) => s.replace(/umbrella = \{ ring = "canary".*\}/, line));
  test('passes for an assigned tenant previewed on another active ring', () => {
    expect(problems(preview('acme = { ring = "edge" }'))).toEqual([]);
  });
  test('fails for a tenant listed nowhere', () => {
    expect(problems(preview('nobody = { ring = "edge" }'))).toEqual([
      'rings/tenants.toml: previews.nobody: expected a tenant listed in [tenants], got "nobody" (a preview needs the tenant\'s hosts)',
    ]);
  });
  test('fails for a ring that does not exist', () => {
    expect(problems(preview('acme = { ring = "beta" }'))).toEqual([
      'rings/tenants.toml: previews.acme.ring: expected an existing ring (stable, edge, canary, experimental), got "beta"',
    ]);
  });
  test('fails for the tenant\'s own ring', () => {
    expect(problems(preview('acme = { ring = "stable" }'))).toEqual([
      'rings/tenants.toml: previews.acme.ring: expected a ring other than the tenant\'s own, got "stable" (the tenant is already there)',
    ]);
  });
  test('fails for an inactive ring', () => {
    const edit = (f: Map<string, string>) => {
      f.set('experimental.toml', f.get('experimental.toml')!.replace('active = true', 'active = false'));
      f.set('tenants.toml', f.get('tenants.toml')!.replace('internal-qa = "experimental"', 'internal-qa = "canary"'));
      preview('acme = { ring = "experimental" }')(f);
    };
    expect(problems(edit)).toEqual([
      'rings/tenants.toml: previews.acme.ring: expected an active ring, got "experimental" (active = false in rings/experimental.toml)',
    ]);
  });
  test('fails for a header that is not an HTTP token', () => {
    expect(problems(preview('acme = { ring = "edge", header = "X Ring" }'))).toEqual([
      'rings/tenants.toml: previews.acme.header: expected an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-), got "X Ring"',
    ]);
  });
  test('fails on an unknown key', () => {
    expect(problems(preview('acme = { ring = "edge", ringg = "x" }'))).toEqual(['rings/tenants.toml: previews.acme.ringg: unknown key']);
  });
});
