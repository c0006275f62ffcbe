/**
 * Benchmark inputs: a ring registry of any size (rings/*.toml, tenants.toml, locks) and the
 * equivalent hand-kept kustomize tree of the seed (base/, per-ring and shared bases, an aliases
 * component, one overlay per ring), so both tools are timed on the same platform.
 *
 * Plain CommonJS, no build step: `node bench/generate.js <dir> <rings> <tenants> <modules>`.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const FIRST_RINGS = ['stable', 'edge', 'canary', 'experimental'];

/** Ring names: the seed's four first, then r05, r06, … */
function ringNames(n) {
  return Array.from({ length: n }, (_, i) => (i < FIRST_RINGS.length ? FIRST_RINGS[i] : `r${String(i + 1).padStart(2, '0')}`));
}

/** Tenant i: a DNS label; spread over rings round-robin so every ring grows with the registry. */
function tenantName(i) {
  return `t${String(i).padStart(6, '0')}`;
}

/** Hosts per Ingress the generated registry aims for (2 per tenant); below the default limit of 500. */
const TARGET_HOSTS_PER_SHARD = 400;

/**
 * Writes a registry with `rings` rings, `tenants` tenants and `modules` modules per lock to `dir`.
 * platform.toml is the example registry's, so the shared layer is the seed's.
 * `shards`: ring-file `ingress_shards`; by default enough for ~400 hosts per Ingress.
 */
function generateRegistry(dir, { rings, tenants, modules, shards, platformToml }) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'locks'), { recursive: true });
  const names = ringNames(rings);
  const platform = platformToml ?? fs.readFileSync(path.join(__dirname, '..', 'rings', 'platform.toml'), 'utf8');
  // Past ~15,000 tenants the tenant map outgrows the ring-data ConfigMap (the app syncs from `rings export` instead).
  const noRingData = tenants > 10000 && /^ring_data\s*=\s*true/m.test(platform);
  const shaped = noRingData ? platform.replace(/^ring_data_path\s*=.*\n/gm, '').replace(/^ring_data\s*=\s*true.*$/m, 'ring_data = false') : platform;
  fs.writeFileSync(path.join(dir, 'platform.toml'), shaped.replace(/^home_ring = .*$/m, 'home_ring = "stable"'));
  const perRing = Math.ceil(tenants / rings);
  const ringShards = shards ?? Math.max(1, Math.ceil((perRing * 2 * 1.25) / TARGET_HOSTS_PER_SHARD));
  names.forEach((name, i) => {
    const lines = [
      `name = "${name}"`,
      `display_name = "${name[0].toUpperCase()}${name.slice(1)}"`,
      `description = "Generated ring ${i + 1} of ${rings}"`,
      `namespace = "${name === 'stable' ? 'autocom' : `autocom-${name}`}"`,
      `hostname_segment = "${name}"`,
      `promotion_order = ${i * 10}`,
      'active = true',
      `default = ${name === 'stable'}`,
      `soak = "${i === 0 ? '7d' : '24h'}"`,
    ];
    if (ringShards > 1) lines.push(`ingress_shards = ${ringShards}`);
    lines.push('', '[replicas]', 'api = 2', 'horizon = 1', 'nginx = 2', '');
    fs.writeFileSync(path.join(dir, `${name}.toml`), lines.join('\n'));
    const lock = {};
    for (let m = 0; m < modules; m++) lock[`module-${String(m).padStart(3, '0')}`] = `${1 + (m % 4)}.${(m * 7 + i) % 10}.${m % 3}`;
    fs.writeFileSync(path.join(dir, 'locks', `${name}.lock.json`), `${JSON.stringify(lock, null, 2)}\n`);
  });
  const t = ['# generated', '[tenants]'];
  for (let i = 0; i < tenants; i++) t.push(`${tenantName(i)} = "${names[i % rings]}"`);
  fs.writeFileSync(path.join(dir, 'tenants.toml'), `${t.join('\n')}\n`);
  return { names, shards: ringShards };
}

/** YAML for a list of objects. JSON is YAML, and kustomize reads it the same; no YAML library needed. */
function docs(objects) {
  return objects.map((o) => `---\n${JSON.stringify(o, null, 1)}\n`).join('');
}

/**
 * Writes the seed's kustomize layout for the same registry. `sample` is one rendered non-home ring
 * (objects of `ring-<x>/ring-<x>.yaml`) and the shared layer (objects of `shared/shared.yaml`) from cdk8s-rings, so
 * the bases hold the same objects; each overlay then does the per-ring work kustomize does:
 * namespace, ring label (selectors included), generated ConfigMaps, replicas patch, its Ingress.
 */
