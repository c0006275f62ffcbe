/**
 * Cross-file rules. Each rule is a small pure function from the parsed files to the problems it
 * finds; `crossFileProblems` runs them all so every problem is reported in one pass.
 */
import * as path from 'path';
import { ringHosts } from '../../model/hosts';
import { ingressShardLoads, MAX_INGRESS_BYTES, minimumIngressShards, overfullShards } from '../../model/ingress-shards';
import { hasDigest } from '../../model/images';
import { lockFileText } from '../../model/lock';
import { memoryForModules } from '../../model/memory';
import { NGINX_CONFIG_DIR, writableVolumeName } from '../../model/names';
import { ringDataFiles, ringDataFrom } from '../../model/ring-data';
import { EPHEMERAL_DEFAULTS } from '../../model/component-defaults';
import { mergeComponent } from '../../model/escape-hatches';
import { annotationKeyProblem, DEFAULT_WRITABLE_PATHS, envNameProblem, extraLabelProblem, initDirProblem, labelEntryProblem, plainEnvProblem, requestOverLimitProblem, writableSizesOverLimitProblem } from '../../model/hardening';
import { isDnsLabel, isEnvName } from '../../model/kubernetes-names';
import { looksLikeSecret } from '../../model/secret-values';
import { REDIS_DATA_DIR, REDIS_MANAGED_FLAGS } from '../../model/redis';
import { ANALYSIS_RULES } from './analysis-rules';
import { validateDefinition } from '../schema/k8s-schema';
import { fieldPath, RegistryProblem } from '../errors';
import { LockEntry, lockPins, RingEntry } from '../schema/types';
import type { PlatformFile } from '../schema/presets';
import { CLUSTER_RULES, ClusterRuleInput, uniqueNamespacesPerCluster } from './cluster-rules';
import { COMPONENT_RULES } from './component-rules';
import { componentNames, componentTableOf } from '../schema/presets';

/** What the cross-file rules read: the files that parsed, and their paths (the cluster rules read a part of it). */
export interface CrossFileInput extends ClusterRuleInput {
  readonly dir: string;
  /** Locks that parsed, by ring name. */
  readonly locks: Readonly<Record<string, LockEntry>>;
  /** Every lock file present, parsed or not. */
  readonly lockFiles: readonly { file: string; ring: string }[];
  /** The ring each ring file present is named after (`canary` for `canary.toml`), parsed or not. */
  readonly ringFiles: readonly string[];
  /** True when `locks/` itself is missing (reported once, not once per ring). */
  readonly lockFolderMissing?: boolean;
  /** True when some ring file failed to parse: counting rules would then report noise. */
  readonly ringFilesFailed: boolean;
}

export type Rule = (input: CrossFileInput) => RegistryProblem[];

/** Names every ring of an Octane platform creates in its own namespace; in the home ring they share the namespace with the shared layer. */
export const PER_RING_OBJECT_NAMES = ['api', 'horizon', 'nginx', 'ring-config', 'module-lock', 'nginx-config'] as const;

/** The names a ring of this platform creates in its own namespace: its components', the ring ConfigMaps (and Octane's nginx-config). */
function perRingObjectNames(platform: PlatformFile): readonly string[] {
  return platform.preset === 'none' ? [...componentNames(platform), 'ring-config', 'module-lock'] : PER_RING_OBJECT_NAMES;
}

/** Env keys the ring ConfigMap sets itself: the ring's two, REDIS_*, and DB_* when the registry names a database. */
function reservedSettings(platform: PlatformFile): Set<string> {
  return new Set(['RING_NAME', 'MODULE_LOCK_PATH', 'REDIS_HOST', 'REDIS_PORT', ...(platform.database ? ['DB_HOST', 'DB_PORT'] : [])]);
}

/** Largest lock that fits a ConfigMap (1 MiB) with room for metadata. */
export const MAX_LOCK_BYTES = 1000 * 1024;

/** Largest app_settings (keys and values) for the ring ConfigMap, with room for the ring's own keys and metadata. */
export const MAX_CONFIG_MAP_BYTES = 1000 * 1024;

/** Room for the Namespace's description and display-name annotations (256 KiB in all, with room for the others). */
export const MAX_ANNOTATION_BYTES = 250 * 1024;

/**
 * A ring file is named after its ring, so adding a ring is adding `<name>.toml`. File names being
 * unique, this rule also catches two rings with the same name, on the file that is wrong.
 */
export const ringFileNamedAfterRing: Rule = ({ rings, ringFiles, dir }) =>
  rings
    .filter((r) => path.basename(r.file, '.toml') !== r.spec.name)
    .map((r) => {
      const taken = ringFiles.includes(r.spec.name) ? `, the name of the ring in ${path.join(dir, `${r.spec.name}.toml`)}` : '';
      return { file: r.file, path: 'name', message: `expected "${path.basename(r.file, '.toml')}" (the file name), got "${r.spec.name}"${taken}` };
    });

