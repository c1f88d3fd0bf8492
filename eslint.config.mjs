import nx from '@nx/eslint-plugin';
import jest from 'eslint-plugin-jest';

const GOOGLEAPIS_INDEX = {
  name: 'googleapis',
  message:
    "Its index loads all ~300 Google APIs (+100 MB RSS); import the one you need, e.g. from 'googleapis/build/src/apis/calendar'.",
};
const TESTING_LIB = {
  regex: '^@connector-service/(testing|google-sandbox)(/|$)|/libs/(testing|google-sandbox)/',
  message:
    "The testing lib (FerretDB launcher, JWT minting...) and the Google sandbox are for tests and dev tools: use them from apps/<app>/test/ or apps/system-e2e, never from an app's src/.",
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', 'tools/ferretdb/bin', '.local', 'bench/results'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      // Apps may use libs but never each other; contracts depend on nothing of ours;
      // the testing lib and the Google sandbox are for tests and dev tools only.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:testing', 'type:google-sandbox'],
            },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:google-sandbox'],
            },
            // The Google sandbox stands alone (npm run sandbox, other teams' CI): it depends on nothing of ours.
            { sourceTag: 'type:google-sandbox', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            // The SPA's typed client (libs/api-client) is generated from an OpenAPI document, not our code.
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: [] },
            // The UI elements run in browsers on the typed client; their component tests launch Chromium (libs/testing).
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:client', 'type:testing'] },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:testing', 'type:google-sandbox'],
            },
            { sourceTag: 'scope:database-api', notDependOnLibsWithTags: ['scope:webhook-api'] },
            { sourceTag: 'scope:webhook-api', notDependOnLibsWithTags: ['scope:database-api'] },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A focused test silently turns the rest of the suite off, a skipped one hides a failure:
    // neither is committed (describe/it/test .only and .skip, fit, fdescribe, xit, xdescribe...).
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
    },
  },
  // ESLint does not merge a rule's options across blocks (the last matching block wins), so
  // each of the blocks below lists every import restriction that applies to its files.
  {
    files: ['apps/**/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [GOOGLEAPIS_INDEX] }],
    },
  },
  {
    // The apps' src/ is what ships. Nx tags cannot say this: an app's test/ folder belongs
    // to the same project and does use the testing lib. (system-e2e's src/ is all tests.)
    files: ['apps/*/src/**/*.ts'],
    ignores: ['apps/system-e2e/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [GOOGLEAPIS_INDEX], patterns: [TESTING_LIB] }],
    },
  },
  {
    files: ['apps/*/src/**/*.spec.ts'],
    ignores: ['apps/system-e2e/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [TESTING_LIB] }],
    },
  },
];
