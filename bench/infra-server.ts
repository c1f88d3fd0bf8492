/**
 * The outside world of webhook-api, in its own process so that parsing e-mails and
 * playing Google never steals event-loop time from the load generator (autocannon's
 * latencies are measured on the bench process's loop): the Google sandbox with
 * auto-consent and the SMTP capture. Talks to the bench over IPC.
 */
import { GoogleSandbox } from '../libs/testing/src/google-sandbox';
import { startSmtpCapture } from '../libs/testing/src/lib/smtp-capture';
import type { InfraMessage, InfraRequest } from './infra-protocol';

async function main(): Promise<void> {
  let mails = 0;
  const smtp = await startSmtpCapture({
    onMessage: () => {
      mails += 1;
    },
  });
  const google = await GoogleSandbox.start({ autoConsent: true });
  // Only the count matters here; keep memory flat however long the load runs.
  const trim = setInterval(() => smtp.clear(), 1_000);

  const send = (message: InfraMessage): void => {
    process.send?.(message);
  };
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(trim);
    setTimeout(() => process.exit(0), 3_000).unref();
    void Promise.allSettled([smtp.close(), google.stop()]).then(() => process.exit(0));
  };

  process.on('message', (request: InfraRequest) => {
    if (request.type === 'stats') send({ type: 'stats', mails, sandboxRequests: google.requests.length });
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  send({
    type: 'ready',
    smtpUrl: smtp.url,
    google: { endpoints: google.endpoints, clientId: google.clientId, clientSecret: google.clientSecret },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`infra-server failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
