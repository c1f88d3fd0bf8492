/**
 * What one authorization e-mail costs against the bench's SMTP capture, by transport
 * setting, with 20 senders at once (handlegooglecalendar's load): nodemailer as webhook-api
 * configures it (`{ url, pool: true }`, where nodemailer ignores everything but the URL),
 * and with the URL parsed so that `pool` applies.
 *
 *   npx tsx bench/diagnostics/smtp-send.ts
 */
import { createTransport } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { startSmtpCapture } from '../../libs/testing/src/lib/smtp-capture';
import { percentile } from '../stats';

const SENDERS = 20;
const DURATION_MS = 4000;

async function main(): Promise<void> {
  const smtp = await startSmtpCapture();
  const trim = setInterval(() => smtp.clear(), 500);
  // Plain objects: nodemailer's typings do not take `url` next to the other options, though it accepts them.
  const variants: [string, object][] = [
    ['{ url, pool: true } as configured (no pool in effect)', { url: smtp.url, pool: true, maxConnections: 5 }],
    ['URL parsed, no pool', { ...parseConnectionUrl(smtp.url) }],
    ['URL parsed, pool of 5', { ...parseConnectionUrl(smtp.url), pool: true, maxConnections: 5 }],
    ['URL parsed, pool of 20', { ...parseConnectionUrl(smtp.url), pool: true, maxConnections: 20 }],
  ];
  try {
    for (const [name, options] of variants) {
      const transport = createTransport(options as SMTPTransport.Options);
      const times: number[] = [];
      const deadline = performance.now() + DURATION_MS;
      await Promise.all(
        Array.from({ length: SENDERS }, async (_, i) => {
          while (performance.now() < deadline) {
            const started = performance.now();
            await transport.sendMail({
              from: 'Calendar Connector <noreply@example.test>',
              to: `owner-${i}@example.com`,
              subject: 'Connect your Google Calendar',
              text: `Open this link: https://accounts.example.test/auth?state=${'x'.repeat(300)}`,
              html: `<p><a href="https://accounts.example.test/auth?state=${'x'.repeat(300)}">Connect</a></p>`,
            });
            times.push(performance.now() - started);
          }
        }),
      );
      transport.close();
      console.log(
        `${name.padEnd(52)} ${String(Math.round(times.length / (DURATION_MS / 1000))).padStart(5)} mails/s, ` +
          `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`,
      );
    }
  } finally {
    clearInterval(trim);
    await smtp.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
