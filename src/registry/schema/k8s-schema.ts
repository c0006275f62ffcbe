/**
 * In-process strict Kubernetes manifest validation (the equivalent of `kubeconform -strict`): the
 * tests' schema gate, and synth's check of objects a `[[patches]]` entry changed and of `affinity`.
 *
 * Core kinds are validated against the Kubernetes v1.29.0 JSON Schema definitions
 * (test/fixtures/schemas/k8s-v1.29.0-definitions.json); the CRD kinds in test/fixtures/crds/
 * (ExternalSecret, SecretStore, ClusterSecretStore, Certificate, GatewayClass, Gateway, HTTPRoute, ReferenceGrant,
 * Argo CD's and Flux's kinds) against the openAPIV3Schema of EVERY operator release the cluster tests
 * install (ESO v0.19.2 and v2.9.0, Gateway API v1.3.0 and v1.6.1, cert-manager v1.19.4, Argo CD v3.6.1
 * and v3.2.11, Flux v1.10.1 and v1.9.6), with `metadata` replaced by the core
 * ObjectMeta schema.
 * "Strict" means every object schema that lists `properties` rejects keys it does not list
 * (see `strictify`). Approach and pitfalls: /work/shared/schemas/VALIDATING.md (not read at run time).
 *
 * Not checked (the API server still checks these): CEL rules (`x-kubernetes-validations`), DNS-1123 names,
 * Quantity syntax, enum values on core kinds (the v1.29 definitions carry no enums), defaults.
 * `null` is rejected wherever the schema does not say `nullable` (cdk8s output never contains nulls).
 */
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as YAML from 'yaml';

type JsonObject = Record<string, unknown>;