export const exactlyOneDefaultRing: Rule = ({ rings, ringFilesFailed, dir }) => {
  if (ringFilesFailed || rings.length === 0) return [];
  const defaults = rings.filter((r) => r.spec.default);
  if (defaults.length === 1) return [];
  if (defaults.length === 0) return [{ file: dir, path: '', message: 'expected exactly one ring with default = true, got none' }];
  return defaults.map((r) => ({
    file: r.file,
    path: 'default',
    message: `expected exactly one ring with default = true, got ${defaults.length} (${defaults.map((d) => d.spec.name).join(', ')})`,
  }));
};

const unique =
  (field: 'namespace' | 'hostname_segment' | 'promotion_order', what: string): Rule =>
  ({ rings }) => {
    const seen = new Map<string, RingEntry>();
    const out: RegistryProblem[] = [];
    for (const r of [...rings].sort((a, b) => a.file.localeCompare(b.file))) {
      const key = String(r.spec[field]);
      const first = seen.get(key);
      if (first) out.push({ file: r.file, path: field, message: `expected a unique ${what}, got ${JSON.stringify(r.spec[field])}, already used by ${first.file}` });
      else seen.set(key, r);
    }
    return out;
  };
/** Unique per cluster (rings across clusters: cluster-rules.ts); without [clusters], unique. */
export const uniqueNamespaces: Rule = (input) => uniqueNamespacesPerCluster(input);
export const uniqueHostnameSegments = unique('hostname_segment', 'hostname segment');
export const uniquePromotionOrders = unique('promotion_order', 'promotion order');

/** Both rules go by file names, so a ring file that failed to parse still counts as present. */
export const everyRingHasALock: Rule = ({ ringFiles, lockFiles, lockFolderMissing, dir }) => {
  if (lockFolderMissing) return [];
  const have = new Set(lockFiles.map((l) => l.ring));
  return ringFiles
    .filter((ring) => !have.has(ring))
    .map((ring) => ({ file: path.join(dir, `${ring}.toml`), path: '', message: `expected a lock file ${path.join(dir, 'locks', `${ring}.lock.json`)}, found none` }));
};

export const everyLockHasARing: Rule = ({ ringFiles, lockFiles, dir }) => {
  const present = new Set(ringFiles);
  return lockFiles
    .filter((l) => !present.has(l.ring))
    .map((l) => ({ file: l.file, path: '', message: `expected a ring file ${path.join(dir, `${l.ring}.toml`)} for this lock, found none` }));
};

export const homeRingExists: Rule = ({ platform, platformFile, rings, ringFilesFailed }) => {
  if (!platform || ringFilesFailed) return [];
  if (rings.some((r) => r.spec.name === platform.home_ring)) return [];
  return [{ file: platformFile, path: 'home_ring', message: `expected the name of a ring, got "${platform.home_ring}" (rings: ${rings.map((r) => r.spec.name).join(', ') || 'none'})` }];
};

export const tenantsOnActiveRings: Rule = ({ tenants, tenantsFile, rings, ringFiles }) => {
  if (!tenants) return [];
  // Existence goes by the ring files present, so a broken ring file elsewhere does not hide this.
  const byName = new Map(rings.map((r) => [r.spec.name, r]));
  const out: RegistryProblem[] = [];
  for (const [tenant, ring] of Object.entries(tenants)) {
    const r = byName.get(ring);
    const at = fieldPath(['tenants', tenant]);
    // A ring file of that name that failed to parse, or whose `name` says otherwise, is reported on that file.
    if (!r && ringFiles.includes(ring)) continue;
    if (!r) out.push({ file: tenantsFile, path: at, message: `expected an existing ring (${[...ringFiles].sort().join(', ')}), got ${JSON.stringify(ring.length > 64 ? `${ring.slice(0, 60)}…` : ring)}` });
    else if (!r.spec.active) out.push({ file: tenantsFile, path: at, message: `expected an active ring, got "${ring}" (active = false in ${r.file})` });
  }
  return out;
};

export const tenantNamesAreDnsLabels: Rule = ({ tenants, tenantsFile }) =>
  Object.keys(tenants ?? {})
    .filter((t) => !isDnsLabel(t))
    .map((t) => ({
      file: tenantsFile,
      path: fieldPath(['tenants', t]),
      message: 'expected a tenant name that is a DNS label (lower-case letters, digits and \'-\', at most 63 characters)',
    }));

export const sharedNamesDoNotCollide: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const seen = new Set<string>();
  const entries = [
    ...platform.shared.services.map((s, i) => ({ name: s.name, at: `shared.services.${i}.name` })),
    ...platform.shared.external.map((s, i) => ({ name: s.name, at: `shared.external.${i}.name` })),
  ];
  for (const e of entries) {
    if (perRingObjectNames(platform).includes(e.name)) {
      out.push({ file: platformFile, path: e.at, message: `expected a name no ring uses for its own objects (${perRingObjectNames(platform).join(', ')}), got "${e.name}"` });
    }
    if (seen.has(e.name)) out.push({ file: platformFile, path: e.at, message: `expected a unique shared service name, got "${e.name}" twice` });
    seen.add(e.name);
  }
  return out;
};

