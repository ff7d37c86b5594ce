/**
 * `GET /ready`: whether this node should get traffic. 200 once it has warmed up, while its
 * store answers and until it starts draining; 503 otherwise, with the reason. (`GET /health`,
 * "the process is alive", is the server's own; a load balancer or Kubernetes uses /ready to
 * route and /health to restart.)
 */
import type { FastifyInstance } from 'fastify';
import { toError } from '../core/errors.js';
import { errorBody } from './http-errors.js';

export interface ReadinessOptions {
  /** Warm-up finished (close-request subscription open, the agent's modules loaded). */
  isWarm: () => boolean;
  isDraining: () => boolean;
  /** Resolves when the store answers. */
  pingStore: () => Promise<void>;
  /** A store slower than this counts as unreachable; default 1 000. */
  storeTimeoutMs?: number;
  /** Extra fields for the body, e.g. the node id and its session count. */
  details?: () => Record<string, unknown>;
}

export function registerReadinessRoute(app: FastifyInstance, options: ReadinessOptions): void {
  const storeTimeoutMs = options.storeTimeoutMs ?? 1_000;
  app.get('/ready', async (_request, reply) => {
    const details = options.details?.() ?? {};
    const notReady = (status: string, message: string) => reply.code(503).send({ status, ...details, ...errorBody('NOT_READY', message) });
    if (options.isDraining()) return notReady('draining', 'This node is shutting down.');
    if (!options.isWarm()) return notReady('warming-up', 'This node is still starting.');
    try {
      await withTimeout(options.pingStore(), storeTimeoutMs);
    } catch (error) {
      return notReady('store-unreachable', `The store does not answer: ${toError(error).message}`);
    }
    return { status: 'ready', ...details };
  });
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