function generateKustomize(dir, { rings, tenants, modules }, sample) {
  fs.rmSync(dir, { recursive: true, force: true });
  const names = ringNames(rings);
  const w = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const strip = (o) => {
    const c = JSON.parse(JSON.stringify(o));
    delete c.metadata.namespace;
    return c;
  };
  const ringObjs = sample.ring.filter((o) => !['Namespace', 'Ingress'].includes(o.kind) && !['ring-config', 'module-lock'].includes(o.metadata.name));
  const aliases = ringObjs.filter((o) => o.kind === 'Service' && o.spec.type === 'ExternalName');
  const perRing = ringObjs.filter((o) => !aliases.includes(o) && o.kind !== 'ResourceQuota');
  const quota = ringObjs.filter((o) => o.kind === 'ResourceQuota');
  // base/per-ring: one file per component (api.yaml, horizon.yaml, nginx.yaml), policies apart.
  const files = new Map();
  for (const o of perRing) {
    const f = o.kind === 'NetworkPolicy' ? 'network-policies.yaml' : `${o.metadata.labels?.['app.kubernetes.io/component'] === 'config' ? 'nginx' : o.metadata.name}.yaml`;
    if (!files.has(f)) files.set(f, []);
    files.get(f).push(strip(o));
  }
  for (const [f, objs] of files) w(`base/per-ring/${f}`, docs(objs));
  w('base/per-ring/kustomization.yaml', kz({ resources: [...files.keys()].sort() }));
  w('base/resource-quota/resource-quota.yaml', docs(quota.map(strip)));
  w('base/resource-quota/kustomization.yaml', kz({ resources: ['resource-quota.yaml'] }));
  const sharedFiles = new Map();
  for (const o of sample.shared) {
    const f = o.kind === 'Ingress' ? 'ingress.yaml' : `${o.metadata.name}.yaml`;
    if (!sharedFiles.has(f)) sharedFiles.set(f, []);
    sharedFiles.get(f).push(strip(o));
  }
  for (const [f, objs] of sharedFiles) w(`base/shared/${f}`, docs(objs));
  w('base/shared/kustomization.yaml', kz({ resources: [...sharedFiles.keys()].sort() }));
  w('base/kustomization.yaml', kz({ resources: ['per-ring', 'shared', 'resource-quota'] }));
  w('overlays/shared/kustomization.yaml', kz({ namespace: 'autocom', resources: ['../../base/shared'] }));
  w('overlays/rings/_shared-aliases/aliases.yaml', docs(aliases.map(strip)));
  w('overlays/rings/_shared-aliases/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - aliases.yaml\n');

  const byRing = new Map(names.map((n) => [n, []]));
  for (let i = 0; i < tenants; i++) byRing.get(names[i % rings]).push(tenantName(i));
  names.forEach((name, i) => {
    const ns = name === 'stable' ? 'autocom' : `autocom-${name}`;
    const base = `overlays/rings/${name}`;
    const hosts = [];
    for (const t of byRing.get(name).sort()) hosts.push(`${t}.${name}.acme.io`, `${t}.acme.io`);
    if (name === 'stable') hosts.push('*.acme.io');
    w(`${base}/namespace.yaml`, docs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } }]));
    w(
      `${base}/ingress.yaml`,
      docs([
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'tenants' },
          spec: {
            ingressClassName: 'nginx',
            tls: [{ hosts, secretName: 'wildcard-tls' }],
            rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx', port: { number: 80 } } } }] } })),
          },
        },
      ]),
    );
    const lock = {};
    for (let m = 0; m < modules; m++) lock[`module-${String(m).padStart(3, '0')}`] = `${1 + (m % 4)}.${(m * 7 + i) % 10}.${m % 3}`;
    w(`${base}/${name}.lock.json`, `${JSON.stringify(lock, null, 2)}\n`);
    w(
      `${base}/kustomization.yaml`,
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `namespace: ${ns}`,
        'resources:',
        '  - namespace.yaml',
        '  - ../../../base/per-ring',
        '  - ../../../base/resource-quota',
        '  - ingress.yaml',
        ...(name === 'stable' ? [] : ['components:', '  - ../_shared-aliases']),
        'labels:',
        '  - includeSelectors: true',
        '    pairs:',
        `      ring: ${name}`,
        'generatorOptions:',
        '  disableNameSuffixHash: true',
        'configMapGenerator:',
        '  - name: ring-config',
        '    literals:',
        `      - RING_NAME=${name}`,
        `      - MODULE_LOCK_PATH=/etc/rings/${name}.lock.json`,
        '      - DB_HOST=autocom-db-rw',
        '      - DB_PORT=5432',
        '      - REDIS_HOST=redis',
        '      - REDIS_PORT=6379',
        '  - name: module-lock',
        '    files:',
        `      - ${name}.lock.json`,
        'patches:',
        '  - target:',
        '      kind: Deployment',
        '      name: api',
        '    patch: |-',
        '      - op: replace',
        '        path: /spec/replicas',
        '        value: 2',
        '',
      ].join('\n'),
    );
  });
  return { overlays: ['overlays/shared', ...names.map((n) => `overlays/rings/${n}`)] };
}

function kz({ namespace, resources }) {
  return ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', ...(namespace ? [`namespace: ${namespace}`] : []), 'resources:', ...resources.map((r) => `  - ${r}`), ''].join('\n');
}

module.exports = { generateRegistry, generateKustomize, ringNames, tenantName };

if (require.main === module) {
  const [dir, rings, tenants, modules] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node bench/generate.js <dir> [rings=4] [tenants=50] [modules=23]\n');
    process.exit(1);
  }
  const r = generateRegistry(dir, { rings: Number(rings ?? 4), tenants: Number(tenants ?? 50), modules: Number(modules ?? 23) });
  process.stdout.write(`wrote ${r.names.length} rings to ${dir} (ingress_shards ${r.shards})\n`);
}
