/**
 * An imported registry as the files of a registry folder (TOML and lock JSON, as text), and the
 * atomic write of that folder. The text is what an operator would write by hand: only the keys the
 * tree settles, every other key left to its documented default.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ImportedComponent, ImportedRegistry } from './map-registry';

const q = (s: string) => JSON.stringify(s).replace(/\u007f/g, '\\u007f');
const k = (s: string) => (/^[A-Za-z0-9_-]+$/.test(s) ? s : q(s));
const arr = (xs: readonly (string | number)[]) => `[${xs.map((x) => (typeof x === 'number' ? String(x) : q(x))).join(', ')}]`;

function componentLines(c: ImportedComponent, opts: { port: boolean; memory: boolean }): string[] {
  const out: string[] = [];
  if (opts.port && c.port) out.push(`port = ${c.port}`);
  if (c.runAsUser) out.push(`run_as_user = ${c.runAsUser}`);
  if (c.writablePaths.length) out.push(`writable_paths = ${arr(c.writablePaths)}`);
  if (c.cpu?.request) out.push(`cpu_request_millicores = ${c.cpu.request}`);
  if (c.cpu?.limit) out.push(`cpu_limit_millicores = ${c.cpu.limit}`);
  if (opts.memory && c.memory?.request) out.push(`memory_request_mib = ${c.memory.request}`);
  if (opts.memory && c.memory?.limit) out.push(`memory_limit_mib = ${c.memory.limit}`);
  return out;
}

/** A ring's resources where they differ from the home ring's (platform.toml's): its `[components.<c>]` table. */
function resourceOverrides(home: ImportedComponent, ring: ImportedComponent): string[] {
  const out: string[] = [];
  const pair = (key: string, a: number | undefined, b: number | undefined) => {
    if (b !== undefined && a !== b) out.push(`${key} = ${b}`);
  };
  pair('cpu_request_millicores', home.cpu?.request, ring.cpu?.request);
  pair('cpu_limit_millicores', home.cpu?.limit, ring.cpu?.limit);
  pair('memory_request_mib', home.memory?.request, ring.memory?.request);
  pair('memory_limit_mib', home.memory?.limit, ring.memory?.limit);
  return out;
}

/** platform.toml `[images]`: the defaults (a new ring's), from the home ring; each ring file pins its own. */
function imagesSection(reg: ImportedRegistry): string[] {
  const home = reg.rings.find((r) => r.name === reg.homeRing)!;
  return ['[images]', `api = ${q(home.images.api)}`, ...(home.images.horizon !== home.images.api ? [`horizon = ${q(home.images.horizon)}`] : []), `nginx = ${q(home.images.nginx)}`];
}

