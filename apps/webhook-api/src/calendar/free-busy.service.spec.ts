import { splitRange } from './free-busy.service';

describe('splitRange', () => {
  it('cuts a range into consecutive pieces of at most the given length', () => {
    expect(splitRange(0, 25, 10)).toEqual([
      { start: 0, end: 10 },
      { start: 10, end: 20 },
      { start: 20, end: 25 },
    ]);
    expect(splitRange(0, 10, 10)).toEqual([{ start: 0, end: 10 }]);
    expect(splitRange(5, 5, 10)).toEqual([]);
  });
});
