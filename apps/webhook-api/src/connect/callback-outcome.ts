/** Why a callback did not connect; shown on the failure page and sent to the failure redirect. */
export type CallbackFailureReason =
  | 'missing_state'
  | 'invalid_state'
  | 'state_expired'
  | 'access_denied'
  | 'google_error'
  | 'missing_code'
  | 'token_exchange_failed'
  | 'scope_not_granted'
  | 'no_refresh_token'
  | 'google_unavailable';

export type CallbackOutcome =
  | { connected: true; calendarId: string; subaccountId: string; googleEmail: string }
  | { connected: false; reason: CallbackFailureReason };

export const FAILURE_MESSAGES: Record<CallbackFailureReason, string> = {
  missing_state: 'The link is incomplete. Please ask for a new one.',
  // Also what a reload of the success page shows (the contract: a used state gets an error page).
  invalid_state:
    'This link was already used or is not valid. If you have just connected your calendar, it stays connected; otherwise please ask for a new link.',
  state_expired: 'This link has expired. Please ask for a new one.',
  access_denied: 'Access was not granted, so Google Calendar is not connected.',
  google_error: 'Google reported an error. Please try again with a new link.',
  missing_code: 'Google did not send an authorization code. Please try again with a new link.',
  token_exchange_failed: 'Google did not accept the authorization. Please try again with a new link.',
  scope_not_granted: 'Calendar access was not granted. Please try again and allow access to your calendar.',
  no_refresh_token: 'Google did not grant offline access. Please try again with a new link.',
  google_unavailable: 'Google could not be reached. Please try again in a few minutes with a new link.',
};
