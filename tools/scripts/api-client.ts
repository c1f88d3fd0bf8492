/**
 * npm run api-client:generate              writes libs/api-client/src/generated/database-api.ts
 * npm run api-client:generate -- --stdout  prints it instead (the staleness spec compares that
 *                                          with the committed file)
 *
 * The types are made by openapi-typescript from database-api's committed OpenAPI document
 * (apps/database-api/openapi.json; `npm run openapi` regenerates that from the built app), then
 * formatted by Prettier with the repo's settings, so `prettier --check .` leaves the file alone
 * and .prettierignore need not know it. This is the one place that makes the file: the spec in
 * libs/api-client runs this script rather than a copy of it, so the two cannot disagree.
 *
 * A script and not the openapi-typescript CLI inside Jest because openapi-typescript (and
 * Prettier) load ESM-only packages, which ts-jest's CommonJS runtime cannot import; plain Node
 * (via tsx) can.
 */
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';

const WORKSPACE_ROOT = join(__dirname, '../..');
const DOCUMENT = join(WORKSPACE_ROOT, 'apps/database-api/openapi.json');
const OUTPUT = join(WORKSPACE_ROOT, 'libs/api-client/src/generated/database-api.ts');

/** The file's text: what `openapi-typescript <document> -o <file>` writes, as Prettier formats it here. */
async function renderTypes(): Promise<string> {
  // silent: the CLI's progress lines would end up in --stdout's output.
  const ast = await openapiTS(pathToFileURL(DOCUMENT), {
    silent: true,
    cwd: pathToFileURL(`${WORKSPACE_ROOT}/`),
    // A field with a default is still optional in a request (the server fills it in).
    defaultNonNullable: false,
  });
  const config = await resolveConfig(OUTPUT, { editorconfig: true });
  return format(`${COMMENT_HEADER}${astToString(ast)}`, { ...config, filepath: OUTPUT });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { stdout: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const text = await renderTypes();
  if (values.stdout) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(OUTPUT, text);
  process.stdout.write(`wrote ${relative(process.cwd(), OUTPUT)} from ${relative(process.cwd(), DOCUMENT)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`api-client: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
