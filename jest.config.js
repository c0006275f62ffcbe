/** Tests run on the TypeScript sources through ts-jest; `npm test` builds first so CLI tests can run the compiled bin. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/cluster/ needs a control plane: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { types: ['node', 'jest'], isolatedModules: true } }] },
  // fast-check runs every property with a fixed seed unless RINGS_FUZZ=1 (npm run test:fuzz).
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 120000,
};