export function registryFiles(reg: ImportedRegistry, from: string, locks: ReadonlyMap<string, string>): Map<string, string> {
  const files = new Map<string, string>();
  const home = reg.rings.find((r) => r.name === reg.homeRing)!;
  const p: string[] = [
    `# Imported by \`rings import\` from the kustomize tree ${from}. Keys not written here take their`,
    '# documented defaults; the import listed what it could not map.',
    `name = ${q(reg.name)}`,
    `domain = ${q(reg.domain)}`,
    `home_ring = ${q(reg.homeRing)}`,
    ...(reg.lockMountDir ? [`lock_mount_dir = ${q(reg.lockMountDir)}`] : []),
    '',
    ...imagesSection(reg),
  ];
  const sections: [string, string[]][] = [
    ['components.api', componentLines(home.components.api, { port: true, memory: true })],
    ['components.horizon', componentLines(home.components.horizon, { port: false, memory: true })],
    ['components.nginx', componentLines(home.components.nginx, { port: true, memory: true })],
    ['ingress', reg.ingressClass ? [`class = ${q(reg.ingressClass)}`] : []],
    ['tls', ['mode = "synced"', ...(reg.domainTlsSecret ? [`domain_secret = ${q(reg.domainTlsSecret)}`] : []), ...(reg.ringTlsSecret ? [`ring_secret = ${q(reg.ringTlsSecret)}`] : [])]],
    [
      'secrets',
      [
        'sync = "none"',
        ...(reg.envFromSecrets.length ? [`env_from = ${arr(reg.envFromSecrets)}`] : []),
        ...(reg.imagePullSecrets.length ? [`image_pull = ${arr(reg.imagePullSecrets)}`] : []),
        ...(reg.secretMounts.length ? [`mounts = [${reg.secretMounts.map((m) => `{ name = ${q(m.name)}, mount_path = ${q(m.mountPath)} }`).join(', ')}]`] : []),
      ],
    ],
    ['database', reg.database ? [`host = ${q(reg.database.host)}`, ...(reg.database.port ? [`port = ${reg.database.port}`] : [])] : []],
    ['redis', reg.redis ? [`host = ${q(reg.redis.host)}`, ...(reg.redis.port ? [`port = ${reg.redis.port}`] : []), ...(reg.redis.persistence ? [`persistence = ${q(reg.redis.persistence)}`] : [])] : []],
    ['app_settings', Object.entries(reg.appSettings).map(([key, v]) => `${k(key)} = ${q(v)}`)],
  ];
  for (const [name, lines] of sections) if (lines.length) p.push('', `[${name}]`, ...lines);
  for (const s of reg.shared) {
    p.push('', '[[shared.services]]', `name = ${q(s.name)}`, `image = ${q(s.image)}`, `port = ${s.port}`, `replicas = ${s.replicas}`);
    if (s.host) p.push(`host = ${q(s.host)}`);
    if (s.healthPath) p.push(`health_path = ${q(s.healthPath)}`);
    if (s.args) p.push(`args = ${arr(s.args)}`);
    if (s.runAsUser) p.push(`run_as_user = ${s.runAsUser}`);
    if (s.writablePaths.length) p.push(`writable_paths = ${arr(s.writablePaths)}`);
    if (s.cpu?.request) p.push(`cpu_request_millicores = ${s.cpu.request}`);
    if (s.cpu?.limit) p.push(`cpu_limit_millicores = ${s.cpu.limit}`);
    if (s.memory?.request) p.push(`memory_request_mib = ${s.memory.request}`);
    if (s.memory?.limit) p.push(`memory_limit_mib = ${s.memory.limit}`);
  }
  for (const e of reg.external) p.push('', '[[shared.external]]', `name = ${q(e.name)}`, `port = ${e.port}`);
  files.set('platform.toml', `${p.join('\n')}\n`);

  for (const r of reg.rings) {
    const c = r.components;
    files.set(
      `${r.name}.toml`,
      [
        `# Imported from ${r.dir}`,
        `name = ${q(r.name)}`,
        `namespace = ${q(r.namespace)}`,
        `hostname_segment = ${q(r.segment)}`,
        `promotion_order = ${r.promotionOrder}`,
        `default = ${r.isDefault}`,
        '',
        '[images]',
        `api = ${q(r.images.api)}`,
        ...(r.images.horizon !== r.images.api ? [`horizon = ${q(r.images.horizon)}`] : []),
        `nginx = ${q(r.images.nginx)}`,
        '',
        '[replicas]',
        `api = ${c.api.replicas}`,
        `horizon = ${c.horizon.replicas}`,
        `nginx = ${c.nginx.replicas}`,
        ...(['api', 'horizon', 'nginx'] as const).flatMap((name) => {
          const lines = resourceOverrides(home.components[name], c[name]);
          return lines.length ? ['', `[components.${name}]`, ...lines] : [];
        }),
        '',
      ].join('\n'),
    );
    files.set(`locks/${r.name}.lock.json`, locks.get(r.name) ?? '{}\n');
  }
  const t = ['# tenant = "ring", from the rings\' Ingress hosts', '[tenants]', ...Object.entries(reg.tenants).map(([tenant, ring]) => `${k(tenant)} = ${q(ring)}`)];
  files.set('tenants.toml', `${t.join('\n')}\n`);
  return files;
}

/** Writes a registry folder whole: into a sibling temporary folder, then renamed into place. `dir` must not exist or be empty. */
export function writeRegistryDir(dir: string, files: ReadonlyMap<string, string>): void {
  const abs = path.resolve(dir);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(abs), `.rings-tmp-${path.basename(abs)}-`));
  try {
    for (const [rel, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      if (rel.split('/').some((s) => s === '..' || s === '') || path.isAbsolute(rel)) throw new Error(`refusing to write "${rel}" outside the registry folder`);
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), text);
    }
    if (fs.existsSync(abs)) fs.rmdirSync(abs); // empty, checked by the caller; rmdir refuses otherwise
    fs.renameSync(tmp, abs);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
