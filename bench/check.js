/**
 * Stand-in for `rings check` until the CLI lands: validates a registry the way synth does, without
 * rendering, in a cold process. `node bench/check.js <registry>`; exit 1 with the problems on failure.
 */
'use strict';
const path = require('path');
const { checkRegistry } = require(path.join(__dirname, '..', 'build', 'src', 'render', 'pipeline'));
const { reportFailure } = require(path.join(__dirname, '..', 'build', 'src', 'bin', 'report-failure'));

try {
  const rings = checkRegistry(process.argv[2] ?? process.env.RINGS_REGISTRY ?? 'rings');
  process.stdout.write(`ok: ${rings.length} rings, ${rings.reduce((n, r) => n + r.tenants, 0)} tenants\n`);
} catch (e) {
  process.exitCode = reportFailure(e);
}
