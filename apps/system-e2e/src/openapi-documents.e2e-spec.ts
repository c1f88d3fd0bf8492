import { testDatabaseUri } from '@connector-service/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run openapi -- ...` as a developer runs it, against the apps the global setup built;
 * the apps get their own databases on the test server. Its environment is given explicitly
 * rather than inherited.
 */
function runOpenApiScript(extraArgs: string[]): Promise<ScriptResult> {
  const args = [
    join(root, 'node_modules/.bin/tsx'),
    join(root, 'tools/scripts/openapi.ts'),
    '--skip-build',
    '--mongodb-uri',
    testDatabaseUri('openapi'),
    ...extraArgs,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('OpenAPI documents (npm run openapi)', () => {
  it('the committed apps/<app>/openapi.json are exactly what the built apps serve at /api/docs-json', async () => {
    const result = await runOpenApiScript(['--check']);

    // On drift the output lists each difference and says how to regenerate (npm run openapi).
    expect({ code: result.code, output: `${result.stdout}${result.stderr}` }).toEqual({
      code: 0,
      output: expect.stringContaining('OpenAPI documents match the built apps'),
    });
  });

  it('--check fails on a drifted document and names the difference', async () => {
    // Generated afresh, so that this test does not depend on the committed files being current.
    const dir = mkdtempSync(join(tmpdir(), 'openapi-drift-'));
    try {
      const written = await runOpenApiScript(['--documents-dir', dir]);
      expect(written).toMatchObject({ code: 0 });
      const drifted = join(dir, 'webhook-api', 'openapi.json');
      const document = JSON.parse(readFileSync(drifted, 'utf8'));
      document.info.title = 'drifted';
      writeFileSync(drifted, JSON.stringify(document));

      const result = await runOpenApiScript(['--check', '--documents-dir', dir]);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain('webhook-api/openapi.json differs from what the built app serves (1 difference;');
      expect(result.stdout).toContain('~ /info/title: "drifted" -> "webhook-api"');
      expect(result.stdout).not.toContain('database-api/openapi.json');
      expect(result.stdout).toContain('npm run openapi');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
