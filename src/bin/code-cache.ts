/**
 * Fast cold start for the entry points (`build/src/bin/synth.js`, `build/src/bin/rings.js`; same contract as synth-app.js: env RINGS_REGISTRY,
 * RINGS_OUT): runs the one-file bundle build/rings.bundle.js (made by `npm run build`) through V8's
 * code cache, kept beside it in build/rings.bundle.js.cache. Node 20 has no
 * `module.enableCompileCache()`, so this does what it would: the first run compiles and saves the
 * cache, later runs skip parsing and compiling. A stale or foreign cache is rejected by V8 and
 * rewritten; without the bundle it runs ./main as usual.
 *
 * It also raises V8's interrupt budget 16× (how much bytecode a function runs before V8 considers
 * optimizing it) before compiling anything. A synth runs for 0.1–3 s: with the default budget V8
 * optimizes, and then deoptimizes, many functions that run a few times only, on the same two cores.
 * Measured (CPU time, medians): S 0.32 → 0.26 s, M 1.32 → 1.12 s, L 4.28 → 3.98 s. `--no-opt` is
 * faster at S but 20% slower at L. Set here, before the Script is made, so the code cache (whose
 * validity depends on V8's flags) is always made and read with the same flags.
 */
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';

/** 16× V8's default (67,584): see above. Changing it invalidates the code cache once. */
export const INTERRUPT_BUDGET = 16 * 67584;

/** Runs `bundle` through V8's code cache (`<bundle>.cache`); without the bundle, `fallback()`. */
export function runCached(bundle: string, fallback: () => void): void {
  v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
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

