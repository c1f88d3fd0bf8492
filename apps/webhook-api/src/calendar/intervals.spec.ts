import { mergeIntervals } from './intervals';

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
