/** Server-side request times from the apps' own Prometheus histogram (`http_request_duration_seconds`). */
export type RouteTotals = Map<string, { sumS: number; count: number }>;

const LINE = /^http_request_duration_seconds_(sum|count)\{([^}]*)\}\s+([0-9.eE+-]+)$/;

/** Sum and count per `METHOD route status` from `<baseUrl>/metrics`; empty when the app has no such metric. */
export async function scrapeRouteTotals(baseUrl: string): Promise<RouteTotals> {
  const totals: RouteTotals = new Map();
  let text: string;
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return totals;
    text = await response.text();
  } catch {
    return totals;
  }
  for (const line of text.split('\n')) {
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const [, kind, labelText, value] = match;
    const labels = Object.fromEntries(
      [...(labelText ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    const key = `${labels['method'] ?? '?'} ${labels['route'] ?? '?'} ${labels['status_code'] ?? '?'}`;
    const entry = totals.get(key) ?? { sumS: 0, count: 0 };
    if (kind === 'sum') entry.sumS = Number(value);
    else entry.count = Number(value);
    totals.set(key, entry);
  }
  return totals;
}

/** Mean server-side time (ms) and count per route between two scrapes, busiest first. */
export function routeMeans(
  before: RouteTotals,
  after: RouteTotals,
): { route: string; count: number; meanMs: number }[] {
  const rows: { route: string; count: number; meanMs: number }[] = [];
  for (const [route, now] of after) {
    const then = before.get(route) ?? { sumS: 0, count: 0 };
    const count = now.count - then.count;
    if (count <= 0) continue;
    rows.push({ route, count, meanMs: Math.round(((now.sumS - then.sumS) / count) * 1000 * 10) / 10 });
  }
  return rows.sort((a, b) => b.count - a.count);
}

/** Values of un-labelled gauges (e.g. `nodejs_heap_size_used_bytes`) from `<baseUrl>/metrics`; missing ones are absent. */
export async function scrapeGauges(baseUrl: string, names: readonly string[]): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return values;
    for (const line of (await response.text()).split('\n')) {
      const [name, value] = line.trim().split(/\s+/);
      if (name && value !== undefined && names.includes(name)) values[name] = Number(value);
    }
  } catch {
    // no metrics: nothing to add
  }
  return values;
}

/** A Prometheus histogram without labels: cumulative count per upper bound (seconds; `Infinity` for `+Inf`). */
export interface Histogram {
  buckets: { le: number; count: number }[];
  sumS: number;
  count: number;
}

/** The un-labelled histogram `name` from `<baseUrl>/metrics`; undefined when the app does not expose it. */
export async function scrapeHistogram(baseUrl: string, name: string): Promise<Histogram | undefined> {
  let text: string;
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return undefined;
    text = await response.text();
  } catch {
    return undefined;
  }
  const histogram: Histogram = { buckets: [], sumS: 0, count: 0 };
  let seen = false;
  for (const line of text.split('\n')) {
    const [metric, value] = line.trim().split(/\s+/);
    if (!metric || value === undefined) continue;
    const bucket = /^(.+)_bucket\{le="([^"]+)"\}$/.exec(metric);
    if (bucket?.[1] === name) {
      histogram.buckets.push({ le: bucket[2] === '+Inf' ? Infinity : Number(bucket[2]), count: Number(value) });
      seen = true;
    } else if (metric === `${name}_sum`) {
      histogram.sumS = Number(value);
    } else if (metric === `${name}_count`) {
      histogram.count = Number(value);
    }
  }
  histogram.buckets.sort((a, b) => a.le - b.le);
  return seen ? histogram : undefined;
}

/** What fell into the histogram between two scrapes (bucket by bucket). */
export function histogramDelta(before: Histogram | undefined, after: Histogram): Histogram {
  return {
    buckets: after.buckets.map(({ le, count }) => ({
      le,
      count: count - (before?.buckets.find((b) => b.le === le)?.count ?? 0),
    })),
    sumS: after.sumS - (before?.sumS ?? 0),
    count: after.count - (before?.count ?? 0),
  };
}

/**
 * The q-quantile (0..1) of a histogram, in seconds, interpolated linearly inside its bucket
 * as Prometheus' histogram_quantile does (the first bucket starts at 0). Falling into `+Inf`
 * gives the highest finite bound (the true value is above it); no observations give NaN.
 */
export function histogramQuantile(histogram: Histogram, q: number): number {
  const total = histogram.buckets.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of histogram.buckets) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

/** The share (0..1) of observations at or below `bound` seconds (a bucket's upper bound). */
export function shareAtOrBelow(histogram: Histogram, bound: number): number {
  const total = histogram.buckets.at(-1)?.count ?? 0;
  const bucket = histogram.buckets.find((b) => Math.abs(b.le - bound) < 1e-12);
  if (total <= 0 || !bucket) return Number.NaN;
  return bucket.count / total;
}
