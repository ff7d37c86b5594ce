/**
 * The completion server in one call: the shared HTTP app (createHttpApp) with the completion
 * API registered on it, not listening yet, so tests and the worker can add routes and listen.
 * Closing it closes the store it created.
 */
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../core/logger.js';
import { createHttpApp } from '../http/create-http-app.js';
import { completionApi, type CompletionApiOptions } from './completion-api.js';

export type ServerOptions = CompletionApiOptions;

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger('server');
  const app = await createHttpApp({ logger, corsOrigins: options.config.server.corsOrigins });
  await app.register(completionApi, { ...options, logger });
  return app;
}
