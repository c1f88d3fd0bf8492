/**
 * What the SPA hands an element as its `token`: the user's JWT, or a function answering the
 * current one (so a token the SPA refreshed is the one sent). Only ever a JS property: a JWT
 * in an attribute would sit in the DOM for any script or extension to read.
 */
export type TokenInput = string | (() => string | Promise<string>);

/** The typed client's `token` option for a TokenInput, asked anew on every request. */
export function tokenProvider(token: TokenInput): () => Promise<string> {
  return typeof token === 'function' ? async () => token() : async () => token;
}

/** Whether a token was given at all (an empty string counts as none). */
export function hasToken(token: TokenInput | undefined): token is TokenInput {
  return typeof token === 'function' || (typeof token === 'string' && token.length > 0);
}
