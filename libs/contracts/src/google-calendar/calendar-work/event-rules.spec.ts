import {
  RECURRENCE_LINE_PATTERN,
  TAG_FILTER_PATTERN,
  TAG_KEY_PATTERN,
  eventTagsProblem,
  recurrenceProblem,
} from './calendar-event.dto';

describe('recurrence lines', () => {
  it.each([
    'RRULE:FREQ=WEEKLY;COUNT=3',
    'RRULE:INTERVAL=2;FREQ=DAILY;UNTIL=20270112T090000Z',
    'rrule:freq=daily',
    'EXRULE:FREQ=MONTHLY;BYMONTHDAY=1',
    'EXDATE;TZID=Europe/Berlin:20270111T100000,20270125T100000',
    'RDATE;VALUE=DATE:20270101',
    'EXDATE:20270104T090000Z',
  ])('takes %s', (line) => {
    expect(RECURRENCE_LINE_PATTERN.test(line)).toBe(true);
  });

  it.each([
    'RRULE:COUNT=3',
    'RRULE:FREQ=WEEKLY;;COUNT=3',
    'RRULE:FREQ=WEEKLY;COUNT=3\nRRULE:FREQ=DAILY',
    'RRULE FREQ=WEEKLY',
    'EVERY MONDAY',
    'EXDATE:',
    'DTSTART:20270104T090000Z',
  ])('refuses %j', (line) => {
    expect(RECURRENCE_LINE_PATTERN.test(line)).toBe(false);
  });

  it('needs an RRULE or RDATE line among them (an EXDATE alone repeats nothing)', () => {
    expect(recurrenceProblem(['EXDATE:20270104T090000Z'])).toMatch(/RRULE or RDATE/);
    expect(recurrenceProblem(['RDATE:20270104T090000Z', 'EXDATE:20270104T090000Z'])).toBeUndefined();
    expect(recurrenceProblem(['RRULE:COUNT=3'])).toMatch(/FREQ/);
  });

  it('is a pattern OpenAPI can carry: no flags', () => {
    expect(RECURRENCE_LINE_PATTERN.flags).toBe('');
    expect(TAG_FILTER_PATTERN.flags).toBe('');
    expect(TAG_KEY_PATTERN.flags).toBe('');
  });
});

describe('tags', () => {
  it('takes up to 10 keys of 1–44 characters of A–Z a–z 0–9 _ - with string values of at most 256', () => {
    expect(eventTagsProblem({})).toBeUndefined();
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key_${i}-X`, 'v'.repeat(256)]));
    expect(eventTagsProblem(ten)).toBeUndefined();
    expect(eventTagsProblem({ ['k'.repeat(44)]: '' })).toBeUndefined();
  });

  it.each<[unknown, RegExp]>([
    [null, /object/],
    [['a'], /object/],
    ['a:b', /object/],
    [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])), /at most 10 keys/],
    [{ 'a.b': 'v' }, /A–Z a–z 0–9/],
    [{ ['k'.repeat(45)]: 'v' }, /A–Z a–z 0–9/],
    [{ k: 1 }, /must be a string/],
    [{ k: null }, /must be a string/],
    [{ k: 'v'.repeat(257) }, /at most 256/],
  ])('refuses %j', (tags, problem) => {
    expect(eventTagsProblem(tags)).toMatch(problem);
  });

  it('filters are key:value, the value holding any character (colons too)', () => {
    expect(TAG_FILTER_PATTERN.test('bookingId:bk_1')).toBe(true);
    expect(TAG_FILTER_PATTERN.test('link:https://example.com/a:b')).toBe(true);
    expect(TAG_FILTER_PATTERN.test('empty:')).toBe(true);
    expect(TAG_FILTER_PATTERN.test('multi:line\nvalue')).toBe(true);
    expect(TAG_FILTER_PATTERN.test('nocolon')).toBe(false);
    expect(TAG_FILTER_PATTERN.test(':value')).toBe(false);
    expect(TAG_FILTER_PATTERN.test(`k:${'v'.repeat(257)}`)).toBe(false);
  });
});
