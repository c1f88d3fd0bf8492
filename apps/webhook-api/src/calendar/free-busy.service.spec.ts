import { mergeIntervals, splitRange } from './free-busy.service';

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

describe('mergeIntervals', () => {
  it('sorts, joins overlapping and touching intervals, clips to the range and drops empty ones', () => {
    expect(
      mergeIntervals(
        [
          { start: 50, end: 60 },
          { start: 10, end: 20 },
          { start: 15, end: 30 },
          { start: 30, end: 35 },
          { start: -10, end: 5 },
          { start: 95, end: 120 },
          { start: 40, end: 40 },
        ],
        0,
        100,
      ),
    ).toEqual([
      { start: 0, end: 5 },
      { start: 10, end: 35 },
      { start: 50, end: 60 },
      { start: 95, end: 100 },
    ]);
  });
});
