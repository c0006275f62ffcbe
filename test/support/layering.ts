/**
 * The layering of the source tree, read from the import statements (DESIGN.md "Data flows one way"):
 *
 * - every file of the library is in a stage (STAGES below, docs/architecture.md), and imports only its own
 *   stage and the stages below it: model → registry | constructs → resolve → checks → render → operate
 *   → cli (and the public API, src/index.ts) → bin;
 * - `src/model/` is the pure domain layer: it imports only itself (and `crypto`), and never reads
 *   files, the environment or the clock;
 * - `constructs/` imports only `constructs/`, `src/model/`, the generated `imports/` and packages;
 * - `src/registry/` never imports `constructs/`, nor the other way round;
 * - no import cycle anywhere (type-only imports count: they are cycles of meaning too).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface SourceFile {
  /** Repository-relative, with forward slashes: `src/registry/rules/validate.ts`. */
  readonly file: string;
  /** Import specifiers as written (`./load`, `../model/hosts`, `zod`), with the line they are on. */
  readonly imports: readonly { readonly spec: string; readonly line: number }[];
  /** The file's text (to find I/O in the model layer). */
  readonly text: string;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(=])import\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Parses the import specifiers of a TypeScript source (comments are stripped first). */
export function importsOf(text: string): { spec: string; line: number }[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
  const out: { spec: string; line: number }[] = [];
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    out.push({ spec, line: code.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0) });
  }
  return out;
}

/** Reads every `.ts` file under `folders` of `root`. */
export function readSources(root: string, folders: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const text = fs.readFileSync(path.join(root, r), 'utf8');
        out.push({ file: r, imports: importsOf(text), text });
      }
    }
  };
  for (const f of folders) walk(f);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** A relative specifier resolved against the file set (`x.ts` or `x/index.ts`); a package name as is. */
export function resolveSpec(from: string, spec: string, files: ReadonlySet<string>): string {
  if (!spec.startsWith('.')) return spec;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const c of [`${base}.ts`, `${base}/index.ts`, base]) if (files.has(c)) return c;
  return `${base}.ts`;
}

const PURE_PACKAGES = new Set(['crypto', 'node:crypto']);

/**
 * The stages, lowest first (docs/architecture.md draws them). A file may import its own stage and the
 * stages its entry lists; nothing else in the tree. `registry` and `constructs` are siblings: neither
 * imports the other, so the constructs work for a platform without any registry.
 */
export const STAGES = {
  imports: { folder: 'imports/', may: [] },
  model: { folder: 'src/model/', may: [] },
  registry: { folder: 'src/registry/', may: ['model'] },
  constructs: { folder: 'constructs/', may: ['model', 'imports'] },
  resolve: { folder: 'src/resolve/', may: ['model', 'registry', 'constructs', 'imports'] },
  checks: { folder: 'src/checks/', may: ['model', 'registry', 'constructs', 'resolve', 'imports'] },
  render: { folder: 'src/render/', may: ['model', 'registry', 'constructs', 'resolve', 'checks', 'imports'] },
  operate: { folder: 'src/operate/', may: ['model', 'registry', 'constructs', 'resolve', 'checks', 'render', 'imports'] },
  api: { folder: 'src/index.ts', may: ['model', 'registry', 'constructs', 'resolve', 'checks', 'render', 'operate', 'imports'] },
  cli: { folder: 'src/cli/', may: ['model', 'registry', 'constructs', 'resolve', 'checks', 'render', 'operate', 'imports'] },
  bin: { folder: 'src/bin/', may: ['model', 'registry', 'constructs', 'resolve', 'checks', 'render', 'operate', 'cli', 'imports'] },
} as const satisfies Record<string, { folder: string; may: readonly string[] }>;
export type Stage = keyof typeof STAGES;

/** The stage a repository-relative file belongs to; undefined outside the library's tree. */
export function stageOf(file: string): Stage | undefined {
  for (const [stage, { folder }] of Object.entries(STAGES)) if (folder.endsWith('/') ? file.startsWith(folder) : file === folder) return stage as Stage;
  return undefined;
}

const isLocal = (target: string) => /^(src|constructs|imports|test|bench|scripts|bin)\//.test(target) || target === 'src/index.ts';

/** What a stage may import; undefined = allowed. */
function refusal(from: Stage, target: string): string | undefined {
  if (!isLocal(target)) {
    if (from !== 'model' || PURE_PACKAGES.has(target)) return undefined;
    return 'src/model/ imports only src/model/ (and crypto): it is the pure layer below validation and constructs';
  }
  const to = stageOf(target);
  if (to === from) return undefined;
  const may: readonly string[] = STAGES[from].may;
  if (to && may.includes(to)) return undefined;
  const where = (s: Stage) => STAGES[s].folder;
  const allowed = [from, ...may].map((s) => where(s as Stage)).join(', ');
  const why = from === 'model' ? ': it is the pure layer below validation and constructs' : from === 'constructs' ? ' (constructs never read the registry)' : '';
  return `${where(from)} imports only ${allowed}${why}; ${to ? `${where(to)} is not below it` : 'that is outside the library'}`;
}

/** Every layering violation and every import cycle, one line each; empty when the tree is layered. */
export function layeringViolations(sources: readonly SourceFile[]): string[] {
  const files = new Set(sources.map((s) => s.file));
  const out: string[] = [];
  const edges = new Map<string, string[]>();
  for (const s of sources) {
    const from = stageOf(s.file);
    const targets: string[] = [];
    if (!from) out.push(`${s.file}: is in no stage; put it in one of ${Object.values(STAGES).map((x) => x.folder).join(', ')}`);
    for (const { spec, line } of s.imports) {
      const target = resolveSpec(s.file, spec, files);
      const why = from && refusal(from, target);
      if (why) out.push(`${s.file}:${line}: imports ${spec}; ${why}`);
      if (files.has(target)) targets.push(target);
    }
    edges.set(s.file, [...new Set(targets)]);
    if (from === 'model') {
      const io = /\bprocess\.|\bDate\.now\(|\bnew Date\(\s*\)|\bMath\.random\(/.exec(s.text);
      if (io) out.push(`${s.file}: uses ${io[0].replace(/\($/, '()')}; src/model/ never reads the environment, the clock or randomness`);
    }
  }
  for (const cycle of importCycles(edges)) out.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);
  return out;
}

/** The import cycles (strongly connected components with more than one file, or a file importing itself). */
export function importCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative over sorted nodes so the output is deterministic.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) strong(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}
