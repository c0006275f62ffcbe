/**
 * The cluster tests (test/cluster/): a real control plane per Kubernetes version, built by
 * test/cluster/build.sh. One test file per version; jest runs the two side by side on two workers.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testTimeout: 15 * 60 * 1000,
  maxWorkers: 2,
  testPathIgnorePatterns: ['/node_modules/'],
};