export const sharedHostsAreUnique: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const seen = new Map<string, string>();
  const out: RegistryProblem[] = [];
  platform.shared.services.forEach((s, i) => {
    if (!s.host) return;
    const other = seen.get(s.host);
    if (other) out.push({ file: platformFile, path: `shared.services.${i}.host`, message: `expected a host no other shared service claims, got "${s.host}" (also ${other})` });
    seen.set(s.host, s.name);
  });
  return out;
};

/** A tenant's bare host `<tenant>.<domain>` must not be a shared-layer host such as `docs.<domain>`. */
export const tenantHostsDoNotCollideWithSharedHosts: Rule = ({ platform, tenants, tenantsFile }) => {
  if (!platform || !tenants) return [];
  const shared = new Map(platform.shared.services.filter((s) => s.host).map((s) => [s.host!, s.name]));
  return Object.keys(tenants)
    .filter((t) => shared.has(t))
    .map((t) => ({ file: tenantsFile, path: fieldPath(['tenants', t]), message: `expected a tenant whose host ${t}.${platform.domain} is free, got one the shared service ${shared.get(t)} already claims` }));
};

/** The ring ConfigMap is not a place for secrets: names or values that look like one are refused, never echoed. */
export const appSettingsAreNotSecrets: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const reserved = reservedSettings(platform);
  for (const [k, v] of Object.entries(platform.app_settings)) {
    const badName = envNameProblem(k);
    if (badName) {
      out.push({ file: platformFile, path: fieldPath(['app_settings', k]), message: badName });
    } else if (reserved.has(k)) {
      out.push({ file: platformFile, path: fieldPath(['app_settings', k]), message: 'expected a setting the ring ConfigMap does not set itself (RING_NAME, MODULE_LOCK_PATH, REDIS_*, and DB_* when [database] is set, come from the registry)' });
    } else if (looksLikeSecret(k, v)) {
      out.push({
        file: platformFile,
        path: fieldPath(['app_settings', k]),
        message: 'expected a non-secret setting, got what looks like a secret (value not shown); keep it in a Secret in the home namespace and list it under secrets.env_from',
      });
    }
  }
  return out;
};

/** A setting whose name or value is that of a secret (the rule lives in src/model). */
export { looksLikeSecret };

/** A lock must fit in a ConfigMap. */
export const locksFitAConfigMap: Rule = ({ locks }) =>
  Object.values(locks)
    .map((l) => ({ l, bytes: Buffer.byteLength(lockFileText(lockPins(l), l.metadata)) }))
    .filter(({ bytes }) => bytes > MAX_LOCK_BYTES)
    .map(({ l, bytes }) => ({ file: l.file, path: '', message: `expected a lock of at most ${MAX_LOCK_BYTES} bytes (it becomes a ConfigMap, limit 1 MiB), got ${bytes}` }));

/** The home namespace's ring-data ConfigMap (every tenant's ring and API host) must fit a ConfigMap, or be turned off. */
export const ringDataFitsAConfigMap: Rule = ({ platform, platformFile, tenantsFile, rings, tenants }) => {
  if (!platform || !platform.ring_data || !tenants) return [];
  const data = ringDataFrom(platform.domain, rings.map((r) => r.spec), tenants);
  const files = ringDataFiles({ domain: platform.domain, rings: data.module_rings, tenants: Object.fromEntries(data.tenants.map((t) => [t.name, t.ring])) });
  const bytes = Object.entries(files).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes <= MAX_CONFIG_MAP_BYTES) return [];
  return [
    {
      file: tenantsFile,
      path: 'tenants',
      message: `expected ring data of at most ${MAX_CONFIG_MAP_BYTES} bytes (every tenant's ring and API host become the home namespace's ring-data ConfigMap, limit 1 MiB), got ${bytes} for ${data.tenants.length} tenants; set ring_data = false in ${path.basename(platformFile)} and sync the app with rings export`,
    },
  ];
};

/** A shared service can mount the ring-data ConfigMap only when the registry renders it. */
export const ringDataMountsNeedRingData: Rule = ({ platform, platformFile }) => {
  if (!platform || platform.ring_data) return [];
  return platform.shared.services.flatMap((s, i) =>
    s.ring_data_path
      ? [{ file: platformFile, path: `shared.services.${i}.ring_data_path`, message: `expected no ring-data mount while ring_data = false (there is no ConfigMap to mount), got "${s.ring_data_path}"; remove it or set ring_data = true` }]
      : [],
  )
};

/**
 * An artifact is immutable: one module version has one sha256 in every ring. When rings disagree,
 * the hash most of them pin (on a tie, the first lock by file name) is taken as the artifact, and
 * each lock that pins another hash is reported, naming the locks it disagrees with.
 */
