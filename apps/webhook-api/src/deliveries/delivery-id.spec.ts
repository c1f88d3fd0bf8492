import { DELIVERY_ID_PATTERN } from '@connector-service/contracts';
import { newDeliveryId } from './delivery-id';

describe('newDeliveryId', () => {
  it('matches the route pattern and differs every time', () => {
    const ids = Array.from({ length: 1000 }, () => newDeliveryId());
    for (const id of ids) expect(id).toMatch(DELIVERY_ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts by creation time', () => {
    const earlier = newDeliveryId(new Date('2026-12-07T09:00:00.000Z'));
    const later = newDeliveryId(new Date('2026-12-07T09:00:00.001Z'));
    expect(earlier < later).toBe(true);
    expect(newDeliveryId(new Date(0)).slice(0, 14)).toBe('msg_0000000000');
  });
});
