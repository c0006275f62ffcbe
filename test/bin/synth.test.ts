/**
 * build/src/bin/synth.js (the bundle through V8's code cache) writes the same dist/ as synth-app.js, on the
 * run that creates the cache and on the run that uses it. Needs `npm run build` (npm test does it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readDir } from '../../src/render/dist';

const root = path.resolve(__dirname, '..', '..');
const start = path.join(root, 'build', 'src', 'bin', 'synth.js');
const bundle = path.join(root, 'build', 'rings.bundle.js');

(fs.existsSync(start) && fs.existsSync(bundle) ? describe : describe.skip)('fast start entry', () => {
  it('writes dist/ byte-identical to the committed one, with and without a code cache', () => {
    fs.rmSync(`${bundle}.cache`, { force: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-start-'));
    try {
      for (const run of ['creates the cache', 'uses the cache']) {
        const out = path.join(tmp, run.replace(/ /g, '-'));
        const r = spawnSync(process.execPath, [start], { cwd: root, env: { ...process.env, RINGS_REGISTRY: 'rings', RINGS_OUT: out }, encoding: 'utf8' });
        expect({ run, status: r.status, stderr: r.stderr }).toEqual({ run, status: 0, stderr: '' });
        expect(readDir(out)).toEqual(readDir(path.join(root, 'dist')));
        expect(fs.existsSync(`${bundle}.cache`)).toBe(true);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
