/**
 * npm run openapi                  writes apps/<app>/openapi.json for both apps
 * npm run openapi -- --check       compares them instead; exit 1 and a summary when they drift
 *
 * Options: --skip-build (use dist/ as it is; the system tests' global setup has just built it),
 * --mongodb-uri <uri> (a MongoDB server for the apps, each gets its own fresh database;
 * default: a throwaway FerretDB), --documents-dir <dir> (where the <app>/openapi.json files
 * are; default: apps/).
 *
 * The documents are taken from the built apps themselves: each `dist/apps/<app>/main.js`
 * is started as in production (NODE_ENV=production, so no .env is read) with only its
 * required variables, and its GET /api/docs-json is saved as it is served. That is what
 * Swagger UI, the fuzzer and a client generator see; nothing is rebuilt in-process, so the
 * file cannot disagree with the bundle. The document does not depend on the configuration
 * and is the same, byte for byte, on every run.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { databaseUri, getFreePort, startFerretDb } from '@connector-service/testing';

const WORKSPACE_ROOT = join(__dirname, '../..');
const DOCS_JSON_PATH = '/api/docs-json';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 3;
const MAX_LISTED_DIFFERENCES = 40;
const MAX_VALUE_LENGTH = 100;
const REGENERATE_HINT = 'Run `npm run openapi` and commit the result.';

type AppName = 'database-api' | 'webhook-api';
type Env = Record<string, string>;

/**
 * The required variables of each app, with harmless values: nothing is reached at start
 * but MongoDB (SMTP, Google and the other app are only called when a request needs them).
 * Every optional variable keeps its default.
 */
const REQUIRED_ENV: Record<AppName, Env> = {
  'database-api': {
    JWT_SECRET: 'openapi-generator-jwt-secret-0123456789',
    WEBHOOK_SERVER_URL: 'http://127.0.0.1:9',
    WEBHOOK_SERVER_SERVICE_TOKEN: 'openapi-generator-webhook-service-token',
    DATABASE_SERVER_SERVICE_TOKEN: 'openapi-generator-database-service-token',
  },
  'webhook-api': {
    DATABASE_SERVER_URL: 'http://127.0.0.1:9',
    DATABASE_SERVER_SERVICE_TOKEN: 'openapi-generator-database-service-token',
    WEBHOOK_SERVER_SERVICE_TOKEN: 'openapi-generator-webhook-service-token',
    GOOGLE_CLIENT_ID: 'openapi-generator.apps.googleusercontent.com',
    GOOGLE_CLIENT_SECRET: 'openapi-generator-client-secret',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: 'smtp://127.0.0.1:9',
    MAIL_FROM: 'OpenAPI generator <noreply@example.test>',
  },
};
const APPS = Object.keys(REQUIRED_ENV) as AppName[];

