/**
 * Writes dist/ as a whole: the new files go to a sibling temporary folder, which then replaces
 * dist/ by rename. A failure before the swap leaves dist/ exactly as it was; stale files (a
 * removed ring's) disappear because the folder is replaced, not patched.
 *
 * File maps are keyed by paths relative to the folder, with '/' between segments
 * (`ring-canary/ring-canary.yaml`), in every layout and on every platform.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';

/** Why a relative output path is refused (outside the folder, hidden, empty segment), or undefined. */
export function outputPathProblem(name: string): string | undefined {
  const segments = name.split('/');
  if (path.isAbsolute(name) || name.includes('\\') || segments.some((s) => s === '' || s === '..' || s.startsWith('.'))) {
    return `refusing to write "${name}" outside the output folder`;
  }
  return undefined;
}

export function writeDirAtomically(dir: string, files: ReadonlyMap<string, string>): void {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.rings-tmp-${path.basename(abs)}-`));
  try {
    for (const name of [...files.keys()].sort()) {
      const problem = outputPathProblem(name);
      if (problem) throw new Error(problem);
      const target = path.join(tmp, ...name.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, files.get(name)!);
    }
    const old = fs.existsSync(abs) ? `${tmp}-old` : undefined;
    if (old) fs.renameSync(abs, old);
    try {
      fs.renameSync(tmp, abs);
    } catch (e) {
      if (old) fs.renameSync(old, abs);
      throw e;
    }
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Reads a folder's files, subfolders included, as a relative path → content map, sorted by path;
 * empty when it does not exist. Hidden entries (a leftover temporary folder) are skipped.
 */
export function readDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      if (name.startsWith('.')) continue;
      const full = path.join(abs, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = fs.statSync(full);
      if (st.isDirectory()) walk(full, key);
      else if (st.isFile()) out.set(key, fs.readFileSync(full, 'utf8'));
    }
  };
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) walk(dir, '');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A manifest file of an output map: `*.yaml`, not a `kustomization.yaml`. */
export function isManifestFile(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !/(^|\/)kustomization\.ya?ml$/.test(name);
}

/**
 * The manifest files the top-level `kustomization.yaml` of an output map reaches, in its order,
 * following folders into their own `kustomization.yaml` (what `kubectl kustomize` would build,
 * file by file). Files no kustomization lists (dist/gitops/) are left out. Without a top-level
 * kustomization: what every `clusters/<name>/kustomization.yaml` reaches (rings across clusters), or
 * without those either, every manifest file, sorted by path.
 */
export function kustomizedFiles(files: ReadonlyMap<string, string>): string[] {
  const top = resourcesOf(files, 'kustomization.yaml');
  if (top === undefined) {
    // Rings across clusters: no top-level kustomization, one per cluster (each unit is on one cluster).
    const clusters = clusterKustomizations(files);
    if (clusters.size) return [...clusters.values()].flat();
    return [...files.keys()].filter(isManifestFile).sort();
  }
  return followKustomization(files, '', top);
}

/**
 * With `[clusters]`: cluster name → the manifest files its `clusters/<name>/kustomization.yaml` reaches,
 * in its order (what `kubectl --context <name> apply -k dist/clusters/<name>` applies), clusters by name.
 * Empty for a single-cluster output.
 */
export function clusterKustomizations(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of [...files.keys()].sort()) {
    const m = /^clusters\/([^/]+)\/kustomization\.yaml$/.exec(f);
    if (m) out.set(m[1], followKustomization(files, `clusters/${m[1]}`, resourcesOf(files, f) ?? []));
  }
  return out;
}

function resourcesOf(files: ReadonlyMap<string, string>, kustomizationPath: string): string[] | undefined {
  const text = files.get(kustomizationPath);
  if (text === undefined) return undefined;
  const k = parseYaml(text) as { resources?: unknown } | null;
  return Array.isArray(k?.resources) ? k!.resources.filter((r): r is string => typeof r === 'string') : [];
}

function followKustomization(files: ReadonlyMap<string, string>, dir: string, resources: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (at: string, list: readonly string[]) => {
    for (const r of list) {
      const rel = path.posix.normalize(at ? `${at}/${r}` : r).replace(/\/$/, '');
      if (files.has(rel) && isManifestFile(rel)) out.push(rel);
      else {
        const nested = resourcesOf(files, `${rel}/kustomization.yaml`);
        if (nested) visit(rel, nested);
      }
    }
  };
  visit(dir, resources);
  return out;
}
