import { createTransport, Transporter } from 'nodemailer';
import { CapturedMail, SmtpCapture, startSmtpCapture } from './smtp-capture';

describe('startSmtpCapture', () => {
  let smtp: SmtpCapture;
  let transport: Transporter;
  const seen: CapturedMail[] = [];

  beforeAll(async () => {
    smtp = await startSmtpCapture({ onMessage: (m) => void seen.push(m) });
    transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  });

  afterAll(async () => {
    transport.close();
    await smtp.close();
  });

  beforeEach(() => smtp.clear());

  it('listens on loopback and says so in its url', () => {
    expect(smtp.port).toBeGreaterThan(0);
    expect(smtp.url).toBe(`smtp://127.0.0.1:${smtp.port}`);
  });

  it('captures envelope, subject, text, html and raw source', async () => {
    await transport.sendMail({
      from: 'Connector Service <noreply@connector.test>',
      to: 'alice@example.test',
      cc: 'carol@example.test',
      bcc: 'bob@example.test',
      subject: 'Calendar connected ✓',
      text: 'Your calendar is connected.',
      html: '<p>Your calendar is <b>connected</b>.</p>',
    });

    const mail = await smtp.waitForMessage((m) => m.subject.startsWith('Calendar'));
    expect(mail.from).toBe('noreply@connector.test');
    expect(mail.to.sort()).toEqual(['alice@example.test', 'bob@example.test', 'carol@example.test']);
    expect(mail.subject).toBe('Calendar connected ✓');
    expect(mail.text.trim()).toBe('Your calendar is connected.');
    expect(mail.html).toBe('<p>Your calendar is <b>connected</b>.</p>');
    expect(Buffer.isBuffer(mail.raw)).toBe(true);
    expect(mail.raw.toString('utf8')).toMatch(/^Subject: /m);
    expect(smtp.messages).toEqual([mail]);
    expect(seen).toContain(mail);
  });

  it('slowNext holds each step of the next message only: the whole exchange outlasts a per-step timeout', async () => {
    const strict = createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true, socketTimeout: 400 });
    try {
      smtp.slowNext(250);
      const started = Date.now();
      await strict.sendMail({ from: 'a@example.test', to: 'slow@example.test', subject: 'slow', text: '1' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 250 - 20);
      const next = Date.now();
      await strict.sendMail({ from: 'a@example.test', to: 'quick@example.test', subject: 'quick', text: '2' });
      expect(Date.now() - next).toBeLessThan(250);
      expect(smtp.messages.map((m) => m.subject)).toEqual(['slow', 'quick']);
    } finally {
      strict.close();
    }
  });

  it('waitForMessage resolves for a message sent after it started waiting', async () => {
    const waiting = smtp.waitForMessage((m) => m.to.includes('late@example.test'), 5000);
    await transport.sendMail({ from: 'a@example.test', to: 'early@example.test', subject: 'early', text: '1' });
    await transport.sendMail({ from: 'a@example.test', to: 'late@example.test', subject: 'late', text: '2' });
    const mail = await waiting;
    expect(mail.subject).toBe('late');
    expect(smtp.messages.map((m) => m.subject)).toEqual(['early', 'late']);
  });

  it('waitForMessage rejects after the timeout when nothing matches', async () => {
    await transport.sendMail({ from: 'a@example.test', to: 'x@example.test', subject: 'other', text: '.' });
    const started = Date.now();
    await expect(smtp.waitForMessage((m) => m.subject === 'never', 200)).rejects.toThrow(
      /No matching mail within 200 ms \(1 message\(s\) received\)/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('clear() forgets earlier messages', async () => {
    await transport.sendMail({ from: 'a@example.test', to: 'x@example.test', subject: 'old', text: '.' });
    expect(smtp.messages).toHaveLength(1);
    smtp.clear();
    expect(smtp.messages).toHaveLength(0);
    await expect(smtp.waitForMessage(undefined, 100)).rejects.toThrow(/No matching mail/);
  });
});

describe('startSmtpCapture onMessage failure', () => {
  it('answers 451 and does not record the message when onMessage throws', async () => {
    const smtp = await startSmtpCapture({
      onMessage: () => {
        throw new Error('mailbox unavailable');
      },
    });
    const transport = createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true });
    try {
      await expect(
        transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 's', text: 't' }),
      ).rejects.toMatchObject({ responseCode: 451 });
      expect(smtp.messages).toHaveLength(0);
    } finally {
      transport.close();
      await smtp.close();
    }
  });

  it('close() rejects pending waiters', async () => {
    const smtp = await startSmtpCapture();
    const waiting = smtp.waitForMessage(undefined, 10_000);
    await smtp.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});
