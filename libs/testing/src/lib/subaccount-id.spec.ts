import { SUBACCOUNT_ID_PATTERN } from '@connector-service/contracts';
import { newSubaccountId } from './subaccount-id';

describe('newSubaccountId', () => {
  it('makes ids the routes accept (24 lowercase hex digits), a new one each time', () => {
    const ids = Array.from({ length: 1000 }, newSubaccountId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(ids.every((id) => SUBACCOUNT_ID_PATTERN.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
