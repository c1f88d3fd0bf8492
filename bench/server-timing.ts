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
