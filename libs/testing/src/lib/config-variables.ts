import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppName } from './app-process';
import { workspaceRoot } from './workspace-root';

/** The ServiceConfig both apps' configuration classes extend. */
const SERVICE_CONFIG = 'libs/app-core/src/config/service-config.ts';

/**
 * Every variable an app's typed configuration class reads: the `readonly NAME` fields of its
 * `src/config/*.config.ts` and those of the ServiceConfig it extends. Read from the sources,
 * so tooling (npm start, the deployment-file checks) follows the classes instead of copying
 * them, without loading the apps' code.
 */
export function configVariables(app: AppName): string[] {
  const root = workspaceRoot();
  const dir = join(root, 'apps', app, 'src/config');
  const sources = [
    ...readdirSync(dir)
      .filter((file) => file.endsWith('.config.ts'))
      .map((file) => readFileSync(join(dir, file), 'utf8')),
    readFileSync(join(root, SERVICE_CONFIG), 'utf8'),
  ];
  const names = sources.flatMap((source) =>
    [...source.matchAll(/^\s+readonly ([A-Z][A-Z0-9_]+)[!?]?:/gm)].map((match) => match[1] as string),
  );
  return [...new Set(names)];
}
