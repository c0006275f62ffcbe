/**
 * What `bin/rings.js` runs: the CLI as one bundle (build/rings-cli.bundle.js, made by `npm run build`)
 * through V8's code cache, for a fast cold start; without the bundle, the compiled modules.
 */
import * as path from 'path';
import { runCached } from './code-cache';

runCached(path.join(__dirname, '..', '..', 'rings-cli.bundle.js'), () => require('../cli/run'));
