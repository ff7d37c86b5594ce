/**
 * The agent worker as a Fastify plugin: the sessions API, /ready and /metrics on an app of
 * your own (beside `completionApi`, or alone), with Fastify's lifecycle as the worker's:
 * `app.ready()` (or `listen()`) starts it, so /ready turns 200, and `app.close()` drains it
 * first (new sessions refused, every session closed with its transcript flushed, within
 * DRAIN_TIMEOUT_MS) while the server still answers, then stops it.
 *
 *   const app = Fastify();
 *   await app.register(agentWorker, { config, factory, sessions, keyValue, onWorker: (w) => (worker = w) });
 *   await app.listen({ port: 8080 });
 *   process.once('SIGTERM', () => void app.close());
 *
 * `serveWorker` registers it on the server it builds, and `stream-agents serve` uses that.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Worker, type WorkerOptions } from './worker.js';

export interface AgentWorkerOptions extends WorkerOptions {
  /** Hands over the worker once its routes are registered: its node id, metrics and drain. */
  onWorker?: (worker: Worker) => void;
}

export const agentWorker: FastifyPluginAsync<AgentWorkerOptions> = async (app, options) => {
  const worker = await Worker.attach(app, options);
  options.onWorker?.(worker);
  app.addHook('onReady', async () => {
    await worker.start();
  });
  // preClose runs before the server stops accepting: a session request during the drain gets
  // its 503 and /ready says draining, instead of a refused connection.
  app.addHook('preClose', async () => {
    await worker.close();
  });
};
