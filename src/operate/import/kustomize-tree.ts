/**
 * Reads a kustomize ring layout as the seed describes it (deployment-rings.txt, "K8s manifest
 * layout"): `overlays/shared/` (the shared layer), one `overlays/rings/<ring>/` per ring, and
 * components such as `overlays/rings/_shared-aliases/` (folders starting with `_` are not rings).
 * Each overlay is built with `kubectl kustomize`; the objects are plain data from then on.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

import type { Obj } from '../../model/objects';
export type { Obj };

export interface BuiltOverlay {
  /** The overlay folder as shown in messages, e.g. `k8s/overlays/rings/canary`. */
  readonly dir: string;
  /** The ring's name (the folder's), or undefined for the shared overlay. */
  readonly ring?: string;
  readonly objects: readonly Obj[];
}

export interface BuiltTree {
  readonly shared?: BuiltOverlay;
  readonly rings: readonly BuiltOverlay[];
}

/** Problems reading the tree: one line each, naming the folder. */
export class TreeError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'TreeError';
  }
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const hasKustomization = (dir: string) => KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)));

/** The overlays of a tree, without building them: `{ shared, rings }` folders. */
export function findOverlays(root: string): { shared?: string; rings: { ring: string; dir: string }[] } {
  const problems: string[] = [];
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new TreeError([`${root}: expected a kustomize tree (base/, overlays/shared/, overlays/rings/<ring>/), found no folder`]);
  const ringsDir = path.join(root, 'overlays', 'rings');
  if (!fs.existsSync(ringsDir)) problems.push(`${path.join(root, 'overlays', 'rings')}: expected one overlay folder per ring, found none`);
  const rings = fs.existsSync(ringsDir)
    ? fs
        .readdirSync(ringsDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
        .map((e) => ({ ring: e.name, dir: path.join(ringsDir, e.name) }))
        .sort((a, b) => a.ring.localeCompare(b.ring))
    : [];
  for (const r of rings) if (!hasKustomization(r.dir)) problems.push(`${r.dir}: expected a kustomization.yaml (a ring overlay), found none`);
  if (fs.existsSync(ringsDir) && rings.length === 0) problems.push(`${ringsDir}: expected one overlay folder per ring, found none`);
  const sharedDir = path.join(root, 'overlays', 'shared');
  const shared = hasKustomization(sharedDir) ? sharedDir : undefined;
  if (problems.length) throw new TreeError(problems);
  return { shared, rings };
}

/** Builds one overlay with `kubectl kustomize` (the kubectl on PATH, or $KUBECTL). */
export function buildOverlay(dir: string, env: NodeJS.ProcessEnv = process.env): Obj[] {
  const kubectl = env.KUBECTL || 'kubectl';
  let out: string;
  try {
    out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024, timeout: 120000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: string | Buffer; message?: string };
    if (err.code === 'ENOENT') throw new TreeError([`${dir}: kubectl kustomize is needed to build the overlays, and no ${kubectl} was found on PATH (set KUBECTL)`]);
    throw new TreeError([`${dir}: kubectl kustomize failed: ${kustomizeReason(String(err.stderr ?? err.message ?? e))}`]);
  }
  return parseYamlObjects(dir, out);
}

/** kubectl's first error line, without its log prefix (`E1201 06:36:15.874 … run.go:72] "command failed" err="…"`). */
export function kustomizeReason(stderr: string): string {
  const line = stderr.trim().split('\n')[0] ?? '';
  const klog = /\berr="((?:[^"\\]|\\.)*)"/.exec(line);
  const why = klog ? klog[1].replace(/\\(.)/g, '$1') : line.replace(/^error: /i, '');
  return why.length > 300 ? `${why.slice(0, 297)}…` : why || 'failed';
}

/** Objects of a multi-document YAML text (lists flattened); a syntax error is a TreeError. */
export function parseYamlObjects(source: string, text: string): Obj[] {
  const out: Obj[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) throw new TreeError([`${source}: invalid YAML: ${d.errors[0].message.split('\n')[0]}`]);
    const v = d.toJSON() as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const o = v as Obj;
    if (o.kind === 'List' && Array.isArray(o.items)) out.push(...o.items.filter((x: unknown) => x && typeof x === 'object'));
    else out.push(o);
  }
  return out;
}

/** Finds and builds every overlay of the tree. */
export function buildTree(root: string, env: NodeJS.ProcessEnv = process.env): BuiltTree {
  const found = findOverlays(root);
  const problems: string[] = [];
  const build = (dir: string, ring?: string): BuiltOverlay | undefined => {
    try {
      return { dir, ring, objects: buildOverlay(dir, env) };
    } catch (e) {
      if (e instanceof TreeError) problems.push(...e.lines);
      else throw e;
      return undefined;
    }
  };
  const shared = found.shared ? build(found.shared) : undefined;
  const rings = found.rings.map((r) => build(r.dir, r.ring)).filter((r): r is BuiltOverlay => r !== undefined);
  if (problems.length) throw new TreeError(problems);
  return { shared, rings };
}