export const oneHashPerModuleVersion: Rule = ({ locks }) => {
  const pins = new Map<string, { file: string; sha256: string; alias: string; version: string }[]>();
  for (const l of Object.values(locks).sort((a, b) => a.file.localeCompare(b.file))) {
    for (const [alias, sha256] of Object.entries(l.hashes ?? {})) {
      const key = `${alias}@${l.modules[alias]}`;
      if (!pins.has(key)) pins.set(key, []);
      pins.get(key)!.push({ file: l.file, sha256, alias, version: l.modules[alias] });
    }
  }
  const out: RegistryProblem[] = [];
  for (const list of pins.values()) {
    const counts = new Map<string, number>();
    for (const p of list) counts.set(p.sha256, (counts.get(p.sha256) ?? 0) + 1);
    if (counts.size < 2) continue;
    const best = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const agree = list.filter((p) => p.sha256 === best).map((p) => p.file);
    for (const p of list.filter((x) => x.sha256 !== best)) {
      out.push({
        file: p.file,
        path: fieldPath(['modules', p.alias, 'sha256']),
        message: `expected ${best} (${p.alias} ${p.version} as ${agree.join(', ')} ${agree.length === 1 ? 'pins' : 'pin'} it: one version is one artifact), got ${p.sha256}`,
      });
    }
  }
  return out;
};

/** `require_digests = true`: every image reference carries a digest; one line per tag-only reference. */
export const digestsRequired: Rule = ({ platform, platformFile, rings }) => {
  if (!platform?.require_digests) return [];
  const out: RegistryProblem[] = [];
  const see = (file: string, at: string, ref: string | undefined) => {
    if (ref !== undefined && !hasDigest(ref)) {
      out.push({ file, path: at, message: `expected an image pinned by digest (require_digests = true in ${platformFile}), got "${ref}"` });
    }
  };
  const pinned = componentNames(platform);
  for (const c of pinned) see(platformFile, `images.${c}`, (platform.images as Record<string, string | undefined>)[c]);
  platform.shared.services.forEach((s, i) => see(platformFile, `shared.services.${i}.image`, s.image));
  for (const r of rings) for (const c of pinned) see(r.file, `images.${c}`, (r.spec.images as Record<string, string | undefined> | undefined)?.[c]);
  return out;
};

/** The memory rule must give a limit a node could ever offer. */
export const memoryStaysSane: Rule = ({ platform, platformFile, locks }) => {
  if (!platform || platform.preset === 'none') return [];
  const most = Math.max(0, ...Object.values(locks).map((l) => Object.keys(l.modules).length));
  const { limitMib } = memoryForModules(most, platform.memory);
  if (limitMib <= 65536) return [];
  return [{ file: platformFile, path: 'memory', message: `expected coefficients giving at most 64 GiB per pod, got ${limitMib} MiB for ${most} modules` }];
};

/** Gateway API routing needs a Gateway to attach to. */
export const gatewayNamedForGatewayRouting: Rule = ({ platform, platformFile }) => {
  if (!platform || platform.routing !== 'gateway-api' || platform.gateway) return [];
  return [{ file: platformFile, path: 'gateway', message: 'missing: expected a [gateway] table with name and namespace (routing = "gateway-api" attaches HTTPRoutes to it)' }];
};

/** Every secret name has one Secret type: the same name cannot be both a pull secret and an env secret, or a TLS secret. */
export const secretNamesHaveOneType: Rule = ({ platform, platformFile, rings }) => {
  if (!platform) return [];
  const typeOf = new Map<string, { type: string; at: string }>();
  const out: RegistryProblem[] = [];
  const see = (name: string, type: string, at: string) => {
    const first = typeOf.get(name);
    if (first && first.type !== type) {
      out.push({ file: platformFile, path: at, message: `expected a secret name used for one Secret type, got "${name}" as ${type} and as ${first.type} (${first.at})` });
    } else if (!first) typeOf.set(name, { type, at });
  };
  platform.secrets.env_from.forEach((n, i) => see(n, 'Opaque', `secrets.env_from.${i}`));
  platform.secrets.mounts.forEach((m, i) => see(m.name, 'Opaque', `secrets.mounts.${i}.name`));
  platform.secrets.image_pull.forEach((n, i) => see(n, 'kubernetes.io/dockerconfigjson', `secrets.image_pull.${i}`));
  see(platform.tls.domain_secret, 'kubernetes.io/tls', 'tls.domain_secret');
  for (const r of rings) see(platform.tls.ring_secret.replace(/\{segment\}/g, r.spec.hostname_segment), 'kubernetes.io/tls', 'tls.ring_secret');
  return out;
};