/** test/fixtures of the package: found upwards from this file (src/registry/, build/src/registry/ or the bundle in build/). */
function fixturesDir(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const f = path.join(d, 'test', 'fixtures');
    if (fs.existsSync(path.join(f, 'schemas', 'k8s-v1.29.0-definitions.json'))) return f;
    if (path.dirname(d) === d) throw new Error('k8s-schema: test/fixtures/schemas/k8s-v1.29.0-definitions.json not found above ' + __dirname);
  }
}
let fixtures: string | undefined;
const FIXTURES = () => (fixtures ??= fixturesDir());
const CORE_FILE = () => path.join(FIXTURES(), 'schemas', 'k8s-v1.29.0-definitions.json');
const CRD_DIR = () => path.join(FIXTURES(), 'crds');
const CORE_ID = 'k8s';
const OBJECT_META_REF = `${CORE_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/** Definitions that list one GVK per API group; they are not deployable manifests, so they stay "unknown". */
const NOT_MANIFESTS = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
]);

/** Annotation-only vendor keywords used by the core definitions. */
const CORE_KEYWORDS = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-map-type',
  'x-kubernetes-unions',
];
/** ... and additionally by CRD schemas (`example` is OpenAPI, used by the ESO store CRDs). */
const CRD_KEYWORDS = [
  ...CORE_KEYWORDS,
  'x-kubernetes-validations',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'example',
];

/**
 * YAML is read with 1.1 semantics like the Kubernetes tooling (sigs.k8s.io/yaml) and cdk8s' own writer,
 * so an unquoted `yes`/`on` is a boolean and `0644` is octal. Like go-yaml, plain scalars that look like
 * timestamps (`2024-01-01`) or base-60 numbers (`22:22`) stay strings.
 */
const YAML_OPTIONS = {
  version: '1.1' as const,
  customTags: (tags: YAML.Tags): YAML.Tags =>
    tags.filter((t) => {
      if (typeof t !== 'object') return true;
      return t.tag !== 'tag:yaml.org,2002:timestamp' && !('format' in t && t.format === 'TIME');
    }),
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The strict transform (openapi2jsonschema --strict / kubeconform): add `additionalProperties: false` to
 * every schema object that has `properties` and no `additionalProperties` key. Schema-aware: recurses only
 * into sub-schema positions, never into `enum`/`default`/`example`/`x-kubernetes-*` values, and treats a
 * `properties` map as a map of schemas, not as a schema (JSONSchemaProps has fields named `properties`,
 * `items`, `enum`, ...). Map-typed fields (labels, data, limits) already have `additionalProperties`.
 *
 * Deliberate differences from kubeconform's walk:
 * - A node with `x-kubernetes-preserve-unknown-fields: true` keeps accepting unknown keys (its
 *   sub-schemas are still made strict, as the API server prunes them).
 * - `allOf`/`anyOf`/`oneOf`/`not` branches are left alone. In CRD structural schemas these are value
 *   validations that may only mention fields the parent already declares, so the parent decides which keys
 *   are allowed. Making a branch strict breaks valid objects: Gateway `spec.addresses[]` has
 *   `oneOf: [{properties: {type, value}}, {properties: {type}}]`, and a strict second branch would reject
 *   `{type: Hostname, value: ...}`. (The core definitions have no `properties` inside such branches.)
 */
export function strictify(node: unknown): void {
  if (!isObject(node)) return;
  if (isObject(node.properties) && !('additionalProperties' in node) &&
      node['x-kubernetes-preserve-unknown-fields'] !== true) {
    node.additionalProperties = false;
  }
  for (const key of ['definitions', 'properties', 'patternProperties']) {
    const map = node[key];
    if (isObject(map)) for (const sub of Object.values(map)) strictify(sub);
  }
  for (const key of ['items', 'additionalProperties']) {
    const sub = node[key];
    if (Array.isArray(sub)) sub.forEach(strictify);
    else strictify(sub);
  }
}

function newAjv(crd: boolean, keywords: string[]): Ajv {
  // strictTypes is off for CRDs: Gateway has `anyOf: [{format: ipv4}, {format: ipv6}]` without `type`.
  // Loaded on first use: synth only validates when there are patches or an affinity to check.
  const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
  const addFormats = (require('ajv-formats') as { default: (a: Ajv) => void }).default;
  const ajv = new AjvClass(crd ? { allErrors: true, strict: true, strictTypes: false } : { allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addVocabulary(keywords);
  return ajv;
}

interface Core {
  ajv: Ajv;
  /** `apiVersion|kind` -> definition name */
  index: Map<string, string>;
  /** a second ajv instance (strictTypes off) for CRD schemas, which also holds the core document */
  crdAjv: Ajv;
}

let core: Core | undefined;

function loadCore(): Core {
  if (core) return core;
  const doc = JSON.parse(fs.readFileSync(CORE_FILE(), 'utf8')) as { definitions: Record<string, JsonObject> };
  strictify(doc);
  const index = new Map<string, string>();
  for (const [name, def] of Object.entries(doc.definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || NOT_MANIFESTS.has(name)) continue;
    for (const gvk of gvks as Array<{ group: string; version: string; kind: string }>) {
      index.set(`${gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version}|${gvk.kind}`, name);
    }
  }
  const ajv = newAjv(false, CORE_KEYWORDS);
  ajv.addSchema(doc, CORE_ID);
  // ajv does not modify schemas, so both instances can share the (already strict) document.
  const crdAjv = newAjv(true, CRD_KEYWORDS);
  crdAjv.addSchema(doc, CORE_ID, undefined, false);
  core = { ajv, index, crdAjv };
  return core;
}

/** Shape of the JSON files written by test/fixtures/crds/regenerate.js. */
interface CrdFixture {
  /** Operator release the schema comes from, e.g. "external-secrets v0.19.2". */
  release: string;
  group: string;
  kind: string;
  versions: Array<{ version: string; openAPIV3Schema: JsonObject }>;
}

const crdFiles = new Map<string, CrdFixture[]>();

/**
 * Every vendored release of a CRD (`<kind>.<group>@<release>.json`): an object must be valid against all
 * of them, because the support matrix installs different operator releases on different Kubernetes versions.
 */
function loadCrds(group: string, kind: string): CrdFixture[] {
  // Only well-formed names reach the file system.
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(group) || !/^[A-Za-z0-9]+$/.test(kind)) return [];
  const prefix = `${kind.toLowerCase()}.${group}@`;
  let crds = crdFiles.get(`${prefix}${kind}`);
  if (crds === undefined) {
    crds = fs
      .readdirSync(CRD_DIR())
      .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(CRD_DIR(), f), 'utf8')) as CrdFixture)
      .filter((c) => c.kind === kind && c.group === group);
    crdFiles.set(`${prefix}${kind}`, crds);
  }
  return crds;
}

/** One schema to check an object against; `release` is set for custom resources. */
interface Check {
  readonly release?: string;
  /** null: this release does not serve the apiVersion. */
  readonly fn: ValidateFunction | null;
}

/** Validators by `apiVersion|kind`; an empty list = no schema for that pair. */
const validators = new Map<string, Check[]>();

function validatorsFor(apiVersion: string, kind: string): Check[] {
  const key = `${apiVersion}|${kind}`;
  const cached = validators.get(key);
  if (cached !== undefined) return cached;
  const { ajv, index, crdAjv } = loadCore();
  let checks: Check[] = [];
  const def = index.get(key);
  if (def) {
    const fn = ajv.getSchema(`${CORE_ID}#/definitions/${def}`) ?? null;
    if (!fn) throw new Error(`k8s-schema: definition ${def} not found`);
    checks = [{ fn }];
  } else {
    const slash = apiVersion.indexOf('/');
    const crds = slash > 0 ? loadCrds(apiVersion.slice(0, slash), kind) : [];
    checks = crds.map((crd) => {
      const version = crd.versions.find((v) => v.version === apiVersion.slice(slash + 1));
      if (!version) return { release: crd.release, fn: null };
      const schema = structuredClone(version.openAPIV3Schema);
      if (isObject(schema.properties)) schema.properties.metadata = { $ref: OBJECT_META_REF };
      strictify(schema);
      return { release: crd.release, fn: crdAjv.compile(schema) };
    });
    if (checks.every((c) => c.fn === null)) checks = [];
  }
  validators.set(key, checks);
  return checks;
}

