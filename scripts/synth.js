#!/usr/bin/env node
/**
 * `npm run synth`: rebuilds only when a source is newer than the build, then runs the same synth as
 * `rings synth` (same checks, same problem lines, same exit codes), in this process.
 *
 * The build is stale when any file under src/, constructs/, imports/ or scripts/, or tsconfig.json or
 * package-lock.json, is newer than build/.build-stamp (written by the last `npm run build`). Operators
 * edit rings/, not sources, so their path never compiles TypeScript.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'build', '.build-stamp');
const SOURCES = ['src', 'constructs', 'imports', 'scripts', 'tsconfig.json', 'package-lock.json'];

/** Newest modification time (ms) of a file, or of any file below a folder. */
function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

function stale() {
  let stamp;
  try {
    stamp = fs.statSync(STAMP).mtimeMs;
  } catch {
    return 'no build yet';
  }
  for (const s of SOURCES) if (newest(path.join(root, s)) > stamp) return `${s} changed`;
  return undefined;
}

const why = stale();
if (why) {
  process.stderr.write(`synth: building first (${why})\n`);
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The app entry, exactly as `cdk8s synth` runs it (cdk8s.yaml: build/src/start.js), in this process.
const { runCached } = require(path.join(root, 'build', 'src', 'start.js'));
runCached(path.join(root, 'build', 'rings.bundle.js'), () => require(path.join(root, 'build', 'src', 'main.js')));
