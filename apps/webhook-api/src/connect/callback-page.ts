import { escapeHtml } from '../mail/authorization-link.mail';

/** The small page the browser sees after Google's redirect when no redirect URL is configured. */
export function callbackPage(kind: 'success' | 'failure', message: string, reason?: string): string {
  const title = kind === 'success' ? 'Google Calendar connected' : 'Google Calendar not connected';
  const color = kind === 'success' ? '#188038' : '#c5221f';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5">
<h1 id="result" data-result="${kind}" style="color:${color}">${title}</h1>
<p>${escapeHtml(message)}</p>
${reason ? `<p style="color:#666">Reason code: <code id="reason">${escapeHtml(reason)}</code></p>` : ''}
<p>You can close this window.</p>
</body></html>`;
}
