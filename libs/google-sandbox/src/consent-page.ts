import { escapeHtml } from './http-io';
import { describeScope, isBasicScope } from './scopes';

export const CONSENT_PAGE_TITLE = 'Sign in - Google Accounts (sandbox)';
export const DECISION_PATH = '/o/oauth2/v2/auth/decision';

export interface ConsentPageModel {
  clientId: string;
  redirectUri: string;
  /** The original authorization request parameters, carried in hidden fields. */
  params: Record<string, string>;
  accounts: { email: string; name?: string }[];
  selectedEmail: string;
  scopes: string[];
  /** Already granted earlier (include_granted_scopes): shown, not asked again. */
  alreadyGranted: string[];
}

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font-family: Roboto, Arial, sans-serif; background: #f0f4f9; color: #1f1f1f; }
  .banner { background: #fef7e0; color: #5f4b00; text-align: center; padding: 6px; font-size: 13px; }
  main { max-width: 560px; margin: 40px auto; background: #fff; border-radius: 28px; padding: 36px 40px; }
  .logo { font-size: 24px; font-weight: 500; letter-spacing: -0.5px; }
  .logo .b { color: #4285f4; } .logo .r { color: #ea4335; } .logo .y { color: #fbbc05; } .logo .g { color: #34a853; }
  h1 { font-size: 28px; font-weight: 400; margin: 24px 0 8px; }
  .app { color: #0b57d0; font-weight: 500; word-break: break-all; }
  fieldset { border: 0; margin: 16px 0; padding: 0; }
  legend { font-weight: 500; margin-bottom: 8px; }
  label.account { display: flex; gap: 12px; align-items: center; padding: 10px 12px; border: 1px solid #c4c7c5; border-radius: 12px; margin-bottom: 8px; cursor: pointer; }
  .avatar { width: 28px; height: 28px; border-radius: 50%; background: #0b57d0; color: #fff; display: inline-flex; align-items: center; justify-content: center; font-size: 14px; }
  .other { display: flex; gap: 8px; align-items: center; }
  .other input[type=email] { flex: 1; padding: 8px 10px; border: 1px solid #c4c7c5; border-radius: 8px; font-size: 14px; }
  ul.scopes { list-style: none; padding: 0; margin: 0; }
  ul.scopes li { padding: 10px 0; border-bottom: 1px solid #e3e3e3; display: flex; gap: 12px; align-items: flex-start; }
  .scope-name { display: block; color: #5f6368; font-size: 12px; word-break: break-all; }
  .fine { color: #444746; font-size: 13px; line-height: 1.5; }
  .buttons { display: flex; justify-content: flex-end; gap: 12px; margin-top: 24px; }
  button { border-radius: 20px; padding: 10px 24px; font-size: 14px; font-weight: 500; cursor: pointer; }
  #deny { background: #fff; color: #0b57d0; border: 1px solid #747775; }
  #allow { background: #0b57d0; color: #fff; border: 1px solid #0b57d0; }
`;

function logo(): string {
  return '<div class="logo"><span class="b">G</span><span class="r">o</span><span class="y">o</span><span class="b">g</span><span class="g">l</span><span class="r">e</span> <small>sandbox</small></div>';
}

function page(body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(CONSENT_PAGE_TITLE)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="banner">Google sandbox: a local stand-in for accounts.google.com. No real account is involved.</div>
<main>
${logo()}
${body}
</main>
</body>
</html>
`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function renderConsentPage(model: ConsentPageModel): string {
  const hiddenFields = Object.entries(model.params)
    .filter(([name]) => !['account', 'account_other', 'granted_scope', 'granular', 'decision'].includes(name))
    .map(([name, value]) => hidden(name, value))
    .join('\n');
  const accounts = model.accounts
    .map((account, i) => {
      const checked = account.email.toLowerCase() === model.selectedEmail.toLowerCase() ? ' checked' : '';
      const initial = escapeHtml((account.name ?? account.email).charAt(0).toUpperCase());
      const name = account.name ? `${escapeHtml(account.name)}<br>` : '';
      return `<label class="account" for="account-${i}"><input type="radio" id="account-${i}" name="account" value="${escapeHtml(account.email)}"${checked}><span class="avatar">${initial}</span><span>${name}${escapeHtml(account.email)}</span></label>`;
    })
    .join('\n');
  const scopes = model.scopes
    .map((scope, i) => {
      const words = escapeHtml(describeScope(scope));
      const name = `<span class="scope-name">${escapeHtml(scope)}</span>`;
      if (isBasicScope(scope) || model.alreadyGranted.includes(scope)) {
        const note = isBasicScope(scope) ? '' : ' <em>(already granted)</em>';
        return `<li><span>✓</span><span>${words}${note}${name}</span></li>`;
      }
      return `<li><input type="checkbox" id="scope-${i}" name="granted_scope" value="${escapeHtml(scope)}" checked><label for="scope-${i}">${words}${name}</label></li>`;
    })
    .join('\n');
  return page(`
<h1>Sign in with Google</h1>
<p><span class="app">${escapeHtml(model.clientId)}</span> wants to access your Google Account</p>
<form method="POST" action="${DECISION_PATH}" id="consent">
${hiddenFields}
${hidden('granular', '1')}
<fieldset>
<legend>Choose an account</legend>
${accounts}
<div class="other"><label for="account_other">Use another account</label><input type="email" id="account_other" name="account_other" placeholder="someone@example.com" autocomplete="off"></div>
</fieldset>
<fieldset>
<legend>Select what the app can access</legend>
<ul class="scopes">
${scopes}
</ul>
</fieldset>
<p class="fine">Make sure you trust this app. You will be sent back to <span class="app">${escapeHtml(model.redirectUri)}</span>.</p>
<div class="buttons">
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
</div>
</form>
`);
}

/** Google's "Access blocked" page for a broken authorization request (e.g. Error 401: invalid_client). */
export function renderErrorPage(code: string, error: string, details: string): string {
  return page(`
<h1>Access blocked: Authorization Error</h1>
<p class="fine">${escapeHtml(details)}</p>
<p><b>Error ${escapeHtml(code)}: ${escapeHtml(error)}</b></p>
`);
}
