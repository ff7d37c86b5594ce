/**
 * The HTTP app every product of this project runs on: Fastify with a 1 MB body limit, CORS
 * closed unless origins are configured, a request id on every answer, bodies measured for depth
 * right after parsing, `GET /health`, and one error shape. Every client mistake is a 4xx with a
 * JSON body naming the problem; anything else is a masked 500 logged with the request id.
 *
 * The completion API and the agent worker register on it (src/completion, src/worker); an
 * embedding application can register them on its own Fastify instance instead.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '../core/logger.js';
import { assertBodyDepth } from './body-depth.js';
import { errorBody, RequestError, sendError, toRequestError } from './http-errors.js';

/** Bodies larger than this are refused with 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  logger?: Logger;
  /** Origins allowed by CORS; empty or none: CORS closed. */
  corsOrigins?: readonly string[];
}

export async function createHttpApp(options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger('http');
  const app = Fastify({
    // pino's Logger is Fastify's logger; the cast only widens its generic parameters.
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // Routes log one summary line of their own instead of Fastify's two lines per request.
    logController: new LogController({ disableRequestLogging: true }),
    // Receiving a request (at most 1 MB) must not take longer; the response may stream far longer.
    requestTimeout: 30_000,
    return503OnClosing: true,
    // Requests in flight are ended cleanly first (preClose hooks); then every socket is closed.
    forceCloseConnections: true,
    // Fastify's default (100) would route a longer id to a 404; the routes answer a too-long
    // id with a 400 that names it.
    routerOptions: { maxParamLength: 1_000 },
  });

  await app.register(cors, {
    origin: options.corsOrigins && options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
    // Browsers may read these: the id to quote in a bug report, and when to retry.
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining'],
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toRequestError(error, BODY_LIMIT_BYTES);
    if (known) return sendError(reply, known);
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('GENERIC_ERROR', `Internal error; try again (request ${request.id}).`));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new RequestError(404, 'NOT_FOUND', `There is no route ${request.method} ${request.url.split('?')[0]}.`)),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Every route's body, right after parsing: nothing recursive may see a body nested too deep.
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined) assertBodyDepth(request.body);
  });
  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}
