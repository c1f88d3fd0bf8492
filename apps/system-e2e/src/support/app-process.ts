import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

/** One built app (`dist/apps/<name>/main.js`) running as a real process on loopback. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];

  constructor(
    readonly name: 'database-api' | 'webhook-api',
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** The same app with the same configuration on another port (a replica). */
  sibling(port: number): AppProcess {
    return new AppProcess(this.name, port, this.env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the app and waits until `/health` answers 200. */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, [join(root, 'dist/apps', this.name, 'main.js')], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.waitUntilHealthy(15000);
  }

  /** SIGKILL: no shutdown hooks, in-flight work lost; or SIGTERM for a graceful stop. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }

  /** How the last run ended: its exit code, or null while running or when killed by a signal. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  logs(): string {
    return this.output.join('');
  }

  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start:\n${this.logs()}`);
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.name} did not become healthy within ${timeoutMs} ms:\n${this.logs()}`);
  }
}
