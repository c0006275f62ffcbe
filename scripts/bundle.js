/**
 * Part of `npm run build`: bundles the compiled synth entry (build/src/bin/synth-app.js) and everything it
 * loads into one file, build/rings.bundle.js. One file instead of ~150 modules to resolve, read and
 * compile saves about a fifth of a cold start; build/src/bin/synth.js runs it with V8's code cache.
 */
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
for (const [entry, outfile] of [
  ['bin/synth-app.js', 'rings.bundle.js'],
  ['cli/run.js', 'rings-cli.bundle.js'],
]) {
  esbuild.buildSync({
  entryPoints: [path.join(root, 'build', 'src', entry)],
  outfile: path.join(root, 'build', outfile),
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Names stay (error messages and stack traces under RINGS_DEBUG); whitespace does not.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: 'warning',
});
}

// Warm V8's code cache (build/rings.bundle.js.cache) with one synth of the example registry into a
// scratch folder, so the first synth after a build starts fast too. Best effort: no registry, no cache.
const fs = require('fs');
const os = require('os');
const { spawnSync } = require('child_process');
if (fs.existsSync(path.join(root, 'rings', 'platform.toml'))) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-warm-'));
  fs.rmSync(path.join(root, 'build', 'rings.bundle.js.cache'), { force: true });
  spawnSync(process.execPath, [path.join(root, 'build', 'src', 'bin', 'synth.js')], {
    cwd: root,
    env: { ...process.env, RINGS_REGISTRY: path.join(root, 'rings'), RINGS_OUT: path.join(tmp, 'dist'), CDK8S_OUTDIR: '' },
    stdio: 'ignore',
  });
  fs.rmSync(path.join(root, 'build', 'rings-cli.bundle.js.cache'), { force: true });
  spawnSync(process.execPath, [path.join(root, 'bin', 'rings.js'), 'check', '--registry', path.join(root, 'rings')], { cwd: root, stdio: 'ignore' });
  fs.rmSync(tmp, { recursive: true, force: true });
}

// The build is complete: `npm run synth` rebuilds only when a source is newer than this stamp.
fs.writeFileSync(path.join(root, 'build', '.build-stamp'), `${new Date().toISOString()}\n`);
