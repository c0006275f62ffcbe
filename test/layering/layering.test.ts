/** The stages as docs/architecture.md draws them, read from the import graph of the whole source tree. */
import * as path from 'path';
import { importCycles, importsOf, layeringViolations, readSources, SourceFile, Stage, STAGES, stageOf } from '../support/layering';

const ROOT = path.join(__dirname, '..', '..');

const file = (f: string, ...specs: string[]): SourceFile => ({ file: f, imports: specs.map((spec, i) => ({ spec, line: i + 1 })), text: '' });

describe('layering (import graph)', () => {
  test('the whole tree is layered: every file in a stage, imports only downward, no cycle', () => {
    const sources = readSources(ROOT, ['src', 'constructs', 'imports']);
    // The walk really reads the tree: every stage has files in it.
    for (const stage of Object.keys(STAGES) as Stage[]) expect([stage, sources.some((s) => stageOf(s.file) === stage)]).toEqual([stage, true]);
    expect(layeringViolations(sources)).toEqual([]);
  });

  test('a registry file importing constructs is a violation (and the other way round)', () => {
    const out = layeringViolations([file('src/registry/rules/validate.ts', '../../../constructs/hosts'), file('constructs/hosts.ts', '../src/registry/load'), file('src/registry/load.ts')]);
    expect(out).toEqual([
      'constructs/hosts.ts:1: imports ../src/registry/load; constructs/ imports only constructs/, src/model/, imports/ (constructs never read the registry); src/registry/ is not below it',
      'src/registry/rules/validate.ts:1: imports ../../../constructs/hosts; src/registry/ imports only src/registry/, src/model/; constructs/ is not below it',
    ].reverse());
  });

  test('an import from a lower stage to a higher one is a violation; downward is fine', () => {
    const out = layeringViolations([
      file('src/resolve/resolve-plan.ts', '../operate/ring-data-export', '../registry/load', '../../constructs'),
      file('src/operate/verify/live-object-diff.ts', '../../cli/diff', '../object-diff'),
      file('src/cli/kube-live-diff.ts', '../operate/verify/live-object-diff', '../render/dist'),
      file('src/operate/ring-data-export.ts'),
      file('src/operate/object-diff.ts'),
      file('src/registry/load.ts'),
      file('src/render/dist.ts'),
      file('src/cli/diff.ts'),
      file('constructs/index.ts'),
    ]);
    expect(out).toEqual([
      'src/resolve/resolve-plan.ts:1: imports ../operate/ring-data-export; src/resolve/ imports only src/resolve/, src/model/, src/registry/, constructs/, imports/; src/operate/ is not below it',
      'src/operate/verify/live-object-diff.ts:1: imports ../../cli/diff; src/operate/ imports only src/operate/, src/model/, src/registry/, constructs/, src/resolve/, src/checks/, src/render/, imports/; src/cli/ is not below it',
    ]);
  });

  test('a file outside every stage is a violation', () => {
    expect(layeringViolations([file('src/pipeline.ts')])).toEqual([
      `src/pipeline.ts: is in no stage; put it in one of ${Object.values(STAGES).map((s) => s.folder).join(', ')}`,
    ]);
  });

  test('a construct importing outside src/model is a violation; src/model and imports are fine', () => {
    const out = layeringViolations([
      file('constructs/per-ring-workload.ts', '../src/render/yaml', '../src/model/memory', '../imports/k8s', 'constructs'),
      file('src/render/yaml.ts'),
      file('src/model/memory.ts'),
      file('imports/k8s.ts'),
    ]);
    expect(out).toEqual(['constructs/per-ring-workload.ts:1: imports ../src/render/yaml; constructs/ imports only constructs/, src/model/, imports/ (constructs never read the registry); src/render/ is not below it']);
  });

  test('the model importing a package with I/O, or reading the clock, is a violation', () => {
    const io: SourceFile = { file: 'src/model/x.ts', imports: [{ spec: 'fs', line: 3 }, { spec: 'crypto', line: 4 }], text: 'const t = Date.now();' };
    expect(layeringViolations([io])).toEqual([
      'src/model/x.ts:3: imports fs; src/model/ imports only src/model/ (and crypto): it is the pure layer below validation and constructs',
      'src/model/x.ts: uses Date.now(); src/model/ never reads the environment, the clock or randomness',
    ]);
  });

  test('an import cycle is a violation (load ⇄ validate), and only the files in it are named', () => {
    const out = layeringViolations([
      file('src/registry/load.ts', './rules/validate', './schema/schema'),
      file('src/registry/rules/validate.ts', '../load'),
      file('src/registry/schema/schema.ts'),
    ]);
    expect(out).toEqual(['import cycle: src/registry/load.ts → src/registry/rules/validate.ts → src/registry/load.ts']);
    expect(importCycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  test('import specifiers are read from every import form, not from comments', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export * from './c';",
      "export { d } from './d';",
      "import './e';",
      "const f = require('./f');",
      "// import { g } from './g';",
      "/* import { h } from './h'; */",
      'import {',
      '  i,',
      "} from './i';",
    ].join('\n');
    expect(importsOf(text).map((i) => i.spec)).toEqual(['./a', '../b', './c', './d', './e', './f', './i']);
  });
});
