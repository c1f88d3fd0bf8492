// Black-box tests of the whole system: both built apps run as real processes (so they
// can be killed and restarted) against FerretDB, a real SMTP server and the Google sandbox.
module.exports = {
  displayName: 'system-e2e',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/testing/src/jest/mongo-global-teardown.ts',
  testTimeout: 60000,
};
