import { join } from 'node:path';
import { AppProcess } from '../libs/testing/src/lib/app-process';
import type { InfraMessage } from './infra-protocol';

type Ready = Extract<InfraMessage, { type: 'ready' }>;
type Stats = Extract<InfraMessage, { type: 'stats' }>;

const STOP_GRACE_MS = 5_000;

/** infra-server.ts (Google sandbox + SMTP capture) as a child process with an IPC channel. */
export class InfraProcess {
  private constructor(
    private readonly server: AppProcess,
    readonly ready: Ready,
  ) {}

  static async start(root: string, timeoutMs: number): Promise<InfraProcess> {
    let ready: Ready | undefined;
    const server = new AppProcess({
      name: 'infra-server (Google sandbox + SMTP)',
      script: join(root, 'bench/infra-server.ts'),
      nodeArgs: ['--import', 'tsx'],
      cwd: root,
      env: { NODE_ENV: 'production' },
      ready: {
        ipc: (message) => {
          if ((message as InfraMessage).type !== 'ready') return false;
          ready = message as Ready;
          return true;
        },
      },
      readyTimeoutMs: timeoutMs,
      stopGraceMs: STOP_GRACE_MS,
      outputLimit: 16_000,
    });
    await server.start();
    return new InfraProcess(server, ready as Ready);
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  /** Mails accepted by the SMTP capture and requests seen by the sandbox, so far. */
  stats(timeoutMs = 5_000): Promise<Stats> {
    return new Promise((resolve, reject) => {
      const unsubscribe = this.server.onMessage((message) => {
        if ((message as InfraMessage).type !== 'stats') return;
        clearTimeout(timer);
        unsubscribe();
        resolve(message as Stats);
      });
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`infra-server did not answer a stats request:\n${this.server.logs()}`));
      }, timeoutMs);
      if (!this.server.send({ type: 'stats' })) {
        clearTimeout(timer);
        unsubscribe();
        reject(new Error(`infra-server is not running:\n${this.server.logs()}`));
      }
    });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