interface Options {
  check: boolean;
  skipBuild: boolean;
  mongodbUri?: string;
  documentsDir: string;
}

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nusage: npm run openapi -- [--check] [--skip-build] [--mongodb-uri <uri>] [--documents-dir <dir>]\n`,
  );
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean', default: false },
        'skip-build': { type: 'boolean', default: false },
        'mongodb-uri': { type: 'string' },
        'documents-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    return {
      check: values.check ?? false,
      skipBuild: values['skip-build'] ?? false,
      mongodbUri: values['mongodb-uri'],
      documentsDir: values['documents-dir'] ?? join(WORKSPACE_ROOT, 'apps'),
    };
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
}

function documentPath(documentsDir: string, app: AppName): string {
  return join(documentsDir, app, 'openapi.json');
}

/**
 * The file's text: the served JSON as Prettier writes it with the repo's settings, so that
 * `npm run format` leaves it alone. Only the layout changes; --check compares the parsed
 * JSON, not the text.
 */
async function serializeDocument(file: string, document: unknown): Promise<string> {
  const config = await resolveConfig(file, { editorconfig: true });
  return format(JSON.stringify(document), { ...config, filepath: file });
}

// ---------------------------------------------------------------------------------------
// Running the built apps

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['nx', 'run-many', '-t', 'build', '--projects=database-api,webhook-api', '--outputStyle=static'];
    const child = spawn('npx', args, {
      cwd: WORKSPACE_ROOT,
      // Build output goes to stderr, so that stdout carries only this script's report.
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`build failed (${signal ?? `exit code ${String(code)}`})`)),
    );
  });
}

/** Starts the built app, fetches its document, stops it. */
async function fetchServedDocument(app: AppName, mongoBaseUri: string): Promise<unknown> {
  const bundle = join(WORKSPACE_ROOT, 'dist/apps', app, 'main.js');
  if (!existsSync(bundle)) {
    throw new Error(`${relative(WORKSPACE_ROOT, bundle)} is missing: build first (or drop --skip-build)`);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await getFreePort();
    const env: Env = {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      MONGODB_URI: databaseUri(mongoBaseUri, `openapi_${app.replace('-', '_')}_${randomBytes(4).toString('hex')}`),
      ...REQUIRED_ENV[app],
    };
    const running = startApp(app, bundle, env);
    try {
      return await waitForDocument(running, port);
    } catch (error) {
      // getFreePort's port can be taken before the app binds it; only then try another.
      if (attempt >= PORT_ATTEMPTS || !running.output().includes('EADDRINUSE')) throw error;
    } finally {
      await running.stop();
    }
  }
}

interface RunningApp {
  readonly app: AppName;
  readonly child: ChildProcess;
  exited(): boolean;
  output(): string;
  stop(): Promise<void>;
}

function startApp(app: AppName, bundle: string, env: Env): RunningApp {
  const child = spawn(process.execPath, [bundle], { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let hasExited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output += `spawn failed: ${error.message}\n`;
      resolve();
    });
  });
  void exit.then(() => (hasExited = true));
  return {
    app,
    child,
    exited: () => hasExited,
    output: () => output,
    stop: async () => {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function waitForDocument(running: RunningApp, port: number): Promise<unknown> {
  const url = `http://127.0.0.1:${port}${DOCS_JSON_PATH}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (running.exited()) throw new Error(`${running.app} exited during start:\n${running.output()}`);
    let response: Response | undefined;
    try {
      response = await fetch(url);
    } catch {
      // Not listening yet.
    }
    if (response) {
      if (response.status !== 200) throw new Error(`${running.app}: GET ${DOCS_JSON_PATH} answered ${response.status}`);
      const document: unknown = await response.json();
      reportStartWarnings(running);
      return document;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${running.app} did not serve ${DOCS_JSON_PATH} within ${START_TIMEOUT_MS} ms:\n${running.output()}`);
}

/** The apps log at `warn` here, so anything they printed while starting deserves a look. */
function reportStartWarnings(running: RunningApp): void {
  for (const line of running.output().split('\n')) {
    if (line.trim() !== '') process.stderr.write(`[${running.app}] ${line}\n`);
  }
}

// ---------------------------------------------------------------------------------------
// Comparing

interface Difference {
  kind: 'added' | 'removed' | 'changed';
  /** Where, as a JSON Pointer (RFC 6901), e.g. `/paths/~1api~1connectors/get/summary`. */
  pointer: string;
  /** In the committed file (removed, changed). */
  committed?: unknown;
  /** In what the app serves (added, changed). */
  served?: unknown;
}

/**
 * Every place where the committed document and the served one differ, outermost first.
 * Object key order does not matter (JSON objects are unordered); array order does.
 */
function diffDocuments(committed: unknown, served: unknown, pointer = ''): Difference[] {
  if (isPlainObject(committed) && isPlainObject(served)) {
    const keys = [...new Set([...Object.keys(committed), ...Object.keys(served)])];
    return keys.flatMap((key) => {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!(key in served)) return [{ kind: 'removed' as const, pointer: at, committed: committed[key] }];
      if (!(key in committed)) return [{ kind: 'added' as const, pointer: at, served: served[key] }];
      return diffDocuments(committed[key], served[key], at);
    });
  }
  if (Array.isArray(committed) && Array.isArray(served)) {
    // A list of values (an enum, `required`) is reported as one change, not shifted index by index.
    if (committed.every(isPrimitive) && served.every(isPrimitive)) {
      const same = committed.length === served.length && committed.every((value, index) => value === served[index]);
      return same ? [] : [{ kind: 'changed', pointer: pointer || '/', committed, served }];
    }
    const length = Math.max(committed.length, served.length);
    return Array.from({ length }, (_, index) => {
      const at = `${pointer}/${index}`;
      if (index >= served.length) return [{ kind: 'removed' as const, pointer: at, committed: committed[index] }];
      if (index >= committed.length) return [{ kind: 'added' as const, pointer: at, served: served[index] }];
      return diffDocuments(committed[index], served[index], at);
    }).flat();
  }
  return Object.is(committed, served) ? [] : [{ kind: 'changed', pointer: pointer || '/', committed, served }];
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 3)}...` : text;
}

