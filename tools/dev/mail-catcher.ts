import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CapturedMail, SmtpCapture, startSmtpCapture } from '../../libs/testing/src/lib/smtp-capture';

/** A local SMTP server that keeps each message as a .eml file and prints its link. */
export async function startMailCatcher(port: number, dir: string): Promise<SmtpCapture> {
  mkdirSync(dir, { recursive: true });
  return startSmtpCapture({
    port,
    onMessage: (mail: CapturedMail) => {
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safe(mail.to.join('_'))}.eml`);
      writeFileSync(file, mail.raw);
      const link = /https?:\/\/\S+/.exec(mail.text)?.[0];
      console.log(
        [
          '',
          '──── mail captured ────────────────────────────────────────────',
          `To:      ${mail.to.join(', ')}`,
          `Subject: ${mail.subject}`,
          link ? `Open this link to connect: ${link}` : '(no link)',
          `Saved:   ${file}`,
          '───────────────────────────────────────────────────────────────',
          '',
        ].join('\n'),
      );
    },
  });
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9@._-]/g, '_').slice(0, 80);
}
