export const SERVICE_AUTH_OPTIONS = Symbol('SERVICE_AUTH_OPTIONS');

export interface ServiceAuthOptions {
  /** Every token currently accepted; several during a rotation. */
  acceptedTokens: readonly string[];
}