/** Two secrets mounted at the same path would hide one another. */
export const secretMountPathsAreUnique: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const seen = new Set<string>();
  // The components that mount the secrets: Octane's api and horizon, or every declared component.
  const mounting = platform.preset === 'none' ? componentNames(platform) : ['api', 'horizon'];
  const writable = new Set([...mounting.flatMap((n) => componentTableOf(platform, n).writable_paths), platform.lock_mount_dir]);
  const out: RegistryProblem[] = [];
  platform.secrets.mounts.forEach((m, i) => {
    const p = m.mount_path.replace(/\/+$/, '');
    if (seen.has(p)) out.push({ file: platformFile, path: `secrets.mounts.${i}.mount_path`, message: `expected a path no other secret is mounted at, got "${m.mount_path}" twice` });
    else if (writable.has(p)) out.push({ file: platformFile, path: `secrets.mounts.${i}.mount_path`, message: `expected a path that is not a writable path or the lock folder, got "${m.mount_path}"` });
    seen.add(p);
  });
  return out;
};

/**
 * A container's limit must be at least its request, or the constructs refuse the component at synth
 * (and the API server would reject the pod). Memory of api and horizon follows the module count, so
 * only their cpu is checked.
 */
export const requestsWithinLimits: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const check = (at: string, r: Record<string, unknown>, resources: readonly ('cpu' | 'memory')[]) => {
    for (const res of resources) {
      const [req, lim] = res === 'cpu' ? ['cpu_request_millicores', 'cpu_limit_millicores'] : ['memory_request_mib', 'memory_limit_mib'];
      if (typeof r[req] === 'number' && typeof r[lim] === 'number' && (r[req] as number) > (r[lim] as number)) {
        out.push({ file: platformFile, path: `${at}.${req}`, message: `expected at most ${lim} (${r[lim]}), got ${r[req]}` });
      }
    }
  };
  for (const n of componentNames(platform)) check(`components.${n}`, componentTableOf(platform, n), ['cpu', 'memory']);
  platform.shared.services.forEach((s, i) => check(`shared.services.${i}`, s, ['cpu', 'memory']));
  return out;
};

/**
 * A preview routes a tenant's requests to another ring by header: the tenant must be assigned (its
 * hosts exist), and the preview ring must exist, be active and differ from the tenant's ring.
 */
export const previewsPointAtAnotherActiveRing: Rule = ({ previews, tenants, tenantsFile, rings, ringFilesFailed }) => {
  if (!previews || !tenants || ringFilesFailed) return [];
  const byName = new Map(rings.map((r) => [r.spec.name, r]));
  const out: RegistryProblem[] = [];
  for (const [tenant, p] of Object.entries(previews)) {
    const at = `previews.${tenant}`;
    const assigned = tenants[tenant];
    const r = byName.get(p.ring);
    if (assigned === undefined) out.push({ file: tenantsFile, path: at, message: `expected a tenant listed in [tenants], got "${tenant}" (a preview needs the tenant's hosts)` });
    if (!r) out.push({ file: tenantsFile, path: `${at}.ring`, message: `expected an existing ring (${[...byName.keys()].join(', ')}), got "${p.ring}"` });
    else if (!r.spec.active) out.push({ file: tenantsFile, path: `${at}.ring`, message: `expected an active ring, got "${p.ring}" (active = false in ${r.file})` });
    else if (assigned === p.ring) out.push({ file: tenantsFile, path: `${at}.ring`, message: `expected a ring other than the tenant's own, got "${p.ring}" (the tenant is already there)` });
  }
  return out;
};

/**
 * Every tenant Ingress shard stays within `ingress.max_hosts_per_ingress` hosts and 256 KiB. The
 * shard count is explicit in the ring file, never derived from the tenant count: a derived count
 * would shrink when tenants leave and reshuffle every shard. So the error computes the value to set.
 */
export const ingressShardsFit: Rule = ({ platform, platformFile, rings, tenants, ringFilesFailed }) => {
  if (!platform || !tenants || ringFilesFailed) return [];
  const byRing = new Map<string, string[]>();
  for (const [tenant, ring] of Object.entries(tenants)) {
    const list = byRing.get(ring);
    if (list) list.push(tenant);
    else byRing.set(ring, [tenant]);
  }
  const limits = { maxHosts: platform.ingress.max_hosts_per_ingress };
  const out: RegistryProblem[] = [];
  for (const r of rings) {
    const hosts = ringHosts({ hostnameSegment: r.spec.hostname_segment, domain: platform.domain, tenants: byRing.get(r.spec.name) ?? [], isDefault: r.spec.default });
    const shards = r.spec.ingress_shards;
    const over = overfullShards(ingressShardLoads(hosts, shards), limits);
    if (!over.length) continue;
    const worst = over[0];
    const need = minimumIngressShards(hosts, shards + 1, limits);
    const fix =
      need === undefined
        ? 'no count up to 999 fits; raise ingress.max_hosts_per_ingress'
        : `set ingress_shards = ${need}, the smallest count above ${shards} that fits (only ever raise it: lowering it reshuffles every shard)`;
    out.push({
      file: r.file,
      path: 'ingress_shards',
      message:
        `expected enough Ingress shards for ${hosts.length} hosts (at most ${limits.maxHosts} hosts, ingress.max_hosts_per_ingress in ${platformFile}, and ${MAX_INGRESS_BYTES / 1024} KiB per object), ` +
        `got ${shards}: ${worst.name} would hold ${worst.hosts} hosts (${Math.ceil(worst.bytes / 1024)} KiB); ${fix}`,
    });
  }
  return out;
};

