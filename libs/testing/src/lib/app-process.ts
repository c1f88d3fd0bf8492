import { ChildProcess, Serializable, spawn } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from './workspace-root';

/** The two services of this workspace, built to `dist/apps/<name>/main.js`. */
export type AppName = 'database-api' | 'webhook-api';

/** When a started process counts as ready. */
export type Readiness =
  /** `GET http://127.0.0.1:<port><path>` answers 200 (needs `port`). */
  | { http: string }
  /** A message on the IPC channel that the predicate accepts (the child gets an IPC channel). */
  | { ipc: (message: unknown) => boolean };

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when `stop()` (or `kill()`) asked for it; false for a crash or an outside kill. */
  requested: boolean;
}

export interface AppProcessOptions {
  /** Shown in messages. */
  name: string;
  /** The script `node` runs (absolute, or relative to `cwd`). */
  script: string;
  /** `node` flags, before the script (e.g. `--import tsx`, `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** Arguments after the script. */
  args?: readonly string[];
  /**
   * The child's whole environment besides PATH (taken from this process) and PORT (from
   * `port`). Nothing else of this process's environment reaches the child.
   */
  env: Readonly<Record<string, string>>;
  /** Sets PORT and `url`. */
  port?: number;
  /** Default: the workspace root. */
  cwd?: string;
  /** Default: `{ http: '/health' }` with a port, else ready as soon as it is spawned. */
  ready?: Readiness;
  /** How long `start()` waits for readiness. Default 15 s. */
  readyTimeoutMs?: number;
  /** How often the readiness URL is tried (also the resolution of the start time). Default 100 ms. */
  pollIntervalMs?: number;
  /** SIGTERM → SIGKILL grace of `stop()`. Default 10 s. */
  stopGraceMs?: number;
  /** Characters of output `logs()` keeps (the oldest lines go first). Default 4 MB. */
  outputLimit?: number;
  /** Every line the child writes, as it arrives (without its newline). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Each time the child exits, asked for or not. */
  onExit?: (exit: ProcessExit) => void;
  /** Own process group, so a Ctrl-C in the terminal reaches only the parent (which then stops it in order). */
  detached?: boolean;
}

export type BuiltAppOptions = Omit<AppProcessOptions, 'name' | 'script'> & {
  /** Where the bundles are. Default `<workspace>/dist/apps`. */
  appsDir?: string;
};

/** Why `start()` failed, with the end of the child's output kept apart from the summary. */
export class AppStartError extends Error {
  constructor(
    readonly summary: string,
    readonly outputTail: string,
  ) {
    super(`${summary}:\n${outputTail}`);
    this.name = 'AppStartError';
  }
}

const DEFAULT_READY_TIMEOUT_MS = 15_000;
const DEFAULT_POLL_INTERVAL_MS = 100;
const DEFAULT_STOP_GRACE_MS = 10_000;
const DEFAULT_OUTPUT_LIMIT = 4 * 1024 * 1024;
const HEALTH_REQUEST_TIMEOUT_MS = 2_000;
const TAIL_LINES = 40;
const EXIT_DRAIN_MS = 2_000;

/**
 * One Node.js server as a child process: start it and wait until it is ready, capture its
 * output, stop it (SIGTERM, SIGKILL after a grace), kill it, restart it. Used by the system
 * e2e tests, the bench and `npm start`, for the built apps and for helper servers alike.
 * A restarted process keeps the output of its earlier runs in `logs()`.
 */
export class AppProcess {
  private static readonly live = new Set<AppProcess>();

  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private alive = false;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;
  private output = '';

  constructor(readonly options: AppProcessOptions) {}

  /** A built app: `node <appsDir>/<app>/main.js`. */
  static builtApp(app: AppName, options: BuiltAppOptions): AppProcess {
    const { appsDir = join(workspaceRoot(), 'dist/apps'), ...rest } = options;
    return new AppProcess({ ...rest, name: app, script: join(appsDir, app, 'main.js') });
  }

  /** Stops every process started here and still running (SIGTERM, SIGKILL after `graceMs`). */
  static async stopAll(graceMs?: number): Promise<void> {
    await Promise.allSettled([...AppProcess.live].map((p) => p.stop('SIGTERM', graceMs)));
  }

  /** Last resort, synchronous (for an 'exit' handler): SIGKILL every process started here and still running. */
  static killAllNow(): void {
    for (const p of AppProcess.live) p.child?.kill('SIGKILL');
  }

  get name(): string {
    return this.options.name;
  }

  get port(): number | undefined {
    return this.options.port;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    if (this.options.port === undefined) throw new Error(`${this.name} has no port`);
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.alive;
  }

  /** How the last run ended: its exit code, or null while running or when killed by a signal. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** The signal that ended the last run, or null. */
  get signalCode(): NodeJS.Signals | null {
    return this.child?.signalCode ?? null;
  }

  /** The same process with the same options on another port (a replica). */
  withPort(port: number): AppProcess {
    return new AppProcess({ ...this.options, port });
  }

  /** Everything the process wrote to stdout and stderr, over all its runs (bounded by `outputLimit`). */
  logs(): string {
    return this.output;
  }

