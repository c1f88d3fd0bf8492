import type { Config } from 'jest';
import { getJestProjectsAsync } from '@nx/jest';

// Running every project at once (npm test): per-project testTimeout is ignored in this mode,
// so the longest one (the system tests') is set here.
export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
  testTimeout: 60000,
  // Each e2e file loads Nest, googleapis and the apps afresh; recycle a worker that has grown
  // instead of letting it run out of memory (seen once on a fresh clone).
  workerIdleMemoryLimit: '700MB',
});
