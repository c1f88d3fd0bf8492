import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface CapturedMail {
  /** Envelope sender (MAIL FROM), or the From header's address when the envelope has none. */
  from: string;
  /** Envelope recipients (RCPT TO), so Bcc recipients show up too. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: Buffer;
  /** The SMTP session (connection) it came in on: equal ids mean a reused connection. */
  sessionId: string;
}

/** A real SMTP server on 127.0.0.1 that keeps every message it accepts. */
export interface SmtpCapture {
  readonly port: number;
  /** `smtp://127.0.0.1:PORT` */
  readonly url: string;
  /** Accepted messages, oldest first. The same array for the capture's life. */
  readonly messages: CapturedMail[];
  /** The first message (already received or still to come) matching the predicate. */
  waitForMessage(predicate?: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  clear(): void;
  /** Holds the answer to the next message for `ms` (a slow mail server, for in-flight tests). */
  delayNext(ms: number): void;
  /**
   * Holds each answer to the next message (MAIL FROM, RCPT TO, end of DATA) for `stepMs`: a
   * server slow at every step, whose whole exchange outlasts a client's per-step timeout.
   */
  slowNext(stepMs: number): void;
  close(): Promise<void>;
}

export interface StartSmtpCaptureOptions {
  /** Default: a free port picked by the OS. */
  port?: number;
  /**
   * Runs for each message before it is accepted. Throwing (or rejecting) makes the server
   * answer 451, a temporary failure, and the message is not recorded, so tests can
   * exercise the sender's error path.
   */
  onMessage?: (m: CapturedMail) => void | Promise<void>;
}

interface Waiter {
  predicate: (m: CapturedMail) => boolean;
  resolve: (m: CapturedMail) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const HOST = '127.0.0.1';

export async function startSmtpCapture(options: StartSmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const waiters = new Set<Waiter>();
  let nextDelayMs = 0;
  let nextStepMs = 0;
  const slowStep = (callback: () => void): void => {
    if (nextStepMs > 0) setTimeout(callback, nextStepMs);
    else callback();
  };

  const record = (mail: CapturedMail): void => {
    messages.push(mail);
    for (const waiter of waiters) {
      if (!waiter.predicate(mail)) continue;
      clearTimeout(waiter.timer);
      waiters.delete(waiter);
      waiter.resolve(mail);
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    secure: false,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    // Without this, close() waits up to 30 s for clients that keep connections open (pools).
    closeTimeout: 200,
    onMailFrom(_address, _session, callback) {
      slowStep(callback);
    },
    onRcptTo(_address, _session, callback) {
      slowStep(callback);
    },
    onData(stream, session, callback) {
      captureMail(stream, session)
        .then(async (mail) => {
          const delayMs = Math.max(nextDelayMs, nextStepMs);
          nextDelayMs = 0;
          nextStepMs = 0;
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          await options.onMessage?.(mail);
          record(mail);
          callback();
        })
        .catch((err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          callback(Object.assign(error, { responseCode: 451 }));
        });
    },
  });
  // A client dropping its connection must not crash the test process.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://${HOST}:${port}`,
    messages,
    delayNext: (ms) => {
      nextDelayMs = ms;
    },
    slowNext: (stepMs) => {
      nextStepMs = stepMs;
    },
    waitForMessage: (predicate = () => true, timeoutMs = 5000) => {
      const existing = messages.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise<CapturedMail>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`No matching mail within ${timeoutMs} ms (${messages.length} message(s) received)`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    clear: () => {
      messages.length = 0;
    },
    close: async () => {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('SmtpCapture closed while waiting for a message'));
      }
      waiters.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function captureMail(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<CapturedMail> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const parsed = await simpleParser(raw);
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  return {
    from: envelopeFrom || (parsed.from?.value[0]?.address ?? ''),
    to: session.envelope.rcptTo.map((r) => r.address),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    raw,
    sessionId: session.id,
  };
}
