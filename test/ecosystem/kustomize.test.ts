/**
 * dist/ plugs into the ecosystem (issue 3 §7): its kustomization.yaml lists every chart file, and the
 * real `kubectl kustomize` builds it into exactly the objects the charts hold, each unchanged — so
 * Argo CD, Flux or a kustomize overlay can consume dist/ as it is.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import * as YAML from 'yaml';
import { readDir, writeDirAtomically } from '../../src/render/dist';
import { idOf, K8sObject } from '../support/invariants';
import { registryArb } from '../support/registry-gen';
import { DIST, objectsOfFiles, parseYamlObjects, renderSources } from '../support/render';

function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: 'pipe', maxBuffer: 256 * 1024 * 1024 });
  return parseYamlObjects(out, `kubectl kustomize ${dir}`);
}

function expectSameObjects(built: K8sObject[], charts: K8sObject[]): void {
  expect(built.length).toBe(charts.length);
  const byId = new Map(built.map((o) => [`${o.apiVersion} ${idOf(o)}`, o]));
  expect(byId.size).toBe(built.length);
  for (const o of charts) expect(byId.get(`${o.apiVersion} ${idOf(o)}`)).toEqual(o);
}

test('kustomization.yaml lists exactly the unit folders of dist/, and each folder\'s kustomization.yaml its one manifest file', () => {
  const files = readDir(DIST);
  const k = YAML.parse(files.get('kustomization.yaml')!);
  expect(k).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
  const folders = [...new Set([...files.keys()].filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];
  // dist/gitops/ (the delivery objects) is applied once by hand or by the GitOps tool itself, never with the platform.
  expect([...k.resources].sort()).toEqual(folders.filter((f) => f !== 'gitops').sort());
  for (const unit of k.resources as string[]) {
    expect(YAML.parse(files.get(`${unit}/kustomization.yaml`)!).resources).toEqual([`${unit}.yaml`]);
    expect([...files.keys()].filter((f) => f.startsWith(`${unit}/`)).sort()).toEqual([`${unit}/${unit}.yaml`, `${unit}/kustomization.yaml`].sort());
  }
});

test('each unit folder builds alone with kubectl kustomize, into exactly that unit\'s objects', () => {
  const files = readDir(DIST);
  for (const unit of YAML.parse(files.get('kustomization.yaml')!).resources as string[]) {
    expectSameObjects(kustomize(path.join(DIST, unit)), parseYamlObjects(files.get(`${unit}/${unit}.yaml`)!, unit));
  }
});

test('kubectl kustomize dist/ builds every object of the charts, each round-tripping unchanged', () => {
  const charts = objectsOfFiles(readDir(DIST));
  expect(charts.length).toBeGreaterThan(50);
  expectSameObjects(kustomize(DIST), charts);
});

test('kubectl kustomize builds a generated registry\'s output too', () => {
  const [sources] = fc.sample(registryArb({ maxTenants: 200 }).filter((s) => s.size > 6), { numRuns: 1, seed: 7 });
  const files = renderSources(sources).result.files;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-kustomize-'));
  try {
    writeDirAtomically(dir, files);
    expectSameObjects(kustomize(dir), objectsOfFiles(files));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
