/** Every sample of an app's `<baseUrl>/metrics` (Prometheus text) by its series (`name{labels}`); empty when unreachable. */
export async function scrapeSeries(baseUrl: string): Promise<Map<string, number>> {
  const series = new Map<string, number>();
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) return series;
    for (const line of (await response.text()).split('\n')) {
      if (line.startsWith('#')) continue;
      const cut = line.lastIndexOf(' ');
      if (cut > 0) series.set(line.slice(0, cut).trim(), Number(line.slice(cut + 1)));
    }
  } catch {
    // no metrics
  }
  return series;
}

/** The sum of the series of `name` whose labels include every `labels` pair. */
export function seriesSum(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of series) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([label, wanted]) => key.includes(`${label}="${wanted}"`))) sum += value;
  }
  return sum;
}
