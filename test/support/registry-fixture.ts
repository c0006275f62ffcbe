/** Helpers to build in-memory registries from the example registry, edited per test. */
import * as path from 'path';
import { RegistryError } from '../../src/registry/errors';
import { loadRegistry, parseRegistry, readRegistryDir, Registry } from '../../src/registry/load';
import { resolvePlan, RingPlan } from '../../src/resolve/resolve-plan';

export const EXAMPLE_DIR = path.join(__dirname, '..', '..', 'rings');

let cached: Map<string, string> | undefined;
/** The example registry's files, read once. */
export function exampleSources(): Map<string, string> {
  cached ??= readRegistryDir(EXAMPLE_DIR).sources;
  return new Map(cached);
}

/** The example registry with some files replaced (`undefined` deletes the file). */
export function sourcesWith(edits: Record<string, string | undefined>): Map<string, string> {
  const s = exampleSources();
  for (const [rel, text] of Object.entries(edits)) {
    if (text === undefined) s.delete(rel);
    else s.set(rel, text);
  }
  return s;
}

export function parse(sources: Map<string, string>): Registry {
  return parseRegistry('rings', sources);
}

/** The problem lines of an invalid registry; fails the test when it is valid. */
export function problemsOf(sources: Map<string, string>): string[] {
  try {
    parse(sources);
  } catch (e) {
    if (e instanceof RegistryError) return e.lines();
    throw e;
  }
  throw new Error('expected the registry to be rejected, but it loaded');
}

/** Replaces the first match of `find` in a file of the example registry. */
export function edit(rel: string, find: string | RegExp, replace: string): Map<string, string> {
  const s = exampleSources();
  const text = s.get(rel);
  if (text === undefined) throw new Error(`no ${rel} in the example registry`);
  const out = text.replace(find, replace);
  if (out === text) throw new Error(`edit of ${rel} changed nothing: ${String(find)} not found`);
  s.set(rel, out);
  return s;
}

export function examplePlan(): RingPlan {
  return resolvePlan(loadRegistry(EXAMPLE_DIR));
}

export function planOf(sources: Map<string, string>): RingPlan {
  return resolvePlan(parse(sources));
}
