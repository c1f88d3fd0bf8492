module.exports = {
  displayName: 'ui-elements',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/libs/ui-elements',
  // The component specs start Chromium once per file and bundle the elements with esbuild.
  testTimeout: 30000,
};
