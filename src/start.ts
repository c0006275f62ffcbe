/**
 * Fast cold start for `node build/src/start.js` (same contract as main.js: env RINGS_REGISTRY,
 * RINGS_OUT): runs the one-file bundle build/rings.bundle.js (made by `npm run build`) through V8's
 * code cache, kept beside it in build/rings.bundle.js.cache. Node 20 has no
 * `module.enableCompileCache()`, so this does what it would: the first run compiles and saves the
 * cache, later runs skip parsing and compiling. A stale or foreign cache is rejected by V8 and
 * rewritten; without the bundle it runs ./main as usual.
 */
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** Runs `bundle` through V8's code cache (`<bundle>.cache`); without the bundle, `fallback()`. */
export function runCached(bundle: string, fallback: () => void): void {
  const cacheFile = `${bundle}.cache`;
  let source: string;
  try {
    source = fs.readFileSync(bundle, 'utf8');
  } catch {
    fallback();
    return;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // After the run, so the cache also holds the functions the run compiled lazily.
    process.once('exit', () => saveCache(script, cacheFile));
  }
  const fn = script.runInThisContext() as (exports: object, req: NodeRequire, mod: object, filename: string, dirname: string) => void;
  const mod = { exports: {} };
  fn.call(mod.exports, mod.exports, require, mod, bundle, path.dirname(bundle));
}

function saveCache(script: vm.Script, cacheFile: string): void {
  try {
    const tmp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {
    // A read-only install just runs without the cache.
  }
}

if (require.main === module) runCached(path.join(__dirname, '..', 'rings.bundle.js'), () => require('./main'));
