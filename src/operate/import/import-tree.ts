/**
 * `rings import`: a kustomize tree of ring overlays (the seed's layout, or base/ + overlays/<ring>/,
 * or overlays named with `--ring`) → a registry folder. Builds every overlay, maps the
 * objects (map-registry.ts), takes the locks, renders the files, and validates them exactly as
 * `rings check` would before writing anything. Any problem: nothing is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RegistryError } from '../../registry/errors';
import { parseRegistry } from '../../registry/load';
import { resolvePlan } from '../../resolve/resolve-plan';
import { checkPlan } from '../../render/pipeline';
import { buildTree, RingOverlayChoice, TreeError } from './kustomize-tree';
import { ImportedRegistry, mapRegistry } from './map-registry';
import { registryFiles, writeRegistryDir } from './write-registry';

/** What stops an import: one line per problem. */
export class ImportError extends Error {
  /** `hint`: a closing line that is not a problem itself. */
  constructor(readonly lines: readonly string[], readonly hint?: string) {
    super(lines.join('\n'));
    this.name = 'ImportError';
  }
}

export interface ImportOptions {
  /** AutoCom's `modules/manifests`: `<ring>.lock.json` per ring, copied byte for byte. @default the locks found in the tree, else empty ones (noted) */
  readonly locks?: string;
  /** Ring names, most conservative first. @default the home ring, then the others by name (noted) */
  readonly order?: readonly string[];
  /** The ring overlays, most conservative first (`--ring NAME=DIR`, DIR relative to the tree). @default detected (overlays/rings/<ring>/, else overlays/<ring>/) */
  readonly rings?: readonly RingOverlayChoice[];
  /** The shared layer's overlay (`--shared DIR`). @default overlays/shared when it holds a kustomization */
  readonly shared?: string;
  /** @default process.env (KUBECTL) */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ImportResult {
  readonly registry: ImportedRegistry;
  readonly files: ReadonlyMap<string, string>;
  /** What was not mapped, or mapped by a stated choice: one line each. */
  readonly notes: readonly string[];
  /** Which overlay became which ring (and the shared layer): one line each. */
  readonly mapping: readonly string[];
}

/** Everything but the write: the files the import would write, or ImportError. */
export function planImport(from: string, out: string, options: ImportOptions = {}): ImportResult {
  if (fs.existsSync(out)) {
    const st = fs.statSync(out);
    if (!st.isDirectory()) throw new ImportError([`${out}: expected a new or empty folder for the registry, got a file`]);
    const entries = fs.readdirSync(out);
    if (entries.length) throw new ImportError([`${out}: expected a new or empty folder for the registry, got one holding ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} (${entries.sort().slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`]);
  }
  let tree;
  try {
    tree = buildTree(from, options.env, { rings: options.rings, shared: options.shared });
  } catch (e) {
    if (e instanceof TreeError) throw new ImportError(e.lines);
    throw e;
  }
  const mapped = mapRegistry(tree, { order: options.order });
  if (!mapped.ok) throw new ImportError(mapped.problems);
  const notes = [...mapped.notes];
  const locks = new Map<string, string>();
  const problems: string[] = [];
  if (options.locks !== undefined) {
    if (!fs.existsSync(options.locks) || !fs.statSync(options.locks).isDirectory()) throw new ImportError([`${options.locks}: expected a folder of lock files (<ring>.lock.json, AutoCom's modules/manifests), found none`]);
    const present = fs.readdirSync(options.locks).filter((f) => f.endsWith('.lock.json'));
    for (const r of mapped.registry.rings) {
      const file = path.join(options.locks, `${r.name}.lock.json`);
      if (fs.existsSync(file)) locks.set(r.name, fs.readFileSync(file, 'utf8'));
      else problems.push(`${file}: expected the lock file of ring ${r.name}, found none`);
    }
    const extra = present.filter((f) => !mapped.registry.rings.some((r) => `${r.name}.lock.json` === f)).sort();
    if (extra.length) notes.push(`${options.locks}: ${extra.join(', ')} belong to no ring overlay; not copied`);
  } else {
    for (const r of mapped.registry.rings) {
      if (r.lockText !== undefined) locks.set(r.name, r.lockText.endsWith('\n') ? r.lockText : `${r.lockText}\n`);
      else notes.push(`locks/${r.name}.lock.json: no lock in the tree; written empty (no modules): pass --locks <modules/manifests> or copy ${r.name}.lock.json there`);
    }
  }
  if (problems.length) throw new ImportError(problems);
  const files = registryFiles(mapped.registry, from, locks);
  try {
    checkPlan(resolvePlan(parseRegistry(out, files)));
  } catch (e) {
    if (e instanceof RegistryError) throw new ImportError(e.lines(), `the registry mapped from ${from} is invalid as shown above (paths name the files the import would write)`);
    throw new ImportError([`the registry mapped from ${from} fails the constructs' checks: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`]);
  }
  return { registry: mapped.registry, files, notes, mapping: tree.layout?.mapping ?? [] };
}

/** Imports and writes the registry folder. Throws ImportError (nothing written) on any problem. */
export function importTree(from: string, out: string, options: ImportOptions = {}): ImportResult {
  const result = planImport(from, out, options);
  writeRegistryDir(out, result.files);
  return result;
}