/**
 * Each writable path becomes an emptyDir volume named after it and mounted there: two paths for the
 * same folder (`/tmp`, `/tmp/`), two that give the same volume name (`/a-b`, `/a/b`), or one over a
 * ConfigMap mount (the lock folder, nginx's conf.d) would make the API server reject the pods.
 */
export const writablePathsDistinct: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const check = (at: string, paths: readonly string[], configDirs: readonly string[]) => {
    const folders = new Map(configDirs.map((d) => [d.replace(/\/+$/, '') || '/', `the ConfigMap mounted at "${d}"`]));
    const volumes = new Map<string, string>();
    paths.forEach((p, i) => {
      const folder = p.replace(/\/+$/, '') || '/';
      const volume = writableVolumeName(p);
      const clash = folders.get(folder) ?? volumes.get(volume);
      if (clash) out.push({ file: platformFile, path: `${at}.writable_paths.${i}`, message: `expected a folder no other mount uses, got "${p}" (clashes with ${clash})` });
      folders.set(folder, `"${p}"`);
      volumes.set(volume, `"${p}"`);
    });
  };
  // Octane's nginx mounts its conf.d instead of the lock; every other component mounts the lock folder.
  for (const n of componentNames(platform)) check(`components.${n}`, componentTableOf(platform, n).writable_paths, [platform.preset !== 'none' && n === 'nginx' ? NGINX_CONFIG_DIR : platform.lock_mount_dir]);
  platform.shared.services.forEach((s, i) => check(`shared.services.${i}`, s.writable_paths, s.ring_data_path ? [s.ring_data_path] : []));
  return out;
};

/**
 * Free text the output carries (shared services' args, ring descriptions and display names…) is not a
 * place for secrets either: any string value that looks like one is refused, and never echoed.
 * app_settings has its own rule (appSettingsAreNotSecrets), with a message for settings.
 */
