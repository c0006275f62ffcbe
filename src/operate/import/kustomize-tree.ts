/**
 * Reads a kustomize tree of ring overlays, in either of two layouts:
 * - the seed's (deployment-rings.txt, "K8s manifest layout"): `overlays/shared/` (the shared layer),
 *   one `overlays/rings/<ring>/` per ring, and components such as `overlays/rings/_shared-aliases/`;
 * - an ordinary base plus overlays: `base/` and one `overlays/<ring>/` per ring (`overlays/shared/`,
 *   if there, is the shared layer);
 * or the overlays named one by one (`--ring NAME=DIR`, `--shared DIR`). Folders starting with `_` or
 * `.`, and kustomize Components, are not rings. Each overlay is built with `kubectl kustomize`; the
 * objects are plain data from then on.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

import { isDnsLabel } from '../../model/kubernetes-names';
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
  /** In the layout's order (--ring's, else by name). */
  readonly rings: readonly BuiltOverlay[];
  /** How the overlays were found. @default detected, no mapping lines */
  readonly layout?: Layout;
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

/** A ring named on the command line: `--ring stable=overlays/prod`. */
export interface RingOverlayChoice {
  readonly ring: string;
  /** Relative to the tree (or absolute). */
  readonly dir: string;
}

export interface LayoutOptions {
  /** The ring overlays, most conservative first (`--ring`). @default detected: overlays/rings/<ring>/, else overlays/<ring>/ */
  readonly rings?: readonly RingOverlayChoice[];
  /** The shared layer's overlay (`--shared`), relative to the tree. @default overlays/shared when it holds a kustomization */
  readonly shared?: string;
}

export interface Layout {
  readonly shared?: string;
  /** In the order given with --ring, else by name. */
  readonly rings: readonly { readonly ring: string; readonly dir: string }[];
  /** Whether the rings were detected (no --ring). */
  readonly detected: boolean;
  /** The mapping as the import prints it, one line per ring and one for the shared layer. */
  readonly mapping: readonly string[];
}

/** The kustomization file of a folder, parsed (`{}` when unreadable: kubectl reports that when it builds). */
function kustomizationOf(dir: string): Obj | undefined {
  const f = KUSTOMIZATION_FILES.map((n) => path.join(dir, n)).find((x) => fs.existsSync(x));
  if (!f) return undefined;
  try {
    const v = parseAllDocuments(fs.readFileSync(f, 'utf8'))[0]?.toJSON() as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
  } catch {
    return {};
  }
}

/** Folders of `dir` that are overlays (a kustomization that is not a Component), by name; `_`/`.` folders left out. */
function overlayFolders(dir: string): { name: string; dir: string; kustomization: boolean; component: boolean }[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
    .map((e) => {
      const k = kustomizationOf(path.join(dir, e.name));
      return { name: e.name, dir: path.join(dir, e.name), kustomization: k !== undefined, component: k?.kind === 'Component' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The overlays of a tree, without building them: `{ shared, rings }` folders, and the mapping chosen. */
export function findOverlays(root: string, options: LayoutOptions = {}): Layout {
  const problems: string[] = [];
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new TreeError([`${root}: expected a kustomize tree (base/ and overlays/<ring>/, or overlays/shared/ and overlays/rings/<ring>/), found no folder`]);
  }
  const under = (d: string) => (path.isAbsolute(d) ? d : path.join(root, d));
  let shared: string | undefined;
  if (options.shared !== undefined) {
    shared = under(options.shared);
    if (!hasKustomization(shared)) problems.push(`--shared ${options.shared}: expected a folder with a kustomization.yaml (${shared}), found none`);
  } else if (hasKustomization(path.join(root, 'overlays', 'shared'))) shared = path.join(root, 'overlays', 'shared');

  let rings: { ring: string; dir: string }[] = [];
  const detected = options.rings === undefined || options.rings.length === 0;
  if (!detected) {
    const seen = new Map<string, string>();
    for (const r of options.rings!) {
      const flag = `--ring ${r.ring}=${r.dir}`;
      const dir = under(r.dir);
      if (!isDnsLabel(r.ring)) problems.push(`${flag}: expected a ring name (a DNS label: lowercase letters, digits and -), got ${JSON.stringify(r.ring)}`);
      else if (seen.has(r.ring)) problems.push(`${flag}: ring ${r.ring} is already mapped to ${seen.get(r.ring)}; expected each ring once`);
      else if (!hasKustomization(dir)) problems.push(`${flag}: expected a folder with a kustomization.yaml (${dir}), found none`);
      else if (shared !== undefined && path.resolve(dir) === path.resolve(shared)) problems.push(`${flag}: ${r.dir} is the shared layer's overlay; expected a ring overlay`);
      else if (rings.some((x) => path.resolve(x.dir) === path.resolve(dir))) problems.push(`${flag}: ${r.dir} is already ring ${rings.find((x) => path.resolve(x.dir) === path.resolve(dir))!.ring}; expected one overlay per ring`);
      else {
        seen.set(r.ring, r.dir);
        rings.push({ ring: r.ring, dir });
        continue;
      }
      seen.set(r.ring, r.dir);
    }
  } else {
    const seedRings = path.join(root, 'overlays', 'rings');
    const overlays = path.join(root, 'overlays');
    if (fs.existsSync(seedRings) && fs.statSync(seedRings).isDirectory()) {
      // The seed's layout: overlays/rings/<ring>/.
      for (const f of overlayFolders(seedRings)) {
        if (f.component) continue;
        if (!f.kustomization) problems.push(`${f.dir}: expected a kustomization.yaml (a ring overlay), found none`);
        else rings.push({ ring: f.name, dir: f.dir });
      }
      if (rings.length === 0 && problems.length === 0) problems.push(`${seedRings}: expected one overlay folder per ring, found none`);
    } else if (fs.existsSync(overlays) && fs.statSync(overlays).isDirectory()) {
      // An ordinary tree: overlays/<ring>/ beside base/.
      for (const f of overlayFolders(overlays)) {
        if (f.component || !f.kustomization || (shared !== undefined && path.resolve(f.dir) === path.resolve(shared))) continue;
        if (!isDnsLabel(f.name)) problems.push(`${f.dir}: the folder's name is not a ring name (a DNS label); name the ring with --ring NAME=${path.relative(root, f.dir)}`);
        else rings.push({ ring: f.name, dir: f.dir });
      }
      if (rings.length === 0 && problems.length === 0) problems.push(`${overlays}: expected one overlay folder per ring (overlays/<ring>/kustomization.yaml), found none; name them with --ring NAME=DIR`);
    } else {
      problems.push(`${overlays}: expected one overlay folder per ring (overlays/<ring>/ or overlays/rings/<ring>/), found none; name them with --ring NAME=DIR`);
    }
  }
  if (problems.length) throw new TreeError(problems);
  const rel = (d: string) => path.relative(root, d) || '.';
  const how = detected ? 'detected' : '--ring';
  const mapping = [
    ...rings.map((r) => `ring ${r.ring} ← ${rel(r.dir)} (${how})`),
    shared !== undefined ? `shared layer ← ${rel(shared)} (${options.shared !== undefined ? '--shared' : 'detected'})` : 'shared layer: none (no overlays/shared, no --shared): the registry runs no shared services',
  ];
  return { shared, rings, detected, mapping };
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
export function buildTree(root: string, env: NodeJS.ProcessEnv = process.env, options: LayoutOptions = {}): BuiltTree {
  const found = findOverlays(root, options);
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
  return { shared, rings, layout: found };
}
