import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { getFreePort } from './free-port';
import { workspaceRoot } from './workspace-root';

/** A running FerretDB process: a MongoDB wire-protocol server backed by SQLite files. */
export interface FerretDbServer {
  /** `mongodb://127.0.0.1:PORT/` */
  readonly uri: string;
  readonly port: number;
  readonly dataDir: string;
  /** SIGTERM, wait for exit, SIGKILL after 5 s; removes the data dir if startFerretDb made it. */
  stop(): Promise<void>;
}

export interface StartFerretDbOptions {
  /** Default: a free port picked by the OS. */
  port?: number;
  /** Default: a fresh temp dir, removed on stop. A given dir is created if missing and kept. */
  dataDir?: string;
  /** Where FerretDB serves Go's profiles (`/debug/pprof/`), e.g. `127.0.0.1:6060`; none by default. */
  pprofAddr?: string;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
// Enough of FerretDB's stderr to explain a failed start without growing without bound.
const STDERR_LIMIT = 64 * 1024;
// A port picked by getFreePort can be taken before FerretDB binds it; only then do we retry.
const PORT_ATTEMPTS = 3;

export function ferretDbBinaryPath(): string {
  return join(workspaceRoot(), 'tools', 'ferretdb', 'bin', 'ferretdb');
}

export async function startFerretDb(options: StartFerretDbOptions = {}): Promise<FerretDbServer> {
  ensureBinary();
  const givenDir = options.dataDir;
  const ownsDataDir = givenDir === undefined;
  const dataDir = givenDir === undefined ? mkdtempSync(join(tmpdir(), 'ferretdb-')) : resolve(givenDir);
  mkdirSync(dataDir, { recursive: true });

  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await getFreePort());
      try {
        return await startOnPort(port, dataDir, ownsDataDir, options.pprofAddr);
      } catch (err) {
        const retry = options.port === undefined && attempt < PORT_ATTEMPTS && isAddressInUse(err);
        if (!retry) throw err;
      }
    }
  } catch (err) {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Puts `dbName` as the path of a MongoDB URI, keeping credentials, hosts and query string,
 * and replacing any database already there. Parsed by hand because WHATWG URL cannot hold
 * the comma-separated host lists MongoDB URIs allow.
 */
export function databaseUri(baseUri: string, dbName: string): string {
  const schemeEnd = baseUri.indexOf('://');
  if (schemeEnd < 0) throw new Error(`Not a MongoDB URI: ${baseUri}`);
  const afterScheme = schemeEnd + 3;
  const rest = baseUri.slice(afterScheme);
  // Credentials and hosts cannot contain a raw '/' or '?', so the first one ends the authority.
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  const queryStart = tail.indexOf('?');
  const query = queryStart < 0 ? '' : tail.slice(queryStart);
  return `${baseUri.slice(0, afterScheme)}${authority}/${encodeURIComponent(dbName)}${query}`;
}

async function startOnPort(
  port: number,
  dataDir: string,
  ownsDataDir: boolean,
  pprofAddr: string | undefined,
): Promise<FerretDbServer> {
  const args = [`--listen-addr=127.0.0.1:${port}`, `--sqlite-url=file:${dataDir}/`, '--log-level=error'];
  if (pprofAddr) args.push(`--pprof-addr=${pprofAddr}`);
  const child = spawn(ferretDbBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });
  child.once('error', (err) => {
    stderr += `spawn ${ferretDbBinaryPath()}: ${err.message}\n`;
  });
  const exited = waitForExit(child);
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const uri = `mongodb://127.0.0.1:${port}/`;

  // If the process dies before it answers, say why instead of timing out on pings.
  const ready = await Promise.race([
    waitForOwnServer(uri, child.pid, () => hasExited).then((ok) => (ok ? 'ready' : 'timeout')),
    exited.then(() => 'exited' as const),
  ]);
  if (ready !== 'ready') {
    if (ready === 'timeout') await killAndWait(child, exited);
    throw new FerretDbStartError(
      ready === 'exited'
        ? `FerretDB exited before accepting connections (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`
        : `FerretDB did not answer on ${uri} within ${READY_TIMEOUT_MS} ms`,
      stderr,
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    dataDir,
    stop: () => {
      stopping ??= killAndWait(child, exited).then(() => {
        if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
      });
      return stopping;
    },
  };
}

/**
 * Polls until the server on `uri` answers as process `pid`; false after READY_TIMEOUT_MS or
 * once `gaveUp()` is true. Checking the pid (serverStatus reports it) matters: when the port
 * is already taken by another MongoDB-speaking server, that one answers while ours is still
 * failing to bind, and a bare ping would report our dying process as ready.
 */
async function waitForOwnServer(uri: string, pid: number | undefined, gaveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !gaveUp()) {
    // A fresh client per attempt: a failed one may hold a stale monitor on the dead socket.
    const client = new MongoClient(uri, {
      directConnection: true,
      serverSelectionTimeoutMS: 500,
      connectTimeoutMS: 500,
    });
    try {
      const status = await client.db('admin').command({ serverStatus: 1 });
      if (Number(status['pid']) === pid) return true;
    } catch {
      // Not listening yet.
    } finally {
      await client.close().catch(() => undefined);
    }
    await delay(100);
  }
  return false;
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    // 'error' covers a spawn failure (e.g. binary not executable), where 'exit' never fires.
    child.once('exit', () => done());
    child.once('error', () => done());
  });
}

/** Builds the binary (needs Go the first time) when it is missing. */
function ensureBinary(): void {
  if (existsSync(ferretDbBinaryPath())) return;
  execFileSync('bash', [join(workspaceRoot(), 'tools', 'ferretdb', 'build.sh')], { stdio: 'inherit' });
}

class FerretDbStartError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(stderr.trim() ? `${message}\nFerretDB stderr:\n${stderr.trim()}` : message);
    this.name = 'FerretDbStartError';
  }
}

function isAddressInUse(err: unknown): boolean {
  return err instanceof FerretDbStartError && /address already in use/i.test(err.stderr);
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
