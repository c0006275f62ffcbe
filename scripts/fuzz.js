#!/usr/bin/env node
/**
 * npm run test:fuzz: every test file with a fast-check property, run with random seeds and
 * RINGS_PBT_FACTOR (default 20) times the runs of `npm test` (which uses one fixed seed). A failure
 * prints fast-check's report (seed, path, shrunk counterexample); replay it with
 *   RINGS_PBT_SEED=<seed> RINGS_PBT_PATH=<path> npx jest <file>
 * and keep the counterexample as a regular test beside the property.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'cluster' && e.name !== 'fixtures') walk(p);
    } else if (e.name.endsWith('.test.ts') && /from 'fast-check'/.test(fs.readFileSync(p, 'utf8'))) files.push(path.relative(root, p));
  }
})(path.join(root, 'test'));
files.sort();
const factor = process.env.RINGS_PBT_FACTOR ?? '20';
console.log(`fuzz: ${files.length} test files with properties, random seeds, ${factor}x the runs`);
const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--ci', '--testTimeout=1800000', ...files, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RINGS_FUZZ: '1', RINGS_PBT_FACTOR: factor },
});
process.exit(r.status ?? 1);
