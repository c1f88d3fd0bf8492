import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How old a count read from the database may be when `/metrics` answers it (see countGauge). */
export const COUNT_GAUGE_MAX_AGE_MS = 10_000;

type HttpLabels = 'method' | 'route' | 'status_code';

/** The registry `/metrics` serves: process metrics, HTTP latency, and each app's own. */
export class MetricsRegistry extends Registry {
  readonly httpDuration: Histogram<HttpLabels>;
  /** One child per method, route and status: the label lookup is done once, not per answer. */
  private readonly httpDurationByLabels = new Map<string, ReturnType<Histogram<HttpLabels>['labels']>>();

  constructor() {
    super();
    collectDefaultMetrics({ register: this });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this],
    });
  }

  /**
   * A gauge of a count read from the database when `/metrics` is scraped, read at most once
   * per `maxAgeMs` however often and by however many scrapers it is scraped: a count can read
   * many documents (one per pending delivery, one per open channel), which a scrape must not
   * multiply. A scrape within `maxAgeMs` of the last read answers its count; a later one
   * answers it too while the next read runs (only the first scrape waits for a read). Reads
   * never overlap; a failed read keeps the last count (only the first one fails the scrape).
   */
  countGauge(name: string, help: string, count: () => Promise<number>, maxAgeMs = COUNT_GAUGE_MAX_AGE_MS): Gauge {
    const counts = new LRUCache<'count', number>({
      max: 1,
      ttl: maxAgeMs,
      allowStale: true,
      allowStaleOnFetchRejection: true,
      fetchMethod: () => count(),
    });
    return new Gauge({
      name,
      help,
      registers: [this],
      async collect() {
        const value = await counts.fetch('count');
        if (value === undefined) throw new Error(`${name}: the count could not be read`);
        this.set(value);
      },
    });
  }

  /** Fastify `onResponse` hook: times every answer, labelled by the matched route pattern. */
  readonly onResponse = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    const status = reply.statusCode;
    const key = `${request.method} ${status} ${route}`;
    let child = this.httpDurationByLabels.get(key);
    if (!child) {
      child = this.httpDuration.labels(request.method, route, String(status));
      this.httpDurationByLabels.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  };
}
