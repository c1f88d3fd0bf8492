import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, AppStartError, ProcessExit } from './app-process';
import { getFreePort } from './free-port';

// A stand-in for an app: /health answers 200 (503 while HEALTH_DELAY_MS runs), /env shows its
// environment, SIGTERM prints a line and exits 0, FAIL_AT_START exits 3 before listening.
const SERVER = `
const http = require('node:http');
if (process.env.FAIL_AT_START) { console.error('bad configuration: FAIL_AT_START'); process.exit(3); }
const readyAt = Date.now() + Number(process.env.HEALTH_DELAY_MS ?? 0);
const server = http.createServer((req, res) => {
  if (req.url === '/env') return res.end(JSON.stringify(process.env));
  res.statusCode = Date.now() >= readyAt ? 200 : 503;
  res.end('{}');
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port: process.env.PORT })));
process.on('SIGTERM', () => { console.log('Shut down cleanly'); server.close(() => process.exit(0)); });
if (process.env.IGNORE_SIGTERM) process.removeAllListeners('SIGTERM'), process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
`;

describe('AppProcess', () => {
  let dir: string;
  let script: string;
  const started: AppProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-process-'));
    script = join(dir, 'server.js');
    writeFileSync(script, SERVER);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function app(
    env: Record<string, string> = {},
    extra: Partial<ConstructorParameters<typeof AppProcess>[0]> = {},
  ) {
    const p = new AppProcess({
      name: 'fake-app',
      script,
      port: await getFreePort(),
      env,
      pollIntervalMs: 20,
      ...extra,
    });
    started.push(p);
    return p;
  }

  it('waits for a 200 from /health, then is running with a pid', async () => {
    const p = await app({ HEALTH_DELAY_MS: '300' });
    const ms = await p.start();
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(p.running).toBe(true);
    expect(p.pid).toEqual(expect.any(Number));
    expect((await fetch(`${p.url}/health`)).status).toBe(200);
  });

  it('gives the child PATH, PORT and its own environment, nothing else of the parent', async () => {
    // The parent's own variables (HOME, JEST_WORKER_ID under Jest) must not reach the child.
    const parentOnly = ['HOME', 'JEST_WORKER_ID'].filter((name) => process.env[name] !== undefined);
    expect(parentOnly.length).toBeGreaterThan(0);
    const p = await app({ ONLY_THIS: 'yes' });
    await p.start();
    const env = (await (await fetch(`${p.url}/env`)).json()) as Record<string, string>;
    expect(env['ONLY_THIS']).toBe('yes');
    expect(env['PORT']).toBe(String(p.port));
    expect(env['PATH']).toBe(process.env['PATH']);
    for (const name of parentOnly) expect(env[name]).toBeUndefined();
  });

  it('stops with SIGTERM: the exit code is 0 and the last output is in logs()', async () => {
    const exits: ProcessExit[] = [];
    const p = await app({}, { onExit: (exit) => exits.push(exit) });
    await p.start();
    await p.stop();
    expect(p.running).toBe(false);
    expect(p.exitCode).toBe(0);
    expect(p.logs()).toContain('Shut down cleanly');
    expect(exits).toEqual([{ code: 0, signal: null, requested: true }]);
  });

  it('turns SIGTERM into SIGKILL after the grace', async () => {
    const p = await app({ IGNORE_SIGTERM: '1' });
    await p.start();
    const before = Date.now();
    await p.stop('SIGTERM', 300);
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    expect(p.signalCode).toBe('SIGKILL');
    expect(p.logs()).toContain('ignoring SIGTERM');
  });

  it('kills, restarts on the same port, and keeps the output of every run', async () => {
    const p = await app();
    await p.start();
    const firstPid = p.pid;
    await p.kill();
    expect(p.signalCode).toBe('SIGKILL');
    expect(p.exitCode).toBeNull();
    await p.start();
    expect(p.pid).not.toBe(firstPid);
    await p.restart();
    expect(p.running).toBe(true);
    expect(p.logs().match(/"msg":"listening"/g)).toHaveLength(3);
  });

  it('says why when the process exits during start, with its output', async () => {
    const exits: ProcessExit[] = [];
    const p = await app({ FAIL_AT_START: '1' }, { onExit: (exit) => exits.push(exit) });
    const failure = await p.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppStartError);
    expect((failure as AppStartError).summary).toBe('fake-app exited during start (code 3, signal null)');
    expect((failure as AppStartError).outputTail).toContain('bad configuration: FAIL_AT_START');
    expect(exits).toEqual([{ code: 3, signal: null, requested: false }]);
  });

  it('gives up after the ready timeout and leaves nothing running', async () => {
    const p = await app({ HEALTH_DELAY_MS: '60000' }, { readyTimeoutMs: 300 });
    const failure = (await p.start().catch((error: unknown) => error)) as AppStartError;
    expect(failure.summary).toMatch(
      /^fake-app did not answer 200 on http:\/\/127\.0\.0\.1:\d+\/health within 300 ms \(answered 503\)$/,
    );
    expect(p.running).toBe(false);
  });

  it('hands every output line to onLine, and refuses a second start', async () => {
    const lines: string[] = [];
    const p = await app({}, { onLine: (line, stream) => lines.push(`${stream}: ${line}`) });
    await p.start();
    await expect(p.start()).rejects.toThrow('fake-app is already running');
    await p.stop();
    expect(lines).toEqual([`stdout: {"msg":"listening","port":"${p.port}"}`, 'stdout: Shut down cleanly']);
  });

  it('runs a replica with the same options on another port', async () => {
    const p = await app({ ONLY_THIS: 'replica' });
    const replica = p.withPort(await getFreePort());
    started.push(replica);
    await Promise.all([p.start(), replica.start()]);
    expect(replica.url).not.toBe(p.url);
    const env = (await (await fetch(`${replica.url}/env`)).json()) as Record<string, string>;
    expect(env['ONLY_THIS']).toBe('replica');
  });

  it('is ready on an IPC message when asked to be', async () => {
    const ipcScript = join(dir, 'ipc.js');
    writeFileSync(
      ipcScript,
      `setTimeout(() => process.send({ type: 'ready', value: 42 }), 100);
       process.on('message', (m) => m.type === 'ping' && process.send({ type: 'pong' }));
       process.on('disconnect', () => process.exit(0));`,
    );
    let readyValue: unknown;
    const p = new AppProcess({
      name: 'ipc-child',
      script: ipcScript,
      env: {},
      ready: {
        ipc: (message) => {
          const m = message as { type: string; value?: number };
          if (m.type === 'ready') readyValue = m.value;
          return m.type === 'ready';
        },
      },
    });
    started.push(p);
    await p.start();
    expect(readyValue).toBe(42);
    const pong = new Promise((resolve) => {
      const off = p.onMessage((m) => {
        off();
        resolve(m);
      });
    });
    expect(p.send({ type: 'ping' })).toBe(true);
    await expect(pong).resolves.toEqual({ type: 'pong' });
  });

  it('stops every process it started with stopAll', async () => {
    const a = await app();
    const b = await app();
    await Promise.all([a.start(), b.start()]);
    await AppProcess.stopAll();
    expect([a.running, b.running]).toEqual([false, false]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
  });
});
