import { AppProcess } from './app-process';

/** Every sample of an app's `GET /metrics` (Prometheus text), by series: `name{label="value",...}` → value. */
export async function scrapeMetrics(app: AppProcess): Promise<Map<string, number>> {
  const response = await fetch(`${app.url}/metrics`);
  if (response.status !== 200) throw new Error(`${app.name} answered ${response.status} on /metrics`);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    if (cut > 0) series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

/** The sum of the series of metric `name` whose labels include every pair of `labels`. */
export function metricSum(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of series) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([label, wanted]) => key.includes(`${label}="${wanted}"`))) sum += value;
  }
  return sum;
}
