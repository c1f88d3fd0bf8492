import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
// Jest loads globalSetup without the workspace's path resolver, so the alias cannot work here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import mongoGlobalSetup from '../../../../libs/testing/src/jest/mongo-global-setup';

const root = join(__dirname, '../../../..');

/**
 * Starts the shared database and builds both apps (nx replays its cache when nothing
 * changed). SYSTEM_E2E_BUILD=skip reuses dist/ as it is, for quick local reruns.
 */
export default async function globalSetup(): Promise<void> {
  await mongoGlobalSetup();
  if (process.env['SYSTEM_E2E_BUILD'] === 'skip') return;
  execFileSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '--projects=database-api,webhook-api', '--outputStyle=static'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    },
  );
}
