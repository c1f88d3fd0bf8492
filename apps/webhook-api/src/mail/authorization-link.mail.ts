const TEXT = {
  connect: {
    subject: 'Connect your Google Calendar',
    lead: 'You were asked to connect your Google Calendar.',
  },
  reconnect: {
    subject: 'Reconnect your Google Calendar',
    lead: 'Your Google Calendar connection stopped working (access was revoked or expired). Please connect it again.',
  },
} as const;

export type AuthorizationLinkReason = keyof typeof TEXT;

/** The authorization e-mail: a plain-text and an HTML part, both carrying the link. */
export function authorizationLinkMail(
  authUrl: string,
  reason: AuthorizationLinkReason,
  linkTtlSeconds: number,
): { subject: string; text: string; html: string } {
  const { subject, lead } = TEXT[reason];
  const validity = `The link works once and expires in ${describeDuration(linkTtlSeconds)}.`;
  const text = [
    lead,
    '',
    'Open this link to sign in with Google and allow access:',
    authUrl,
    '',
    `${validity} If you did not expect this e-mail, ignore it.`,
  ].join('\n');
  const href = escapeHtml(authUrl);
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(lead)}</p>
<p><a href="${href}" style="display:inline-block;padding:10px 16px;background:#1a73e8;color:#fff;text-decoration:none;border-radius:4px">Connect Google Calendar</a></p>
<p>Or open this link: <a href="${href}">${href}</a></p>
<p style="color:#666">${validity} If you did not expect this e-mail, ignore it.</p>
</body></html>`;
  return { subject, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 900 → "15 minutes", 3600 → "1 hour", 5400 → "90 minutes", 90 → "2 minutes" (rounded up). */
export function describeDuration(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
