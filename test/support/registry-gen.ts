/**
 * fast-check generators of ring registries, in memory: a `Map` of relative path → file text, as
 * `parseRegistry(dir, sources)` takes it. `registryArb` makes valid registries (every cross-file
 * rule respected by construction); `mutationArb` breaks one in a random way.
 */
import * as TOML from '@iarna/toml';
import fc from 'fast-check';

export type Sources = Map<string, string>;

export interface GenOptions {
  /** @default 12 */
  readonly maxRings?: number;
  /** @default 500 */
  readonly maxTenants?: number;
  /** @default 60 */
  readonly maxModules?: number;
}

/** Names a ring's objects use in its own namespace: shared services must not take them. */
const RESERVED = new Set(['api', 'horizon', 'nginx', 'ring-config', 'module-lock', 'nginx-config']);
const NOT_RING_FILES = new Set(['platform', 'tenants']);

// Built from small pieces rather than fc.stringMatching, which is several times slower to generate.
const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const ALNUM = [...LOWER, ...'0123456789'.split('')];
const label = (max: number) =>
  fc.tuple(fc.constantFrom(...LOWER), fc.string({ unit: fc.constantFrom(...ALNUM), maxLength: max - 1 })).map(([a, b]) => a + b);
const dnsName = fc.tuple(label(6), fc.option(label(5), { nil: undefined })).map(([a, b]) => (b ? `${a}-${b}` : a));
const version = fc
  .tuple(fc.nat(20), fc.nat(40), fc.nat(99), fc.option(fc.constantFrom('rc.1', 'beta.2', 'alpha'), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
const tag = fc.tuple(fc.nat(30), fc.nat(20), fc.nat(9)).map(([a, b, c]) => `${2000 + a}.${b}.${c}`);
const digest = fc.array(fc.nat(0xffffffff), { minLength: 8, maxLength: 8 }).map((ws) => `@sha256:${ws.map((w) => w.toString(16).padStart(8, '0')).join('')}`);
const image = (repo: string) => fc.oneof(tag.map((t) => `${repo}:${t}`), digest.map((d) => `${repo}${d}`));
const absPath = fc.array(label(8), { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`);
const cpuPair = fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 2000 })).map(([req, extra]) => ({ cpu_request_millicores: req, cpu_limit_millicores: req + extra }));
const memPair = fc.tuple(fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 0, max: 2048 })).map(([req, extra]) => ({ memory_request_mib: req, memory_limit_mib: req + extra }));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** Drops undefined fields, so they stay absent from the TOML (and take their defaults). */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const sharedService = (name: string, host: string | undefined) =>
  fc
    .record({
      image: image(`registry.example.com/shared/${name}`),
      port: fc.integer({ min: 1, max: 65535 }),
      replicas: opt(fc.integer({ min: 0, max: 4 })),
      health_path: opt(fc.constantFrom('/', '/healthz', '/ready')),
      run_as_user: opt(fc.integer({ min: 1, max: 65535 })),
      writable_paths: opt(fc.uniqueArray(absPath, { maxLength: 3 })),
      args: opt(fc.array(fc.constantFrom('--maxmemory', '', '--port', '6379'), { maxLength: 4 })),
      cpu: opt(cpuPair),
      mem: opt(memPair),
    })
    .map(({ cpu, mem, ...s }) => compact({ name, ...s, host, ...(cpu ?? {}), ...(mem ?? {}) }));

const component = (withPort: boolean) =>
  fc
    .record({
      port: withPort ? opt(fc.integer({ min: 1024, max: 65535 })) : fc.constant(undefined),
      run_as_user: opt(fc.integer({ min: 1, max: 65535 })),
      writable_paths: opt(fc.uniqueArray(absPath, { maxLength: 3 })),
      cpu: opt(cpuPair),
      mem: opt(memPair),
    })
    .map(({ cpu, mem, ...c }) => compact({ ...c, ...(cpu ?? {}), ...(mem ?? {}) }));

const settingValue = fc.string({ unit: fc.constantFrom(...ALNUM, ' ', '.', ':', '/', '-'), maxLength: 24 });
const settingKey = fc.tuple(label(7), fc.option(label(6), { nil: undefined })).map(([a, b]) => (b ? `${a}_${b}` : a).toUpperCase()).filter((k) => !/(KEY|SECRET|PASS|TOKEN|CREDENTIAL|PRIVATE)/.test(k) && !/^(RING_NAME|MODULE_LOCK_PATH|DB_|REDIS_)/.test(k));

/** A valid registry. */
export function registryArb(o: GenOptions = {}): fc.Arbitrary<Sources> {
  const maxRings = o.maxRings ?? 12;
  return fc
    .record({
      platformName: label(8),
      domain: fc.tuple(label(8), fc.constantFrom('io', 'com', 'example')).map(([a, b]) => `${a}.${b}`),
      ringNames: fc.uniqueArray(dnsName.filter((n) => !NOT_RING_FILES.has(n)), { minLength: 1, maxLength: maxRings }),
      serviceNames: fc.uniqueArray(dnsName.filter((n) => !RESERVED.has(n)), { maxLength: 8 }),
      hostLabels: fc.uniqueArray(label(6), { maxLength: 4 }),
      secrets: fc.record({ env_from: fc.uniqueArray(dnsName, { maxLength: 3 }), image_pull: fc.uniqueArray(dnsName, { maxLength: 2 }) }),
      appSettings: fc.dictionary(settingKey, settingValue, { maxKeys: 8 }),
      seedBits: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
      prefixNamespaces: fc.boolean(),
    })
    .chain((b) => {
      const n = b.ringNames.length;
      // Some names become shared services, some external; no overlap with each other.
      const split = b.seedBits[0] % (b.serviceNames.length + 1);
      const sharedNames = b.serviceNames.slice(0, split);
      const externalNames = b.serviceNames.slice(split);
      const hosts = sharedNames.map((_, i) => (b.seedBits[i + 1] % 2 ? b.hostLabels[i] : undefined));
      const ring = (name: string, i: number) =>
        fc
          .record({
            active: fc.boolean(),
            soak: fc.constantFrom('0h', '30m', '24h', '7d'),
            replicas: fc.record({ api: fc.nat(5), horizon: fc.nat(5), nginx: fc.nat(5) }),
            hpa: opt(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat(8), opt(fc.integer({ min: 1, max: 100 }))).map(([min, extra, cpu]) => compact({ min, max: min + extra, cpu_utilization_percent: cpu }))),
            description: opt(fc.constantFrom('Canary ring', 'Customers who opted in', '')),
            display_name: opt(fc.constantFrom('Stable', 'Edge ring', 'QA')),
          })
          .map((r) => compact({ name, ...r, namespace: b.prefixNamespaces ? `${b.platformName}-${name}` : `${name}-ns`, hostname_segment: name, promotion_order: i * 10, display_name: r.display_name, description: r.description }));
      return fc.record({
        rings: fc.tuple(...b.ringNames.map((name, i) => ring(name, i))),
        order: fc.shuffledSubarray(b.ringNames.map((_, i) => i), { minLength: n, maxLength: n }),
        defaultIx: fc.nat(n - 1),
        homeIx: fc.nat(n - 1),
        shared: fc.tuple(...sharedNames.map((s, i) => sharedService(s, hosts[i]))),
        external: fc.tuple(...externalNames.map((s) => fc.integer({ min: 1, max: 65535 }).map((port) => ({ name: s, port })))),
        components: fc.record({ api: component(true), horizon: component(false), nginx: component(true) }),
        memory: opt(fc.record({ base_mib: fc.integer({ min: 1, max: 512 }), per_module_mib: fc.nat(64), limit_factor: fc.constantFrom(1, 1.25, 1.5, 2, 3), round_to_mib: fc.integer({ min: 1, max: 256 }) })),
        quotaMargin: opt(fc.nat(50)),
        egress: opt(fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 })),
        tls: opt(fc.record({ domain_secret: dnsName, ring_secret: fc.constantFrom('{segment}-tls', 'wildcard-{segment}-tls', 'ring-{segment}') })),
        images: fc.record({ api: image('registry.example.com/app/api'), horizon: opt(image('registry.example.com/app/horizon')), nginx: image('nginxinc/nginx-unprivileged') }),
        // Distinct numbers → distinct names (t-<base36>, sometimes with a word), cheap to generate by the hundred.
        tenants: fc.uniqueArray(fc.nat(9_999_999), { maxLength: o.maxTenants ?? 500 }).map((ns) => ns.map((n) => (n % 3 ? `t-${n.toString(36)}` : `${LOWER[n % 26]}${n.toString(36)}x`))),
        tenantRing: fc.nat(),
        locks: fc.tuple(...b.ringNames.map(() => fc.dictionary(fc.tuple(label(8), fc.constantFrom('', '-pro', '_v2')).map(([a, b]) => a + b), version, { maxKeys: o.maxModules ?? 60 }))),
        lockMountDir: opt(fc.constantFrom('/etc/rings', '/config/locks')),
      }).map((x) => {
        const sources: Sources = new Map();
        const rings = x.rings.map((r, i) => ({ ...r, promotion_order: x.order[i] * 10, default: i === x.defaultIx }));
        const home = rings[x.homeIx];
        const platform = compact({
          name: b.platformName,
          domain: b.domain,
          home_ring: home.name,
          lock_mount_dir: x.lockMountDir,
          quota_margin_percent: x.quotaMargin,
          egress_ports: x.egress,
          images: compact(x.images),
          components: x.components,
          memory: x.memory,
          tls: x.tls,
          secrets: b.secrets,
          database: externalNames.length ? { host: externalNames[0], port: x.external[0].port } : undefined,
          app_settings: b.appSettings,
          shared: { services: x.shared, external: x.external },
        });
        sources.set('platform.toml', TOML.stringify(platform as TOML.JsonMap));
        for (const r of rings) {
          const { replicas, hpa, ...rest } = r;
          sources.set(`${r.name}.toml`, TOML.stringify(compact({ ...rest, replicas, hpa }) as TOML.JsonMap));
        }
        // Tenants only on active rings, and never named like a shared host (`<host>.<domain>` is taken).
        const active = rings.filter((r) => r.active);
        const sharedHosts = new Set(hosts.filter(Boolean));
        const tenants: Record<string, string> = {};
        if (active.length) {
          x.tenants.filter((t) => !sharedHosts.has(t)).forEach((t, i) => {
            tenants[t] = active[(i * 7 + x.tenantRing) % active.length].name;
          });
        }
        sources.set('tenants.toml', TOML.stringify({ tenants }));
        b.ringNames.forEach((name, i) => sources.set(`locks/${name}.lock.json`, `${JSON.stringify(x.locks[i], null, 2)}\n`));
        return sources;
      });
    });
}

// ---------------------------------------------------------------- mutations

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type MutationKind =
  | 'flip-type'
  | 'delete-key'
  | 'unknown-key'
  | 'corrupt-syntax'
  | 'truncate'
  | 'negative-number'
  | 'fraction'
  | 'duplicate-ring-field'
  | 'duplicate-shared-name'
  | 'bad-version'
  | 'delete-file'
  | 'empty-file'
  | 'tenant-on-unknown-ring'
  | 'set-string'
  | 'request-above-limit'
  | 'writable-path-clash';

export interface Mutation {
  readonly kind: MutationKind;
  /** Picks (modulo) the file, the field, the position; kept as numbers so fast-check shrinks them. */
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<MutationKind>(
    'flip-type', 'delete-key', 'unknown-key', 'corrupt-syntax', 'truncate', 'negative-number', 'fraction',
    'duplicate-ring-field', 'duplicate-shared-name', 'bad-version', 'delete-file', 'empty-file', 'tenant-on-unknown-ring', 'set-string',
    'request-above-limit', 'writable-path-clash',
  ),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
});

/** Every leaf path of a JSON value (arrays and tables included as their own paths). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
function getAt(v: Json, p: (string | number)[]): Json {
  return p.reduce<Json>((x, k) => (x as any)[k], v);
}
function setAt(v: Json, p: (string | number)[], value: Json | undefined): void {
  const parent = getAt(v, p.slice(0, -1)) as any;
  const k = p[p.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(k as number, 1);
    else delete parent[k];
  } else parent[k] = value;
}

const OTHER_TYPE: Json[] = ['text', 42, -1, true, 1.5, [], {}, ['a', 'b'], { x: 1 }];
const BAD_STRINGS = ['', 'latest', 'UPPER', 'a b', '-x', 'x'.repeat(70), '1.2', 'v1', '../x', 'base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'ümlaut'];
const SYNTAX = ['[', ']', '=', '"', '{', '}', '\n[[x', '\n=', ',', '\\', '\u0000', ' = = '];

/** Applies a mutation; returns the new sources (the input is not changed). */
export function mutate(sources: ReadonlyMap<string, string>, m: Mutation): Sources {
  const out: Sources = new Map(sources);
  const files = [...out.keys()].sort();
  const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length];
  const tomls = files.filter((f) => f.endsWith('.toml'));
  const locks = files.filter((f) => f.endsWith('.json'));
  const rings = tomls.filter((f) => f !== 'platform.toml' && f !== 'tenants.toml');

  const editData = (file: string, edit: (d: Json) => void) => {
    const text = out.get(file)!;
    const data = (file.endsWith('.json') ? JSON.parse(text) : TOML.parse(text)) as Json;
    edit(data);
    try {
      out.set(file, file.endsWith('.json') ? JSON.stringify(data, null, 2) : TOML.stringify(data as TOML.JsonMap));
    } catch {
      // TOML cannot express the edit (e.g. a table inside an array of strings): leave the file as it was.
    }
  };
  const leafOf = (d: Json, pred: (v: Json) => boolean) => {
    const ps = paths(d).filter((p) => pred(getAt(d, p)));
    return ps.length ? pick(ps, m.b) : undefined;
  };

  switch (m.kind) {
    case 'flip-type':
    case 'set-string':
    case 'negative-number':
    case 'fraction':
    case 'delete-key':
    case 'unknown-key': {
      const file = pick([...tomls, ...locks], m.a);
      editData(file, (d) => {
        if (m.kind === 'unknown-key') {
          const tables = [[], ...paths(d)].filter((p) => { const v = getAt(d, p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
          const p = pick(tables, m.b);
          const keys = Object.keys(getAt(d, p) as object);
          // A near miss of an existing key (a typo), or something unrelated.
          const typo = keys.length && m.c % 2 ? `${pick(keys, m.c)}s` : 'colour';
          setAt(d, [...p, typo], 'x');
          return;
        }
        const p = leafOf(d, (v) => (m.kind === 'negative-number' || m.kind === 'fraction' ? typeof v === 'number' : true));
        if (!p) return;
        if (m.kind === 'delete-key') setAt(d, p, undefined);
        else if (m.kind === 'negative-number') setAt(d, p, -1 - (m.c % 1000));
        else if (m.kind === 'fraction') setAt(d, p, (getAt(d, p) as number) + 0.5);
        else if (m.kind === 'set-string') setAt(d, p, pick(BAD_STRINGS, m.c));
        else {
          const cur = getAt(d, p);
          const others = OTHER_TYPE.filter((v) => typeof v !== typeof cur || Array.isArray(v) !== Array.isArray(cur));
          setAt(d, p, structuredClone(pick(others, m.c)));
        }
      });
      break;
    }
    case 'corrupt-syntax': {
      const file = pick(files, m.a);
      const text = out.get(file)!;
      const at = m.b % (text.length + 1);
      out.set(file, text.slice(0, at) + pick(SYNTAX, m.c) + text.slice(at));
      break;
    }
    case 'truncate': {
      const file = pick(files, m.a);
      const text = out.get(file)!;
      out.set(file, text.slice(0, m.b % (text.length + 1)));
      break;
    }
    case 'duplicate-ring-field': {
      if (rings.length < 2) break;
      const from = pick(rings, m.a);
      const to = pick(rings.filter((r) => r !== from), m.b);
      const field = pick(['name', 'namespace', 'hostname_segment', 'promotion_order', 'default'], m.c);
      const value = (TOML.parse(out.get(from)!) as Json as Record<string, Json>)[field];
      if (field === 'default') editData(to, (d) => setAt(d, ['default'], true));
      else editData(to, (d) => setAt(d, [field], value));
      break;
    }
    case 'duplicate-shared-name': {
      editData('platform.toml', (d) => {
        const shared = (d as any).shared ?? {};
        const all = [...(shared.services ?? []), ...(shared.external ?? [])];
        if (all.length === 0) setAt(d, ['shared'], { ...shared, external: [{ name: pick(['api', 'nginx', 'module-lock'], m.c), port: 80 }] });
        else if (all.length === 1) all[0].name = pick(['api', 'horizon', 'ring-config'], m.c);
        else pick(all, m.a).name = pick(all, m.b + 1).name;
      });
      break;
    }
    case 'bad-version': {
      if (!locks.length) break;
      editData(pick(locks, m.a), (d) => {
        const keys = Object.keys(d as object);
        const key = keys.length ? pick(keys, m.b) : 'orders';
        setAt(d, [key], pick<Json>(['latest', '1.2', '', 'v1.x.0', 7, null, '1.2.3.4', '01.2.3 '], m.c));
      });
      break;
    }
    case 'delete-file':
      out.delete(pick(files, m.a));
      break;
    case 'empty-file':
      out.set(pick(files, m.a), m.b % 2 ? '' : '\n  \n');
      break;
    case 'request-above-limit':
      // Above any limit the generator writes (or the defaults).
      editData('platform.toml', (d) => {
        const targets: (string | number)[][] = [['components', 'api'], ['components', 'horizon'], ['components', 'nginx']];
        ((d as any).shared?.services ?? []).forEach((_: unknown, i: number) => targets.push(['shared', 'services', i]));
        const t = pick(targets, m.b);
        if (getAt(d, t.slice(0, -1)) === undefined || getAt(d, t) === undefined) setAt(d, t.slice(0, 1), { ...((d as any)[t[0]] ?? {}), [t[1]]: {} });
        setAt(d, [...t, m.c % 2 ? 'cpu_request_millicores' : 'memory_request_mib'], 100_000);
      });
      break;
    case 'writable-path-clash':
      // A folder listed twice (trailing slash), two folders with one volume name, or one over a config mount.
      editData('platform.toml', (d) => {
        const comp = pick(['api', 'horizon', 'nginx'], m.b);
        const c = ((d as any).components ??= {})[comp] ??= {};
        c.writable_paths = pick([['/tmp', '/tmp/'], ['/a-b', '/a/b'], ['/etc/rings'], ['/etc/nginx/conf.d'], [(d as any).lock_mount_dir ?? '/etc/rings']], m.c);
      });
      break;
    case 'tenant-on-unknown-ring':
      editData('tenants.toml', (d) => setAt(d, ['tenants', pick(['acme', 'new-tenant', 'UPPER', 'x'.repeat(64)], m.b)], pick(['nope', '', 'platform'], m.c)));
      break;
  }
  return out;
}
