module.exports = {
  displayName: 'database-api',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  // Unit specs beside the code, e2e specs against a real Mongo-compatible server.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/../../libs/testing/src/jest/mongo-global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/testing/src/jest/mongo-global-teardown.ts',
  testTimeout: 30000,
  coverageDirectory: '../../coverage/apps/database-api',
};
