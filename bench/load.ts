import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Requests each connection cycles through (paths relative to `url`). */
  requests: autocannon.Request[];
  /** A fixed offered load (requests per second over all connections) instead of as fast as it answers. */
  overallRate?: number;
}

/** What one autocannon run came to; latencies in ms. */
export interface LoadSummary {
  durationS: number;
  connections: number;
  requestsTotal: number;
  /** Mean of the per-second request counts. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  status2xx: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

let current: autocannon.Instance | undefined;

/** Stops the run in progress (on SIGINT), if any. */
export function stopLoad(): void {
  current?.stop();
}

export function runLoad(options: LoadOptions): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    current = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationS,
        requests: options.requests,
        timeout: 10,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
      },
      (error, result) => {
        current = undefined;
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        resolve(summarize(result, options));
      },
    );
  });
}

function summarize(result: autocannon.Result, options: LoadOptions): LoadSummary {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
  return {
    durationS: result.duration,
    connections: options.connections,
    requestsTotal: result.requests.total,
    rps: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}