  /** Spawns the process and waits until it is ready; resolves with milliseconds from spawn to ready. */
  async start(): Promise<number> {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const { options } = this;
    const ready = options.ready ?? (options.port === undefined ? undefined : { http: '/health' });
    const ipc = ready !== undefined && 'ipc' in ready;
    this.stopRequested = false;
    this.stopping = undefined;
    const startedAt = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])], {
      cwd: options.cwd ?? workspaceRoot(),
      env: this.childEnv(),
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    this.child = child;
    this.alive = true;
    AppProcess.live.add(this);
    this.exited = this.watch(child);
    try {
      if (ready !== undefined) {
        if ('http' in ready) await this.waitForHttp(ready.http);
        else await this.waitForMessage(ready.ipc);
      }
    } catch (error) {
      await this.stop('SIGKILL');
      throw error;
    }
    return performance.now() - startedAt;
  }

  /**
   * Stops the process and waits until it has exited and its output is read. SIGTERM (the
   * apps finish what they hold and exit 0) turns into SIGKILL after `graceMs`; SIGKILL
   * loses the work in hand, as a crash would.
   */
  stop(
    signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM',
    graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
  ): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return this.exited;
    this.stopRequested = true;
    if (signal === 'SIGKILL') child.kill('SIGKILL');
    if (this.stopping) return this.stopping;
    if (signal === 'SIGTERM') child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    this.stopping = this.exited.finally(() => clearTimeout(timer));
    return this.stopping;
  }

  /** SIGKILL and wait for the exit. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  /** Stops (SIGTERM) and starts again; resolves with the new start's milliseconds to ready. */
  async restart(): Promise<number> {
    await this.stop();
    return this.start();
  }

  /** Sends a signal without waiting; false when not running. */
  signal(signal: NodeJS.Signals): boolean {
    return this.alive && (this.child?.kill(signal) ?? false);
  }

  /** Sends a message on the IPC channel (only with `ready: { ipc }`); false when not running. */
  send(message: Serializable): boolean {
    const child = this.child;
    if (!this.alive || !child?.connected) return false;
    return child.send(message);
  }

  /** Listens to the IPC channel of the current run; returns the unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void {
    const child = this.child;
    if (!child) throw new Error(`${this.name} is not started`);
    child.on('message', listener);
    return () => child.off('message', listener);
  }

  private childEnv(): NodeJS.ProcessEnv {
    const { env, port } = this.options;
    return { PATH: process.env['PATH'] ?? '', ...env, ...(port === undefined ? {} : { PORT: String(port) }) };
  }

  /** Captures output and resolves once the child has exited and its pipes are drained. */
  private watch(child: ChildProcess): Promise<void> {
    for (const [stream, source] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      let partial = '';
      source?.setEncoding('utf8');
      source?.on('data', (chunk: string) => {
        this.keep(chunk);
        if (!this.options.onLine) return;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.options.onLine(line, stream);
      });
      source?.on('end', () => {
        if (partial !== '') this.options.onLine?.(partial, stream);
        partial = '';
      });
    }
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        this.alive = false;
        AppProcess.live.delete(this);
        this.options.onExit?.({ code, signal, requested: this.stopRequested });
        resolve();
      };
      // 'close' comes after 'exit' once stdout and stderr are drained: logs() is complete then.
      // Should a grandchild hold the pipes open, 'exit' ends the wait a little later anyway.
      child.once('close', (code, signal) => finish(code, signal));
      child.once('exit', (code, signal) => setTimeout(() => finish(code, signal), EXIT_DRAIN_MS).unref());
      child.once('error', (error) => {
        this.keep(`${this.name}: ${error.message}\n`);
        // A failed spawn never emits 'exit'; a failed kill or send leaves the child running.
        if (child.pid === undefined) finish(null, null);
      });
    });
  }

  private keep(text: string): void {
    this.output += text;
    const limit = this.options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
    if (this.output.length <= limit) return;
    const cut = this.output.length - Math.floor(limit * 0.75);
    const lineStart = this.output.indexOf('\n', cut);
    this.output = this.output.slice(lineStart < 0 ? cut : lineStart + 1);
  }

  private startFailure(summary: string): AppStartError {
    const tail = this.output.trimEnd().split('\n').slice(-TAIL_LINES).join('\n') || '(no output)';
    return new AppStartError(summary, tail);
  }

  private exitedDuringStart(): AppStartError {
    return this.startFailure(
      `${this.name} exited during start (code ${String(this.child?.exitCode ?? null)}, signal ${String(this.child?.signalCode ?? null)})`,
    );
  }

  private async waitForHttp(path: string): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const interval = this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const url = `${this.url}${path}`;
    const deadline = performance.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (performance.now() < deadline) {
      if (!this.alive) throw this.exitedDuringStart();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS) });
        await response.arrayBuffer();
        if (response.status === 200) return;
        lastProblem = `answered ${response.status}`;
      } catch (error) {
        lastProblem = (error as Error).message; // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
    throw this.startFailure(`${this.name} did not answer 200 on ${url} within ${timeoutMs} ms (${lastProblem})`);
  }

  private waitForMessage(accept: (message: unknown) => boolean): Promise<void> {
    const child = this.child as ChildProcess;
    const timeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (message: unknown): void => {
        if (accept(message)) settle();
      };
      const timer = setTimeout(
        () => settle(this.startFailure(`${this.name} sent no ready message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.on('message', onMessage);
      void this.exited.then(() => settle(this.exitedDuringStart()));
    });
  }
}