function describeChange(committed: unknown, served: unknown): string {
  if (Array.isArray(committed) && Array.isArray(served)) {
    const dropped = committed.filter((value) => !served.includes(value));
    const added = served.filter((value) => !committed.includes(value));
    if (dropped.length === 0 && added.length === 0) return `same values in another order: ${preview(served)}`;
    return [
      ...(dropped.length > 0 ? [`no longer ${preview(dropped)}`] : []),
      ...(added.length > 0 ? [`now also ${preview(added)}`] : []),
    ].join(', ');
  }
  return `${preview(committed)} -> ${preview(served)}`;
}

function describeDifferences(differences: Difference[]): string {
  const lines = differences.slice(0, MAX_LISTED_DIFFERENCES).map((difference) => {
    switch (difference.kind) {
      case 'added':
        return `  + ${difference.pointer}: ${preview(difference.served)}  (served, not in the file)`;
      case 'removed':
        return `  - ${difference.pointer}: ${preview(difference.committed)}  (in the file, no longer served)`;
      case 'changed':
        return `  ~ ${difference.pointer}: ${describeChange(difference.committed, difference.served)}`;
    }
  });
  const more = differences.length - MAX_LISTED_DIFFERENCES;
  return [...lines, ...(more > 0 ? [`  ... and ${more} more`] : [])].join('\n');
}

/** undefined when the file matches; else what to tell the user. */
function checkDocument(file: string, served: unknown): string | undefined {
  const name = relative(process.cwd(), file) || file;
  if (!existsSync(file)) return `${name} is missing.`;
  let committed: unknown;
  try {
    committed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `${name} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`;
  }
  const differences = diffDocuments(committed, served);
  if (differences.length === 0) return undefined;
  const count = `${differences.length} difference${differences.length === 1 ? '' : 's'}`;
  return `${name} differs from what the built app serves (${count}; + served only, - file only, ~ changed):\n${describeDifferences(differences)}`;
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options.skipBuild) await build();

  const ferretDb = options.mongodbUri === undefined ? await startFerretDb() : undefined;
  let documents: [AppName, unknown][];
  try {
    const mongoBaseUri = options.mongodbUri ?? ferretDb?.uri ?? '';
    // Settled, not Promise.all: both apps are stopped before their database goes away.
    const results = await Promise.allSettled(APPS.map((app) => fetchServedDocument(app, mongoBaseUri)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    documents = results.map((result, index) => [APPS[index], (result as PromiseFulfilledResult<unknown>).value]);
  } finally {
    await ferretDb?.stop();
  }

  if (!options.check) {
    for (const [app, document] of documents) {
      const file = documentPath(options.documentsDir, app);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, await serializeDocument(file, document));
      process.stdout.write(`wrote ${relative(process.cwd(), file) || file}\n`);
    }
    return;
  }

  const problems = documents.flatMap(
    ([app, document]) => checkDocument(documentPath(options.documentsDir, app), document) ?? [],
  );
  if (problems.length === 0) {
    process.stdout.write(`OpenAPI documents match the built apps (${APPS.join(', ')}).\n`);
    return;
  }
  process.stdout.write(`OpenAPI documents drifted from the code.\n\n${problems.join('\n\n')}\n\n${REGENERATE_HINT}\n`);
  process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`openapi: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
