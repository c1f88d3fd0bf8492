/** MongoDB's (and FerretDB's) code for a write refused by a unique index. */
const DUPLICATE_KEY = 11000;

/** Whether a write failed because a unique index already holds the key. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}
