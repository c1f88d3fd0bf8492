import { ErrorCode, isErrorCode } from './error-codes';

describe('ErrorCode', () => {
  it('holds the codes webhook-api answers for Google, the calendar routes and health', () => {
    expect(ErrorCode).toMatchObject({
      DatabaseUnavailable: 'DATABASE_UNAVAILABLE',
      GoogleTimeout: 'GOOGLE_TIMEOUT',
      GooglePermissionDenied: 'GOOGLE_PERMISSION_DENIED',
      GoogleRejectedRequest: 'GOOGLE_REJECTED_REQUEST',
      GoogleConflict: 'GOOGLE_CONFLICT',
      SlotTaken: 'SLOT_TAKEN',
      IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
      RateLimited: 'RATE_LIMITED',
    });
  });

  it('has one name per code (a code on the wire names one case)', () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('isErrorCode', () => {
  it.each(Object.values(ErrorCode))('knows %s', (code) => {
    expect(isErrorCode(code)).toBe(true);
  });

  it.each([['NOT_A_CODE'], ['not_found'], [''], ['ValidationFailed'], [404], [null], [undefined], [{}]])(
    'does not know %j',
    (value) => {
      expect(isErrorCode(value)).toBe(false);
    },
  );
});
