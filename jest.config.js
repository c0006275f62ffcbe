/** Tests run on the TypeScript sources through ts-jest; `npm test` builds first so CLI tests can run the compiled bin. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: { types: ['node', 'jest'] } }] },
  testTimeout: 120000,
};
