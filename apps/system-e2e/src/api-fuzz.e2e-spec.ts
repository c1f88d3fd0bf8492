import { mintUserJwt } from '@connector-service/testing';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DATABASE_SERVICE_TOKEN, STACK_JWT_SECRET, Stack, WEBHOOK_SERVICE_TOKEN, newSubaccountId } from './support/stack';

const root = join(__dirname, '../../..');
/** Bounded so CI stays fast; the seed makes a failure reproducible. */
const MAX_EXAMPLES = '25';
const SEED = '20261125';

/**
 * Fuzzes both apps from their own OpenAPI documents with schemathesis, every check on:
 * no 5xx, each answer's status code and body as documented, invalid input refused,
 * valid input accepted, auth enforced, 405 for undocumented methods. Each documented
 * operation is fuzzed with the credentials it takes (user JWT or service token).
 *
 * Two narrow exceptions, each a limit of the tools rather than of the API:
 * - positive_data_acceptance is off for the two operations whose bodies carry metadata
 *   objects: their key rules (no empty key, ".", leading "$") cannot be written in
 *   OpenAPI 3.0 (propertyNames is 3.1), so schemathesis sends such keys as "valid".
 * - the stateful phase is off for database-api's user routes: it infers that the
 *   connector POST creates the Google Calendar *connection* and reports the correct
 *   404 NOT_CONNECTED of a disconnect as "created resource not found".
 */
describe('API fuzzing from the OpenAPI documents (schemathesis)', () => {
  let stack: Stack;
  let schemathesis: string;

  beforeAll(async () => {
    schemathesis = join(root, execFileSync('bash', [join(root, 'tools/fuzz/setup.sh')], { encoding: 'utf8' }).trim());
    stack = await Stack.start();
    // Something to find: a connected Google Calendar connector.
    await stack.connect(newSubaccountId(), 'fuzz@example.com');
  }, 180000);
  afterAll(() => stack?.stop());

  const admin = () => mintUserJwt(STACK_JWT_SECRET, { sub: 'fuzzer', subaccountIds: [], role: 'admin' });

  const noAcceptanceCheck = ['--exclude-checks', 'positive_data_acceptance'];
  it.each([
    [
      'database-api user routes',
      () => stack.databaseApi.url,
      () => admin(),
      ['--exclude-path-regex', 'metadata/update', '--exclude-operation-id', 'ConnectorsController_add', '--phases', 'examples,coverage,fuzzing'],
    ],
    ['database-api add connector', () => stack.databaseApi.url, () => admin(), ['--include-operation-id', 'ConnectorsController_add', ...noAcceptanceCheck]],
    ['database-api metadata update', () => stack.databaseApi.url, () => DATABASE_SERVICE_TOKEN, ['--include-path-regex', 'metadata/update', ...noAcceptanceCheck]],
    ['webhook-api', () => stack.webhookApi.url, () => WEBHOOK_SERVICE_TOKEN, []],
  ])(
    'finds no failure in %s',
    async (_name, url, token, filters) => {
      const { code, output } = await run(schemathesis, [
        'run',
        `${url()}/api/docs-json`,
        '--url',
        url(),
        '--header',
        `Authorization: Bearer ${token()}`,
        '--checks',
        'all',
        '--max-examples',
        MAX_EXAMPLES,
        '--seed',
        SEED,
        // One worker: CPython 3.11's ast module is not thread-safe ("AST constructor
        // recursion depth mismatch" inside schemathesis with several workers).
        '--workers',
        '1',
        '--request-timeout',
        '10',
        '--no-color',
        ...filters,
      ]);
      if (code !== 0) throw new Error(`schemathesis exited ${code}:\n${output}`);
      expect(output).toMatch(/passed/i);
    },
    240000,
  );
});

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}
