/**
 * `GET /metrics` in the Prometheus text format, and the hook that times completion requests.
 * The endpoint has no key, as scrapers expect: keep it off public ingress (see
 * docs/production.md).
 */
import type { FastifyInstance } from 'fastify';
import type { WorkerMetrics } from './metrics.js';
import { COMPLETE_PATHS } from '../completion/complete-route.js';

export function registerMetricsRoute(app: FastifyInstance, metrics: WorkerMetrics): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });

  // Timed from arrival to the last byte (a streamed completion included), whatever route
  // plugin registered the completion routes: a root hook reaches every route.
  const completionRoutes = new Set<string>(COMPLETE_PATHS);
  app.addHook('onResponse', async (request, reply) => {
    if (!completionRoutes.has(request.routeOptions.url ?? '')) return;
    metrics.completionDurationSeconds.observe({ status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
