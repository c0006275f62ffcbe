/**
 * The schema gate as every output test runs it: the same function for the committed dist/, a fresh
 * synth, generated registries and the negative tests, so a negative test proves the real gate fails.
 */
import * as YAML from 'yaml';
import { isManifestFile } from '../../src/render/dist';
import { validateYamlText } from './k8s-schema';
import type { K8sObject } from './invariants';

/** Strict Kubernetes 1.29 (+ CRD) schema problems of a dist-like file map: every `*.yaml` but kustomization.yaml. */
export function schemaViolationsOfFiles(files: ReadonlyMap<string, string>): string[] {
  return [...files.keys()]
    .filter(isManifestFile)
    .sort()
    .flatMap((f) => validateYamlText(files.get(f)!, f));
}

/** The same check on objects in memory (e.g. a test app's `chart.toJson()`), through the YAML a synth would write. */
export function schemaViolationsOfObjects(objects: readonly K8sObject[], source = 'objects.yaml'): string[] {
  const yaml = objects.map((o) => YAML.stringify(o, { version: '1.1' })).join('---\n');
  return schemaViolationsOfFiles(new Map([[source, yaml]]));
}
