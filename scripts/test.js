#!/usr/bin/env node
/**
 * `npm test`: every suite, independent ones side by side, with each step's time printed.
 *
 *   build → type-check the tests → lanes, in parallel:
 *     unit:     jest (every suite outside test/cluster/) → the Pod Security conformance gate
 *     cluster:  control-plane and Flux binaries (built or reused) → the cluster suites on real control planes
 *     ci:       (only with --ci-suites, as .ci/run passes it) the packed-library consumer test →
 *               the example pipelines → the independent checkers (kubeconform, kube-score, checkov)
 *
 * The cluster suites spend most of their time waiting for controllers (rollouts, pod termination,
 * Flux reconciling), so they overlap well with the CPU-bound unit suite on two cores.
 * Each line of a lane's output is prefixed with the lane's name. RINGS_TEST_SERIAL=1 runs the lanes
 * one after the other; RINGS_TEST_LANES=unit,ci picks lanes. Exit 1 when any step fails.
 */
'use strict';
const { spawn } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const ciSuites = process.argv.includes('--ci-suites');
const serial = process.env.RINGS_TEST_SERIAL === '1';
const only = process.env.RINGS_TEST_LANES ? new Set(process.env.RINGS_TEST_LANES.split(',')) : undefined;
const jest = require.resolve('jest/bin/jest');
const node = process.execPath;

/** One step: a command, its label, and how long it took. */
const LANES = {
  unit: [
    ['jest', node, [jest, '--ci', '--json', '--outputFile=build/jest-results.json']],
    ['pod-security conformance', 'bash', ['test/conformance/synth-examples.sh']],
  ],
  cluster: [
    ['control-plane and Flux binaries', 'bash', ['test/cluster/build.sh']],
    ['cluster suites', node, [jest, '-c', 'jest.cluster.config.js', '--ci', '--json', '--outputFile=build/jest-cluster-results.json']],
  ],
  ci: [
    ['consumer', 'bash', ['test/consumer/run.sh']],
    ['pipelines', 'bash', ['test/pipelines/run.sh']],
    ['checkers', 'bash', ['test/checkers/run.sh']],
  ],
};

const children = new Set();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    // Each step runs in its own process group: stop all of it (the cluster harness stops what it started).
    for (const c of children) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    process.exit(130);
  });
}

const seconds = (t0) => Math.round((Date.now() - t0) / 1000);

function prefixed(stream, lane, out) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const l of lines) out.write(`[${lane}] ${l}\n`);
  });
  stream.on('end', () => {
    if (rest) out.write(`[${lane}] ${rest}\n`);
  });
}

function run(lane, [label, cmd, args]) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: process.env });
    children.add(child);
    prefixed(child.stdout, lane, process.stdout);
    prefixed(child.stderr, lane, process.stderr);
    child.on('close', (code, signal) => {
      children.delete(child);
      const ok = code === 0;
      console.log(`test: ${lane} / ${label}: ${ok ? 'passed' : `failed (${signal ?? `exit ${code}`})`} in ${seconds(t0)} s`);
      resolve(ok);
    });
  });
}

async function lane(name) {
  const t0 = Date.now();
  let ok = true;
  for (const step of LANES[name]) {
    if (!(await run(name, step))) {
      ok = false;
      break;
    }
  }
  console.log(`test: lane ${name}: ${ok ? 'passed' : 'FAILED'} in ${seconds(t0)} s`);
  return ok;
}

(async () => {
  const t0 = Date.now();
  for (const step of [
    ['build', 'npm', ['run', 'build', '--silent']],
    ['type-check tests', node, [require.resolve('typescript/bin/tsc'), '-p', 'test']],
  ]) {
    if (!(await run('build', step))) process.exit(1);
  }
  const names = ['unit', 'cluster', ...(ciSuites ? ['ci'] : [])].filter((n) => !only || only.has(n));
  let results;
  if (serial) {
    results = [];
    for (const n of names) results.push(await lane(n));
  } else {
    results = await Promise.all(names.map(lane));
  }
  const ok = results.every(Boolean);
  console.log(`test: ${ok ? 'every lane passed' : 'FAILED'} in ${seconds(t0)} s`);
  process.exit(ok ? 0 : 1);
})();
