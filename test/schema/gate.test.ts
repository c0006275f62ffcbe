/**
 * The schema gate the output tests use (`schemaViolationsOfFiles`) rejects a misspelled field, a
 * wrong type and an unknown kind in real synthesized objects: the gate can fail.
 */
import * as YAML from 'yaml';
import { schemaViolationsOfFiles, schemaViolationsOfObjects } from '../support/gate';
import { K8sObject } from '../support/invariants';
import { EXAMPLE_REGISTRY, renderDir } from '../support/render';

const objects = renderDir(EXAMPLE_REGISTRY).objects;
const api = () => structuredClone(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api' && o.metadata.namespace === 'autocom-canary')!);

/** A dist-like file map with `bad` appended to the real output, as the dist test reads it. */
function distWith(bad: K8sObject): Map<string, string> {
  const yaml = [...objects, bad].map((o) => YAML.stringify(o, { version: '1.1' })).join('---\n');
  return new Map([['ring-canary.yaml', yaml], ['kustomization.yaml', 'resources: []\n']]);
}

test('the unmodified output passes', () => {
  expect(schemaViolationsOfObjects(objects)).toEqual([]);
});

test('a misspelled field is rejected', () => {
  const bad = api();
  bad.spec.template.spec.containers[0].imagePullPolcy = 'Always';
  expect(schemaViolationsOfFiles(distWith(bad))).toEqual([
    `ring-canary.yaml: document ${objects.length + 1}: Deployment/autocom-canary/api: /spec/template/spec/containers/0 must NOT have additional properties (additionalProperty: "imagePullPolcy")`,
  ]);
});

test('a wrong type is rejected', () => {
  const bad = api();
  bad.spec.template.spec.containers[0].ports[0].containerPort = '8000';
  expect(schemaViolationsOfObjects([bad])).toEqual([
    'objects.yaml: document 1: Deployment/autocom-canary/api: /spec/template/spec/containers/0/ports/0/containerPort must be integer',
  ]);
});

test('an unknown kind is rejected', () => {
  const bad = { ...api(), kind: 'Deploymnet' };
  expect(schemaViolationsOfFiles(distWith(bad))).toEqual([
    `ring-canary.yaml: document ${objects.length + 1}: Deploymnet/autocom-canary/api: unknown apiVersion/kind apps/v1 Deploymnet`,
  ]);
});