export const noInlineSecrets: Rule = ({ platform, platformFile, rings }) => {
  const out: RegistryProblem[] = [];
  const walk = (file: string, v: unknown, at: string[]) => {
    if (typeof v === 'string') {
      if (looksLikeSecret('', v)) {
        out.push({ file, path: at.join('.'), message: 'expected no secret in the registry, got what looks like one (value not shown); keep it in a Secret in the home namespace' });
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(file, x, [...at, String(i)]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (!(at.length === 0 && k === 'app_settings')) walk(file, x, [...at, k]);
  };
  if (platform) walk(platformFile, platform, []);
  for (const r of rings) walk(r.file, r.spec, []);
  return out;
};

/** The ring ConfigMap (app settings and the ring's keys) fits a ConfigMap, and the Namespace's annotations fit theirs. */
export const ringObjectsFitTheirLimits: Rule = ({ platform, platformFile, rings }) => {
  const out: RegistryProblem[] = [];
  if (platform) {
    const bytes = Object.entries(platform.app_settings).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (bytes > MAX_CONFIG_MAP_BYTES) {
      out.push({ file: platformFile, path: 'app_settings', message: `expected settings of at most ${MAX_CONFIG_MAP_BYTES} bytes (they become every ring's ConfigMap, limit 1 MiB), got ${bytes}` });
    }
  }
  for (const r of rings) {
    const bytes = Buffer.byteLength(r.spec.description) + Buffer.byteLength(r.spec.display_name ?? r.spec.name);
    if (bytes > MAX_ANNOTATION_BYTES) {
      out.push({ file: r.file, path: 'description', message: `expected a description and display name of at most ${MAX_ANNOTATION_BYTES} bytes together (Namespace annotations, limit 256 KiB), got ${bytes}` });
    }
  }
  return out;
};

// ---------------------------------------------------------------- hardening and escape hatches

/** Env names the ring pods get from the registry itself (the ring ConfigMap and the redis password). */
const RESERVED_ENV = new Set(['RING_NAME', 'MODULE_LOCK_PATH', 'DB_HOST', 'DB_PORT', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD']);

/** One component's settings as the registry gives them (platform table, shared service, or a ring's merged view): the schema's component table. */
type ComponentSettings = Partial<PlatformFile['components']['api']>;

/** Every component table of the registry, with where it is and (for a ring) its merged view. */
function componentTables(platform: PlatformFile, platformFile: string, rings: readonly RingEntry[]): { file: string; at: string; c: ComponentSettings }[] {
  const out: { file: string; at: string; c: ComponentSettings }[] = [];
  for (const n of componentNames(platform)) {
    const base = componentTableOf(platform, n) as ComponentSettings;
    out.push({ file: platformFile, at: `components.${n}`, c: base});
    for (const r of rings) {
      const over = (r.spec.components as Record<string, unknown> | undefined)?.[n] as ComponentSettings | undefined;
      if (!over) continue;
      out.push({ file: r.file, at: `components.${n}`, c: mergeComponent(base, over)});
    }
  }
  platform.shared.services.forEach((sv, i) => out.push({ file: platformFile, at: `shared.services.${i}`, c: sv as ComponentSettings }));
  return out;
}

/**
 * The escape hatches and bounds of every component, as the constructs would refuse them, named by
 * field: env (names, secret-looking, reserved), extra labels (valid, not the selector keys), node
 * selectors and annotation keys, requests within limits (also after a ring's overrides), the
 * ephemeral-storage limit covering the writable paths' size limits, init folders inside a writable path.
 */
export const componentSettingsValid: Rule = ({ platform, platformFile, rings }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  for (const { file, at, c } of componentTables(platform, platformFile, rings)) {
    const add = (field: string, message: string | undefined) => {
      if (message !== undefined) out.push({ file, path: `${at}.${field}`, message });
    };
    for (const [k, v] of Object.entries(c.env ?? {})) {
      const f = fieldPath(['env', k]);
      if (isEnvName(k) && RESERVED_ENV.has(k)) add(f, 'expected a variable the registry does not set itself (RING_NAME, MODULE_LOCK_PATH, DB_*, REDIS_* come from the registry)');
      else add(f, plainEnvProblem(k, v));
    }
    for (const [k, v] of Object.entries(c.labels ?? {})) add(fieldPath(['labels', k]), extraLabelProblem(k, v));
    for (const [k, v] of Object.entries(c.node_selector ?? {})) add(fieldPath(['node_selector', k]), labelEntryProblem(k, v));
    for (const k of Object.keys(c.annotations ?? {})) add(fieldPath(['annotations', k]), annotationKeyProblem(k));
    for (const [res, req, lim] of [['cpu', 'cpu_request_millicores', 'cpu_limit_millicores'], ['memory', 'memory_request_mib', 'memory_limit_mib'], ['ephemeral storage', 'ephemeral_storage_request_mib', 'ephemeral_storage_limit_mib']] as const) {
      const r = c[req];
      const l = c[lim];
      if (typeof r !== 'number' || typeof l !== 'number') continue;
      if (file !== platformFile) add(req, requestOverLimitProblem(lim, l, r, "after this ring's overrides"));
      else if (res === 'ephemeral storage') add(req, requestOverLimitProblem(lim, l, r));
    }
    // api and horizon memory follows the module count unless both are given (one alone could fall on the wrong side of the rule).
    if ((at === 'components.api' || at === 'components.horizon') && (c.memory_request_mib === undefined) !== (c.memory_limit_mib === undefined)) {
      const [given, missing] = c.memory_request_mib === undefined ? ['memory_limit_mib', 'memory_request_mib'] : ['memory_request_mib', 'memory_limit_mib'];
      add(missing, `missing: expected ${missing} next to ${given} (together they replace the memory rule for this component)`);
    }
    const paths = c.writable_paths ?? DEFAULT_WRITABLE_PATHS;
    if (c.ephemeral_storage_limit_mib !== undefined) {
      add('ephemeral_storage_limit_mib', writableSizesOverLimitProblem(c.ephemeral_storage_limit_mib, paths.map(() => c.writable_size_limit_mib ?? EPHEMERAL_DEFAULTS.writableSizeLimitMib)));
    }
    (c.init_dirs ?? []).forEach((d, i) => add(`init_dirs.${i}`, initDirProblem(d, paths)));
  }
  return out;
};

/** `affinity` is passed to Kubernetes as written, so it must be a valid Affinity of the 1.29 API (strict: no unknown fields). */
export const affinityMatchesTheSchema: Rule = ({ platform, platformFile, rings }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const check = (file: string, at: string, affinity: unknown) => {
    if (affinity === undefined) return;
    for (const e of validateDefinition('io.k8s.api.core.v1.Affinity', affinity)) out.push({ file, path: `${at}.affinity`, message: `expected a Kubernetes Affinity (core/v1, camelCase fields), got one where ${e}` });
  };
  for (const n of componentNames(platform)) {
    check(platformFile, `components.${n}`, componentTableOf(platform, n).affinity);
    for (const r of rings) check(r.file, `components.${n}`, (r.spec.components as Record<string, { affinity?: unknown } | undefined> | undefined)?.[n]?.affinity);
  }
  platform.shared.services.forEach((s, i) => check(platformFile, `shared.services.${i}`, s.affinity));
  return out;
};

/** Redis run by the shared layer gets its password and persistence flags from `[redis]`: its args may not repeat them, nor may /data be an emptyDir under AOF. */
export const redisSettingsAreTheRegistrys: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  platform.shared.services.forEach((s, i) => {
    if (s.name !== platform.redis.host) return;
    (s.args ?? []).forEach((a, j) => {
      const flag = (REDIS_MANAGED_FLAGS as readonly string[]).find((f) => a === f || a.startsWith(`${f}=`));
      if (flag) out.push({ file: platformFile, path: `shared.services.${i}.args.${j}`, message: `expected no ${flag}: the shared layer sets it from [redis] (password_secret, persistence), got it in args` });
    });
    if (platform.redis.persistence === 'aof') {
      s.writable_paths.forEach((p, j) => {
        if ((p.replace(/\/+$/, '') || '/') === REDIS_DATA_DIR) {
          out.push({ file: platformFile, path: `shared.services.${i}.writable_paths.${j}`, message: `expected no "${REDIS_DATA_DIR}": with redis.persistence = "aof" it holds the append-only file on a PersistentVolumeClaim` });
        }
      });
    }
  });
  return out;
};

/** Label selectors of the registry (external pods, the controller, DNS) are valid label maps. */
export const selectorsAreLabels: Rule = ({ platform, platformFile }) => {
  if (!platform) return [];
  const out: RegistryProblem[] = [];
  const check = (at: string[], map: Record<string, string> | undefined) => {
    for (const [k, v] of Object.entries(map ?? {})) {
      const p = labelEntryProblem(k, v);
      if (p) out.push({ file: platformFile, path: fieldPath([...at, k]), message: p });
    }
  };
  platform.shared.external.forEach((e, i) => check(['shared', 'external', String(i), 'pod_selector'], e.pod_selector));
  check(['ingress', 'controller_namespace_labels'], platform.ingress.controller_namespace_labels);
  check(['ingress', 'controller_pod_labels'], platform.ingress.controller_pod_labels);
  check(['gateway', 'dataplane_namespace_labels'], platform.gateway?.dataplane_namespace_labels);
  check(['gateway', 'dataplane_pod_labels'], platform.gateway?.dataplane_pod_labels);
  check(['dns', 'namespace_labels'], platform.dns.namespace_labels);
  check(['dns', 'pod_labels'], platform.dns.pod_labels);
  return out;
};

/** A patch scoped to a ring names an existing ring. */
export const patchesTargetExistingRings: Rule = ({ platform, platformFile, rings, ringFilesFailed, ringFiles }) => {
  if (!platform || ringFilesFailed) return [];
  return platform.patches
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.ring !== undefined && !rings.some((r) => r.spec.name === p.ring))
    .map(({ p, i }) => ({ file: platformFile, path: `patches.${i}.ring`, message: `expected an existing ring (${[...ringFiles].sort().join(', ')}), got "${p.ring}"` }));
};

// --- approvals ---
/** `emergency_waives_approval` only means something where `require_approval = true`. */
export const emergencyWaiverNeedsApproval: Rule = ({ rings }) =>
  rings
    .filter((r) => r.spec.emergency_waives_approval && !r.spec.require_approval)
    .map((r) => ({ file: r.file, path: 'emergency_waives_approval', message: 'expected require_approval = true alongside it (there is no approval gate to waive), got require_approval = false' }));
// --- end approvals ---

export const RULES: readonly Rule[] = [
  ringFileNamedAfterRing,
  exactlyOneDefaultRing,
  uniqueNamespaces,
  uniqueHostnameSegments,
  uniquePromotionOrders,
  everyRingHasALock,
  everyLockHasARing,
  homeRingExists,
  tenantsOnActiveRings,
  tenantNamesAreDnsLabels,
  sharedNamesDoNotCollide,
  sharedHostsAreUnique,
  tenantHostsDoNotCollideWithSharedHosts,
  appSettingsAreNotSecrets,
  locksFitAConfigMap,
  ringDataFitsAConfigMap,
  ringDataMountsNeedRingData,
  oneHashPerModuleVersion,
  digestsRequired,
  memoryStaysSane,
  gatewayNamedForGatewayRouting,
  secretNamesHaveOneType,
  secretMountPathsAreUnique,
  previewsPointAtAnotherActiveRing,
  requestsWithinLimits,
  writablePathsDistinct,
  noInlineSecrets,
  ingressShardsFit,
  ringObjectsFitTheirLimits,
  componentSettingsValid,
  affinityMatchesTheSchema,
  redisSettingsAreTheRegistrys,
  selectorsAreLabels,
  patchesTargetExistingRings,
  // rings across clusters ([clusters], home_cluster, cluster =, remote_host)
  ...CLUSTER_RULES,
  emergencyWaiverNeedsApproval,
  // [analysis]: metric checks (analysis.ts)
  ...ANALYSIS_RULES,
  // preset = "none": the declared components (component-rules.ts)
  ...COMPONENT_RULES,
];

export function crossFileProblems(input: CrossFileInput): RegistryProblem[] {
  return RULES.flatMap((rule) => rule(input));
}
