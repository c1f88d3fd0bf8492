import { mintUserJwt } from '@connector-service/testing';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DATABASE_SERVICE_TOKEN,
  STACK_JWT_SECRET,
  Stack,
  WEBHOOK_SERVICE_TOKEN,
  newSubaccountId,
} from './support/stack';

const root = join(__dirname, '../../..');
/** Bounded so CI stays fast (each app takes some 10 s); override locally to dig deeper. */
const MAX_EXAMPLES = process.env['API_FUZZ_MAX_EXAMPLES'] ?? '40';
/** Fixed so a failure reproduces; override locally to explore other inputs. */
const SEED = process.env['API_FUZZ_SEED'] ?? '20261125';
/** A hung run fails the test instead of holding CI. */
const RUN_LIMIT_MS = 150_000;

/**
 * Fuzzes both apps from their own OpenAPI documents with schemathesis: every documented
 * operation, every check (no 5xx; status codes, content types, headers and bodies as
 * documented; invalid input refused and valid input accepted; auth enforced; 405 with
 * Allow for undocumented methods; resources available after creation and gone after
 * deletion), in every phase (examples, coverage, fuzzing, stateful). Any warning fails the
 * run too, e.g. an operation whose every valid request got a 404 (never really tested).
 *
 * Each operation gets the credentials it takes (a schemathesis config file per app: an
 * admin JWT for database-api's user routes, the service tokens for the service routes),
 * and the seeded data below, drawn for half of the generated ids, so the success paths
 * are reached: a connected Google Calendar for the user routes, a second connector to
 * remove, a third whose metadata to update, and two live connections on webhook-api (one
 * for status and calendars, one to disconnect).
 *
 * Stateful links come from the documents' own OpenAPI links (and Location headers), not
 * from schemathesis's dependency-analysis guesses: those take `POST /connectors/{subaccountId}`
 * for the creation of a "Subaccount" and then report the documented 404 NOT_CONNECTED of
 * `DELETE .../google-calendar/connection` (a connection is made by the OAuth flow, not by
 * adding a connector) as "created resource not found", and they address the created
 * connector by the lowercased id of the answer while the request may have spelled it in
 * upper case, which hides a re-creation from the use-after-free check.
 */
