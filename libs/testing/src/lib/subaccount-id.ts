import { randomBytes } from 'node:crypto';

/**
 * A subaccount id no other test or bench run uses: 24 lowercase hex digits (a MongoDB ObjectId's
 * string form, as the contract's subaccount ids are) from random bytes.
 */
export function newSubaccountId(): string {
  return randomBytes(12).toString('hex');
}
