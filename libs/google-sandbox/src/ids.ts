import { createHash, randomBytes } from 'node:crypto';

/** `ya29.a0…`: the shape of a Google OAuth access token. */
export function newAccessToken(): string {
  return `ya29.a0${randomBytes(120).toString('base64url')}`;
}

/** `1//0…`: the shape of a Google refresh token. */
export function newRefreshToken(): string {
  return `1//0${randomBytes(72).toString('base64url')}`;
}

/** `4/0A…`: Google's authorization codes contain a slash, so they must be URL-decoded. */
export function newAuthorizationCode(): string {
  return `4/0A${randomBytes(54).toString('base64url')}`;
}

/** A 21-digit Google account id, stable for an e-mail address. */
export function accountIdFor(email: string): string {
  const digest = createHash('sha256').update(email.toLowerCase()).digest();
  let digits = '1';
  for (let i = 0; digits.length < 21; i++) digits += String((digest[i % digest.length] ?? 0) % 10);
  return digits;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** A Calendar event id: 26 lowercase base32hex characters, like Google's generated ids. */
export function newEventId(): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const byte of bytes) id += BASE32HEX[byte % 32];
  return id;
}

/** Google allows client-chosen event ids of 5 to 1024 base32hex characters. */
export function isValidEventId(id: string): boolean {
  return /^[0-9a-v]{5,1024}$/.test(id);
}

let etagCounter = 0;

/** A quoted numeric etag, unique within the process. */
export function newEtag(): string {
  etagCounter += 1;
  return `"${Date.now() * 1000 + (etagCounter % 1000)}"`;
}
