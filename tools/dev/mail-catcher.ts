import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CapturedMail, SmtpCapture, startSmtpCapture } from '@connector-service/testing';
import { WORKSPACE_ROOT } from './dev-defaults';

/**
 * A local SMTP server (no TLS, no auth) that keeps each message as `<dir>/<timestamp>-<to>.eml`
 * and prints who it is for, its subject and the first link of its text part.
 */
export async function startMailCatcher(port: number, dir: string): Promise<SmtpCapture> {
  mkdirSync(dir, { recursive: true });
  return startSmtpCapture({
    port,
    onMessage: (mail: CapturedMail) => {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `${stamp}-${safeFileName(mail.to.join('_') || 'unknown')}.eml`);
      writeFileSync(file, mail.raw);
      const link = firstLink(mail.text) ?? firstLink(mail.html);
      console.log(
        [
          '',
          '┌── mail captured ─────────────────────────────────────────────',
          `│ To:      ${mail.to.join(', ')}`,
          `│ Subject: ${mail.subject}`,
          link ? `│ Open this link to connect: ${link}` : '│ (no link in this message)',
          `│ Saved:   ${relative(WORKSPACE_ROOT, file)}`,
          '└──────────────────────────────────────────────────────────────',
          '',
        ].join('\n'),
      );
    },
  });
}

/** The first http(s) URL, without the punctuation that usually ends the sentence around it. */
export function firstLink(text: string): string | undefined {
  const match = /https?:\/\/[^\s<>"']+/.exec(text)?.[0];
  return match?.replace(/[.,;:!?)\]}]+$/, '');
}

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9@._-]/g, '_').slice(0, 80);
}
