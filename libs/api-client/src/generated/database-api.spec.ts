import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const WORKSPACE_ROOT = join(__dirname, '../../../..');
const COMMITTED = join(__dirname, 'database-api.ts');
const GENERATOR = join(WORKSPACE_ROOT, 'tools/scripts/api-client.ts');
const HINT = 'Run `npm run api-client:generate` and commit the result.';

/**
 * openapi-typescript and Prettier load ESM-only packages, which this CommonJS Jest runtime
 * cannot import; so the generator runs as its own Node process (through tsx), the very
 * script that writes the file, and prints what it would write.
 */
async function freshTypes(): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), GENERATOR, '--stdout'], {
    cwd: WORKSPACE_ROOT,
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

function firstDifference(committed: string, fresh: string): string {
  const committedLines = committed.split('\n');
  const freshLines = fresh.split('\n');
  const index = committedLines.findIndex((line, i) => line !== freshLines[i]);
  const at = index === -1 ? committedLines.length : index;
  return [
    `first difference at line ${at + 1}:`,
    `  committed: ${JSON.stringify(committedLines[at] ?? '<end of file>')}`,
    `  generated: ${JSON.stringify(freshLines[at] ?? '<end of file>')}`,
  ].join('\n');
}

describe('generated/database-api.ts', () => {
  it('is what openapi-typescript makes of apps/database-api/openapi.json', async () => {
    const [committed, fresh] = await Promise.all([readFile(COMMITTED, 'utf8'), freshTypes()]);
    expect(fresh).toContain('export interface paths');
    if (committed !== fresh) {
      throw new Error(
        `${relative(WORKSPACE_ROOT, COMMITTED)} is stale: it differs from what openapi-typescript generates from apps/database-api/openapi.json.\n${firstDifference(committed, fresh)}\n${HINT}`,
      );
    }
  }, 60_000);
});