describe('API fuzzing from the OpenAPI documents (schemathesis)', () => {
  let stack: Stack;
  let schemathesis: string;
  let workDir: string;
  let databaseConfig: string;
  let webhookConfig: string;

  beforeAll(async () => {
    const setup = execFileSync('bash', [join(root, 'tools/fuzz/setup.sh')], { encoding: 'utf8', timeout: 300_000 });
    schemathesis = join(root, setup.trim());
    workDir = mkdtempSync(join(tmpdir(), 'api-fuzz-'));
    stack = await Stack.start();

    const userSubaccount = newSubaccountId();
    await stack.connect(userSubaccount, 'fuzz-user@example.com');
    const spareSubaccount = newSubaccountId();
    const metadataSubaccount = newSubaccountId();
    for (const subaccountId of [spareSubaccount, metadataSubaccount]) {
      const added = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, {
        connectorId: 'google-calendar',
      });
      if (added.status !== 201) throw new Error(`seeding a connector answered ${added.status}`);
    }
    const keptConnection = (await stack.connect(newSubaccountId(), 'fuzz-kept@example.com'))['calendarId'];
    const disconnectedConnection = (await stack.connect(newSubaccountId(), 'fuzz-disconnected@example.com'))[
      'calendarId'
    ];

    const admin = mintUserJwt(STACK_JWT_SECRET, { sub: 'fuzzer', subaccountIds: [], role: 'admin' });
    databaseConfig = writeConfig('database-api.toml', [
      common(admin),
      dictionary('user-subaccount', userSubaccount),
      dictionary('spare-subaccount', spareSubaccount),
      dictionary('metadata-subaccount', metadataSubaccount),
      dictionary('connector', 'google-calendar'),
      '[parameters]',
      bind('path.subaccountId', 'user-subaccount'),
      bind('path.connectorId', 'connector'),
      operation('ConnectorsController_remove', { subaccountId: 'spare-subaccount' }),
      operation('ConnectorsController_updateMetadata', { subaccountId: 'metadata-subaccount' }, DATABASE_SERVICE_TOKEN),
    ]);
    webhookConfig = writeConfig('webhook-api.toml', [
      // The callback's "mostly rejected generated data" warning is expected (above); the test
      // checks it names no other operation. Every other warning fails the run.
      common(
        WEBHOOK_SERVICE_TOKEN,
        WARNINGS.filter((name) => name !== 'validation_mismatch'),
      ),
      dictionary('kept-connection', keptConnection),
      dictionary('disconnected-connection', disconnectedConnection),
      '[parameters]',
      bind('path.calendarId', 'kept-connection'),
      operation('ConnectionsController_disconnect', { calendarId: 'disconnected-connection' }),
      // Valid-looking query values still name no live consent (its state is single-use and
      // made by the connect flow), so the documented failure page is the right answer to them.
      '[[operations]]',
      'include-operation-id = "ConnectController_callback"',
      'checks = { positive_data_acceptance = { expected-statuses = [200, 302, 400] } }',
    ]);
  }, 400_000);

  afterAll(async () => {
    await stack?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it.each([
    ['database-api', () => stack.databaseApi.url, () => databaseConfig],
    ['webhook-api', () => stack.webhookApi.url, () => webhookConfig],
  ])(
    'finds no failure in %s',
    async (_name, url, config) => {
      const args = [
        '--config-file',
        config(),
        'run',
        `${url()}/api/docs-json`,
        '--url',
        url(),
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
        // Only the seed decides what is generated, not examples saved by earlier runs.
        '--generation-database',
        'none',
        '--no-color',
      ];
      const { code, output } = await run(schemathesis, args, workDir);
      const report = `${schemathesis} ${args.join(' ')}\n(exit ${code}; ${config()}:)\n${readFileSync(config(), 'utf8')}\n${output}`;
      if (code !== 0) throw new Error(`schemathesis found something:\n${report}`);
      // Every documented operation was selected and tested.
      const selected = /Selected: (\d+)\/(\d+)/.exec(output);
      const tested = /Tested: (\d+)/.exec(output);
      if (!selected || !tested || selected[1] !== selected[2] || tested[1] !== selected[2]) {
        throw new Error(`not every operation was tested:\n${report}`);
      }
      expect(output).toMatch(/No issues found|Test cases:\s+\d+ generated, \d+ passed/);
      expect(output).not.toMatch(/\d+ failed/);
      // Only the OAuth callback may reject most of its generated data (see its config).
      const mismatch = /Schema validation mismatch:[^\n]*\n((?:\s*- [^\n]+\n)+)/.exec(output);
      const mismatched = mismatch ? mismatch[1].trim().split(/\n\s*/) : [];
      expect(mismatched.filter((line) => line !== '- GET /api/google-calendar/callback')).toEqual([]);
    },
    RUN_LIMIT_MS + 30_000,
  );

  function writeConfig(name: string, sections: string[]): string {
    const path = join(workDir, name);
    writeFileSync(path, `# Written by apps/system-e2e/src/api-fuzz.e2e-spec.ts\n${sections.join('\n')}\n`);
    return path;
  }
});

/** Every warning schemathesis 4 can give (its config schema's WarningName). */
const WARNINGS = [
  'missing_auth',
  'missing_test_data',
  'base_url_mismatch',
  'validation_mismatch',
  'missing_deserializer',
  'unused_openapi_auth',
  'unsupported_regex',
  'method_not_allowed',
  'constants_extraction',
  'unmatched_filter',
  'unresolvable_reference',
  'low_valid_rate',
  'rate_limited',
  'dictionary_mismatch',
  'timeout_units',
];

/** What both configs share: default credentials, warnings fail, links from the document. */
function common(token: string, failOn: string[] | true = true): string {
  return [
    `headers = { Authorization = ${toml(`Bearer ${token}`)} }`,
    `warnings = { fail-on = ${JSON.stringify(failOn)} }`,
    '[phases.stateful.inference]',
    'algorithms = ["location-headers"]',
  ].join('\n');
}

function dictionary(name: string, value: string): string {
  return `[dictionaries.${name}]\nvalues = [${toml(value)}]`;
}

/** Half of the generated values of the parameter come from the seeded dictionary. */
function bind(parameter: string, dictionaryName: string): string {
  return `${toml(parameter)} = { dictionary = ${toml(dictionaryName)}, probability = 0.5 }`;
}

/** Settings of one operation: other seeded path parameters, other credentials. */
function operation(operationId: string, pathParameters: Record<string, string>, token?: string): string {
  const parameters = Object.entries(pathParameters).map(([name, dictionaryName]) =>
    bind(`path.${name}`, dictionaryName),
  );
  return [
    '[[operations]]',
    `include-operation-id = ${toml(operationId)}`,
    ...(token ? [`headers = { Authorization = ${toml(`Bearer ${token}`)} }`] : []),
    `parameters = { ${parameters.join(', ')} }`,
  ].join('\n');
}

/** A TOML basic string (JSON's escapes are valid TOML for the ASCII values used here). */
function toml(value: string): string {
  return JSON.stringify(value);
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    const timer = setTimeout(() => {
      output += `\n[killed after ${RUN_LIMIT_MS} ms]`;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
