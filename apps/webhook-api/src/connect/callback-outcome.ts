/** Why a callback did not connect; shown on the failure page and sent to the failure redirect. */
export enum CallbackFailureReason {
  MissingState = 'missing_state',
  InvalidState = 'invalid_state',
  StateExpired = 'state_expired',
  AccessDenied = 'access_denied',
  GoogleError = 'google_error',
  MissingCode = 'missing_code',
  TokenExchangeFailed = 'token_exchange_failed',
  ScopeNotGranted = 'scope_not_granted',
  NoRefreshToken = 'no_refresh_token',
  GoogleUnavailable = 'google_unavailable',
  /** Anything unexpected on our side (database down, a token that does not decrypt). */
  InternalError = 'internal_error',
}

export type CallbackOutcome =
  | { connected: true; calendarId: string; subaccountId: string; googleEmail: string }
  | { connected: false; reason: CallbackFailureReason };

export const FAILURE_MESSAGES: Record<CallbackFailureReason, string> = {
  [CallbackFailureReason.MissingState]: 'The link is incomplete. Please ask for a new one.',
  // Also what a reload of the success page shows (the contract: a used state gets an error page).
  [CallbackFailureReason.InvalidState]:
    'This link was already used or is not valid. If you have just connected your calendar, it stays connected; otherwise please ask for a new link.',
  [CallbackFailureReason.StateExpired]: 'This link has expired. Please ask for a new one.',
  [CallbackFailureReason.AccessDenied]: 'Access was not granted, so Google Calendar is not connected.',
  [CallbackFailureReason.GoogleError]: 'Google reported an error. Please try again with a new link.',
  [CallbackFailureReason.MissingCode]: 'Google did not send an authorization code. Please try again with a new link.',
  [CallbackFailureReason.TokenExchangeFailed]:
    'Google did not accept the authorization. Please try again with a new link.',
  [CallbackFailureReason.ScopeNotGranted]:
    'Calendar access was not granted. Please try again and allow access to your calendar.',
  [CallbackFailureReason.NoRefreshToken]: 'Google did not grant offline access. Please try again with a new link.',
  [CallbackFailureReason.GoogleUnavailable]:
    'Google could not be reached. Please try again in a few minutes with a new link.',
  [CallbackFailureReason.InternalError]:
    'Something went wrong on our side, so Google Calendar may not be connected. Please try again in a few minutes with a new link.',
};

/** The HTTP status of the failure page: 502 when Google failed, 503 when we could not finish, else 400. */
export function failureStatus(reason: CallbackFailureReason): number {
  if (reason === CallbackFailureReason.GoogleUnavailable) return 502;
  if (reason === CallbackFailureReason.InternalError) return 503;
  return 400;
}
