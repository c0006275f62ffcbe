/** The layers as DESIGN.md draws them, read from the import graph of the real source tree. */
import * as path from 'path';
import { importCycles, importsOf, layeringViolations, readSources, SourceFile } from '../support/layering';

const ROOT = path.join(__dirname, '..', '..');

const file = (f: string, ...specs: string[]): SourceFile => ({ file: f, imports: specs.map((spec, i) => ({ spec, line: i + 1 })), text: '' });

describe('layering (import graph)', () => {
  test('the source tree is layered: model below registry and constructs, no cycle', () => {
    const sources = readSources(ROOT, ['src', 'constructs', 'imports']);
    expect(sources.some((s) => s.file === 'src/registry/validate.ts')).toBe(true);
    expect(sources.filter((s) => s.file.startsWith('src/model/')).length).toBeGreaterThan(3);
    expect(layeringViolations(sources)).toEqual([]);
  });

  test('validate imports the domain rules from src/model, not from constructs', () => {
    const v = readSources(ROOT, ['src/registry']).find((s) => s.file === 'src/registry/validate.ts')!;
    expect(v.imports.map((i) => i.spec).filter((s) => s.includes('model/')).length).toBeGreaterThan(0);
    expect(v.imports.map((i) => i.spec).filter((s) => s.includes('constructs'))).toEqual([]);
  });

  test('a registry file importing constructs is a violation', () => {
    const out = layeringViolations([file('src/registry/validate.ts', '../../constructs/hosts'), file('constructs/hosts.ts')]);
    expect(out).toEqual(['src/registry/validate.ts:1: imports ../../constructs/hosts; src/registry/ imports only src/registry/ and src/model/, never constructs/']);
  });

  test('a construct importing outside src/model is a violation; src/model and imports are fine', () => {
    const out = layeringViolations([
      file('constructs/per-ring-workload.ts', '../src/memory', '../src/model/memory', '../imports/k8s', 'constructs'),
      file('src/memory.ts'),
      file('src/model/memory.ts'),
      file('imports/k8s.ts'),
    ]);
    expect(out).toEqual(['constructs/per-ring-workload.ts:1: imports ../src/memory; constructs/ imports only constructs/, src/model/ and imports/ (constructs never read the registry)']);
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
      file('src/registry/load.ts', './validate', './schema'),
      file('src/registry/validate.ts', './load'),
      file('src/registry/schema.ts'),
    ]);
    expect(out).toEqual(['import cycle: src/registry/load.ts → src/registry/validate.ts → src/registry/load.ts']);
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
