import { join } from 'node:path';
import { AppProcess } from '@connector-service/testing';
import type { AddEvent, InfraMessage, InfraRequest, SeedCalendars } from './infra-protocol';

type Ready = Extract<InfraMessage, { type: 'ready' }>;
type Stats = Extract<InfraMessage, { type: 'stats' }>;
type Seeded = Extract<InfraMessage, { type: 'calendarsSeeded' }>;

const STOP_GRACE_MS = 5_000;

/** infra-server.ts (Google sandbox + SMTP capture) as a child process with an IPC channel. */
export class InfraProcess {
  private lastRequestId = 0;

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
    return this.ask({ type: 'stats' }, (message) => (message.type === 'stats' ? message : undefined), timeoutMs);
  }

  /** Adds calendars and busy events to an account at the sandbox (`addCalendar`, `addCalendarEvent`). */
  seedCalendars(seed: SeedCalendars, timeoutMs = 10_000): Promise<Seeded> {
    const requestId = ++this.lastRequestId;
    return this.ask(
      { type: 'seedCalendars', requestId, ...seed },
      (message) => {
        if (message.type === 'failed' && message.requestId === requestId) {
          throw new Error(`infra-server could not seed ${seed.email}: ${message.message}`);
        }
        return message.type === 'calendarsSeeded' && message.requestId === requestId ? message : undefined;
      },
      timeoutMs,
    );
  }

  /** Adds an event to the account's primary calendar at the sandbox, which pushes to its channels. */
  addEvent(change: AddEvent, timeoutMs = 10_000): Promise<string> {
    const requestId = ++this.lastRequestId;
    return this.ask(
      { type: 'addEvent', requestId, ...change },
      (message) => {
        if (message.type === 'failed' && message.requestId === requestId) {
          throw new Error(`infra-server could not add an event for ${change.email}: ${message.message}`);
        }
        return message.type === 'eventAdded' && message.requestId === requestId ? message.eventId : undefined;
      },
      timeoutMs,
    );
  }

  /** Sends `request` and resolves with the first message `answer` maps to a value (or rejects with what it throws). */
  private ask<T>(
    request: InfraRequest,
    answer: (message: InfraMessage) => T | undefined,
    timeoutMs: number,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        unsubscribe();
        outcome();
      };
      const unsubscribe = this.server.onMessage((message) => {
        let value: T | undefined;
        try {
          value = answer(message as InfraMessage);
        } catch (error) {
          settle(() => reject(error instanceof Error ? error : new Error(String(error))));
          return;
        }
        if (value !== undefined) settle(() => resolve(value));
      });
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(new Error(`infra-server did not answer a ${request.type} request:\n${this.server.logs()}`)),
          ),
        timeoutMs,
      );
      if (!this.server.send(request)) {
        settle(() => reject(new Error(`infra-server is not running:\n${this.server.logs()}`)));
      }
    });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
