import type { FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
