#!/usr/bin/env node
/**
 * `npm run synth`: rebuilds only when a source is newer than the build, then runs the same synth as
 * `rings synth` (same checks, same problem lines, same exit codes), in this process.
 *
 * The build is stale when any file or folder under src/, constructs/, imports/ or scripts/, or
 * tsconfig.json or package-lock.json, is newer than build/.build-stamp (written by the last
 * `npm run build`). Operators edit rings/, not sources, so their path never compiles TypeScript.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'build', '.build-stamp');
// Folders (walked) and files.
const SOURCES = ['src', 'constructs', 'imports', 'scripts', 'tsconfig.json', 'package-lock.json'];

/**
 * The first file or folder at or below `p` modified after `stamp` (ms), if any. Every file is looked
 * at (a folder's time does not change when a file in it is edited in place; it does when one is
 * added, removed or renamed), and the walk stops at the first newer one.
 */
function newerThan(p, stamp, isDir) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (st.mtimeMs > stamp) return p;
  if (!isDir) return undefined;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    const hit = newerThan(path.join(p, e.name), stamp, e.isDirectory());
    if (hit) return hit;
  }
  return undefined;
}

function stale() {
  const st = fs.statSync(STAMP, { throwIfNoEntry: false });
  if (!st) return 'no build yet';
  for (const s of SOURCES) {
    const p = path.join(root, s);
    const hit = newerThan(p, st.mtimeMs, !s.includes('.'));
    if (hit) return `${path.relative(root, hit)} changed`;
  }
  return undefined;
}

const why = stale();
if (why) {
  process.stderr.write(`synth: building first (${why})\n`);
  const { spawnSync } = require('child_process'); // only here: loading it costs ~10 ms
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The app entry, exactly as `cdk8s synth` runs it (cdk8s.yaml: build/src/bin/synth.js, which does the same), in this process.
const { runCached } = require(path.join(root, 'build', 'src', 'bin', 'code-cache.js'));
runCached(path.join(root, 'build', 'rings.bundle.js'), () => require(path.join(root, 'build', 'src', 'bin', 'synth-app.js')));