function identity(obj: JsonObject): string {
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : '<no kind>';
  const md = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof md.name === 'string' && md.name ? md.name : '<no name>';
  return typeof md.namespace === 'string' && md.namespace ? `${kind}/${md.namespace}/${name}` : `${kind}/${name}`;
}

function formatError(id: string, e: ErrorObject): string {
  let line = `${id}: ${e.instancePath || '/'} ${e.message ?? e.keyword}`;
  const params = e.params as Record<string, unknown>;
  if (typeof params.additionalProperty === 'string') line += ` (additionalProperty: ${JSON.stringify(params.additionalProperty)})`;
  if (Array.isArray(params.allowedValues)) line += ` (allowed: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  return line;
}

/**
 * Validates one manifest object. Returns one line per problem, each starting with `<kind>/<namespace>/<name>:`
 * (or `<kind>/<name>:` without a namespace) followed by the instance path and ajv's message; empty when valid.
 */
export function validateManifest(obj: unknown): string[] {
  if (!isObject(obj)) {
    return [`<not an object>: manifest must be an object, got ${obj === null ? 'null' : Array.isArray(obj) ? 'array' : typeof obj}`];
  }
  const id = identity(obj);
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    return [`${id}: missing apiVersion or kind (apiVersion=${JSON.stringify(apiVersion)}, kind=${JSON.stringify(kind)})`];
  }
  const checks = validatorsFor(apiVersion, kind);
  if (!checks.length) return [`${id}: unknown apiVersion/kind ${apiVersion} ${kind}`];
  // A line every release reports is printed once, as is; a line only some releases report names them.
  const byLine = new Map<string, string[]>();
  for (const c of checks) {
    const lines = c.fn === null ? [`${id}: apiVersion ${apiVersion} is not served`] : c.fn(obj) ? [] : (c.fn.errors ?? []).map((e) => formatError(id, e));
    for (const line of new Set(lines)) byLine.set(line, [...(byLine.get(line) ?? []), c.release ?? '']);
  }
  return [...byLine].map(([line, releases]) => (releases.length === checks.length ? line : `${line} (${releases.join(', ')})`));
}

/** `validateManifest` over a list; the lines of all objects, in order. */
export function validateManifests(objs: unknown[]): string[] {
  return objs.flatMap((o) => validateManifest(o));
}

/**
 * Parses multi-document YAML and validates every non-empty document. YAML errors and warnings
 * (duplicate keys, syntax errors, ...) are reported too; a document with YAML errors is not validated.
 * Every line starts with `<source>: document <n>:` (n counts from 1).
 */
export function validateYamlText(text: string, source: string): string[] {
  const out: string[] = [];
  const docs = YAML.parseAllDocuments(text, YAML_OPTIONS);
  docs.forEach((doc, i) => {
    const where = `${source}: document ${i + 1}:`;
    for (const e of doc.errors) out.push(`${where} YAML error ${e.code}: ${e.message.split('\n')[0]}`);
    for (const w of doc.warnings) out.push(`${where} YAML warning ${w.code}: ${w.message.split('\n')[0]}`);
    if (doc.errors.length) return;
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) return; // empty document, e.g. after a trailing `---`
    for (const line of validateManifest(obj)) out.push(`${where} ${line}`);
  });
  return out;
}

/**
 * Validates a fragment against one core definition (e.g. `io.k8s.api.core.v1.Affinity`), strictly.
 * One line per problem: the instance path and ajv's message; empty when valid.
 */
export function validateDefinition(definition: string, value: unknown): string[] {
  const { ajv } = loadCore();
  const fn = ajv.getSchema(`${CORE_ID}#/definitions/${definition}`);
  if (!fn) throw new Error(`k8s-schema: definition ${definition} not found`);
  if (fn(value)) return [];
  return [...new Set((fn.errors ?? []).map((e) => formatError('', e).replace(/^: /, '')))];
}
