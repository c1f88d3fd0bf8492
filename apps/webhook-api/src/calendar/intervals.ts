/** A half-open busy interval [start, end) in epoch ms. */
export interface BusyInterval {
  start: number;
  end: number;
}

/** Sorted, with overlapping and touching intervals joined, clipped to [min, max]. */
export function mergeIntervals(intervals: readonly BusyInterval[], min: number, max: number): BusyInterval[] {
  const sorted = intervals
    .map((interval) => ({ start: Math.max(min, interval.start), end: Math.min(max, interval.end) }))
    .filter((interval) => interval.end > interval.start)
    .sort((a, b) => a.start - b.start);
  const merged: BusyInterval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}
