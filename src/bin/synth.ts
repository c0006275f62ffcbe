/**
 * What `cdk8s synth` (cdk8s.yaml) and `npm run synth` run: the synth app (./synth-app) as one bundle
 * (build/rings.bundle.js, made by `npm run build`) through V8's code cache; without the bundle, the
 * compiled modules.
 */
import * as path from 'path';
import { runCached } from './code-cache';

runCached(path.join(__dirname, '..', '..', 'rings.bundle.js'), () => require('./synth-app'));
