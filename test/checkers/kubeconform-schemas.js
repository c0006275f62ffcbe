#!/usr/bin/env node
/**
 * Writes kubeconform schemas (strict, standalone) into OUT_DIR, offline, from the repo's copy of the
 * Kubernetes 1.29 definitions and the vendored CRDs (test/fixtures/): one file per apiVersion/kind,
 * named `<kind>-<group>-<version>.json` (the core group is named after its version: `pod-v1-v1.json`),
 * for kubeconform's `-schema-location "OUT_DIR/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json"`.
 * Each file holds its root schema and the definitions it reaches; strict = the same transform as
 * the tests' validator (`additionalProperties: false` wherever `properties` are listed).
 *   node test/checkers/kubeconform-schemas.js OUT_DIR
 */
const fs = require('fs');
const path = require('path');
const { strictify } = require('../../build/src/registry/schema/k8s-schema');

const out = process.argv[2];
if (!out) {
  console.error('usage: kubeconform-schemas.js OUT_DIR');
  process.exit(2);
}
const fixtures = path.join(__dirname, '..', 'fixtures');
const core = JSON.parse(fs.readFileSync(path.join(fixtures, 'schemas', 'k8s-v1.29.0-definitions.json'), 'utf8'));
strictify(core);
const defs = core.definitions;
const DEF = '#/definitions/';

/** Definitions reachable from a schema through `$ref: "#/definitions/..."`. */
function reachable(schema) {
  const seen = new Set();
  const walk = (n) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (typeof n.$ref === 'string' && n.$ref.startsWith(DEF)) {
      const name = n.$ref.slice(DEF.length);
      if (!seen.has(name)) {
        seen.add(name);
        walk(defs[name]);
      }
    }
    for (const v of Object.values(n)) walk(v);
  };
  walk(schema);
  return Object.fromEntries([...seen].sort().map((n) => [n, defs[n]]));
}

const fileName = (kind, group, version) => `${kind.toLowerCase()}-${group || version}-${version}.json`;
fs.mkdirSync(out, { recursive: true });
let n = 0;
const write = (name, schema) => {
  fs.writeFileSync(path.join(out, name), JSON.stringify(schema));
  n++;
};
for (const [name, def] of Object.entries(defs)) {
  for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
    if (/\.(DeleteOptions|Status|WatchEvent)$/.test(name)) continue;
    const root = { $ref: `${DEF}${name}` };
    write(fileName(gvk.kind, gvk.group, gvk.version), { ...root, definitions: reachable(root) });
  }
}
const objectMeta = `${DEF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
// kubeconform takes one schema per kind: the operator releases of the floor (Kubernetes 1.29) in the
// support matrix. The newer releases are held to by the in-process gate (every release) and the cluster tests.
const floor = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cluster', 'support-matrix.json'), 'utf8'))['1.29'];
const floorReleases = new Set(Object.entries(floor).map(([op, rel]) => `${op} ${rel}`));
for (const f of fs.readdirSync(path.join(fixtures, 'crds')).filter((x) => x.endsWith('.json')).sort()) {
  const crd = JSON.parse(fs.readFileSync(path.join(fixtures, 'crds', f), 'utf8'));
  if (!floorReleases.has(crd.release)) continue;
  for (const v of crd.versions ?? []) {
    const schema = structuredClone(v.openAPIV3Schema);
    if (schema.properties) schema.properties.metadata = { $ref: objectMeta };
    strictify(schema);
    write(fileName(crd.kind, crd.group, v.version), { ...schema, definitions: reachable(schema) });
  }
}
console.log(`kubeconform schemas: ${n} files in ${out}`);
