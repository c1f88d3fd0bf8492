import { browserTimeZone, isKnownTimeZone, timeZoneChoices } from './time-zones';

describe('time zones', () => {
  it("answers the runtime's own zone", () => {
    expect(isKnownTimeZone(browserTimeZone())).toBe(true);
  });

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('knows %j: %s', (zone, known) => {
    expect(isKnownTimeZone(zone)).toBe(known);
  });

  it('offers every zone sorted, the current one included even when it is not a canonical name', () => {
    const choices = timeZoneChoices('Etc/UTC');
    expect(choices).toContain('Etc/UTC');
    expect(choices).toContain('Europe/Berlin');
    expect(choices).toContain('Asia/Tokyo');
    expect(choices).toEqual([...choices].sort((a, b) => a.localeCompare(b)));
    expect(new Set(choices).size).toBe(choices.length);
  });
});
