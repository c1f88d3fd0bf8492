import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { InfraMessage } from './infra-protocol';

type Ready = Extract<InfraMessage, { type: 'ready' }>;
type Stats = Extract<InfraMessage, { type: 'stats' }>;

/** infra-server.ts (Google sandbox + SMTP capture) as a child process with an IPC channel. */
export class InfraProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Ready,
    private readonly output: () => string,
  ) {}

  static async start(root: string, timeoutMs: number): Promise<InfraProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/infra-server.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-16_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`infra-server (Google sandbox + SMTP) not ready within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      child.on('message', (message: InfraMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`infra-server exited during start (code ${String(code)}, signal ${String(signal)}):\n${output}`),
        );
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return new InfraProcess(child, ready, () => output);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Mails accepted by the SMTP capture and requests seen by the sandbox, so far. */
  stats(timeoutMs = 5_000): Promise<Stats> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: InfraMessage): void => {
        if (message.type !== 'stats') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error(`infra-server did not answer a stats request:\n${this.output()}`));
      }, timeoutMs);
      this.child.on('message', onMessage);
      this.child.send({ type: 'stats' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
