/**
 * Bundles the UI elements for browsers: one ES module with Lit, openapi-fetch and the typed
 * client inside, that defines <calendar-connect> and <calendar-slot-picker> when loaded.
 *
 *   npm run ui:build                       -> dist/libs/ui-elements/ui-elements.js
 *   npx tsx libs/ui-elements/build.ts out.js
 *
 * Kept outside src/ (and out of the package's index) because it runs in Node, while src/ runs
 * only in browsers. The demo server (tools/dev) and the component specs call buildUiElements.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';

const WORKSPACE_ROOT = resolve(__dirname, '../..');
export const UI_ELEMENTS_ENTRY = resolve(__dirname, 'src/index.ts');
export const UI_ELEMENTS_BUNDLE = resolve(WORKSPACE_ROOT, 'dist/libs/ui-elements/ui-elements.js');

/**
 * Writes the bundle to `outfile` (default dist/libs/ui-elements/ui-elements.js) and answers its
 * absolute path. It resolves `@connector-service/*` through the workspace's path aliases (via
 * the lib's tsconfig) and takes Lit's production build (no `development` export condition).
 */
export async function buildUiElements(outfile: string = UI_ELEMENTS_BUNDLE): Promise<string> {
  const target = resolve(outfile);
  await build({
    entryPoints: [UI_ELEMENTS_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: target,
    tsconfig: resolve(__dirname, 'tsconfig.lib.json'),
    sourcemap: true,
    minify: true,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  return target;
}

if (require.main === module) {
  buildUiElements(process.argv[2]).then(
    (written) => process.stdout.write(`${written}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
