/**
 * Lets plain `node` load the harness's TypeScript (`node -r ./test/cluster/ts-register.js x.ts`):
 * each .ts file is transpiled by the project's own TypeScript, without type checking (tsc -p test
 * checks the types). Used where a test runs the harness in a child process of its own.
 */
'use strict';
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function load(module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};
