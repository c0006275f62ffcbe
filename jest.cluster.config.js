/**
 * The cluster tests (test/cluster/): real control planes (and Flux, a git server) per suite, built by
 * test/cluster/build.sh. The suites spend most of their time waiting for controllers (rollouts, pod
 * termination, reconcile intervals), so three run side by side on two cores, the longest first
 * (test/cluster/sequencer.js). RINGS_CLUSTER_WORKERS overrides the count.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testTimeout: 15 * 60 * 1000,
  maxWorkers: Number(process.env.RINGS_CLUSTER_WORKERS ?? 3),
  testPathIgnorePatterns: ['/node_modules/'],
  testSequencer: '<rootDir>/test/cluster/sequencer.js',
};
