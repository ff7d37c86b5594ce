/**
 * The HTTP server: Fastify with a 1 MB body limit, CORS closed unless origins are configured,
 * `GET /health`, and the authenticated, rate-limited `/api/v1` routes (stateless completion,
 * conversations). Every client mistake is answered with a 4xx and a JSON body naming the
 * problem; anything else is a masked 500 logged with the request id.
 *
 * `createServer` returns the Fastify instance without listening, so tests and other routes
 * (call sessions) can compose it. Closing it closes the store it created.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { LLM } from '../llm/llm.js';
import { MemoryStore } from '../store/memory-store.js';
import type { KeyValueStore } from '../store/store.js';
import { AttachmentBudget } from './attachments/attachment-budget.js';
import type { AttachmentFetchOptions } from './attachments/fetch-attachment.js';
import { ApiKeys } from '../http/api-keys.js';
import { assertBodyDepth } from '../http/body-depth.js';
import { BotDirectory } from './bots/bot-directory.js';
import type { BotCatalog } from './bots/catalog.js';
import type { DatasetContextOptions } from './datasets.js';
import { KNOWN_GEMINI_MODELS } from './model-string.js';
import { ContactStore } from './contacts.js';
import { ConversationDirectory, type ConversationFactory } from './conversations/conversation-directory.js';
import { conversationFactoryFromConfig } from './conversations/conversation-factory.js';
import { ConversationOwners } from './conversations/conversation-owners.js';
import { errorBody, RequestError, sendError, toRequestError } from '../http/http-errors.js';
import { RateLimiter } from '../http/rate-limit.js';
import { addApiAuth } from '../http/api-auth.js';
import { registerCompleteRoutes } from './complete-route.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { ActiveRequests } from './event-response.js';

/** How long closing waits for aborted requests to send their last events. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Bodies larger than this are refused with 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ServerOptions {
  config: Config;
  /** The model behind every completion. */
  llm: LLM;
  /** Configured bots, datasets and skillsets; default none. */
  bots?: BotCatalog;
  /** Shared state (contacts, rate limits); default an in-memory store, closed with the server. */
  store?: KeyValueStore;
  /** The per-key limiter; default one on `store`. The worker passes its own, shared with its routes and counted in /metrics. */
  rateLimiter?: RateLimiter;
  logger?: Logger;
  /** Model names accepted besides the known Gemini models and GEMINI_MODEL. */
  models?: string[];
  /**
   * Attachment fetching overrides. `isAddressAllowed` exists for tests, which have no public
   * server to fetch from; production keeps the default that refuses non-public addresses.
   */
  attachments?: Pick<AttachmentFetchOptions, 'isAddressAllowed' | 'resolve' | 'maxTextChars'>;
  datasets?: DatasetContextOptions;
  /**
   * Creates the Conversation behind `/api/v1/conversation/{id}/…`; default: the Stream Chat
   * channel of that id when Stream credentials are configured, else memory.
   */
  conversations?: ConversationFactory;
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const { config, llm } = options;
  const logger = options.logger ?? createLogger('server');
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryStore();
  const knownModels = new Set([...KNOWN_GEMINI_MODELS, config.google.model, llm.model, ...(options.models ?? [])]);
  const bots = new BotDirectory(options.bots ?? {}, { knownModels });
  const keys = new ApiKeys(config.server.apiKeys, config.server.adminKey);
  if (keys.isEmpty) logger.warn('no WORKER_API_KEYS or WORKER_ADMIN_KEY configured: every API request will be refused with 401');
  const limiter =
    options.rateLimiter ?? new RateLimiter(store, { perMinute: config.server.rateLimitPerMinute, burst: config.server.rateLimitBurst, logger });
  const contacts = new ContactStore(store, { logger });
  const conversations = new ConversationDirectory({ create: options.conversations ?? conversationFactoryFromConfig(config) });
  const active = new ActiveRequests();

  const app = Fastify({
    // pino's Logger is Fastify's logger; the cast only widens its generic parameters.
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // One summary line per completion is logged instead of two lines per request.
    logController: new LogController({ disableRequestLogging: true }),
    // Receiving a request (at most 1 MB) must not take longer; the response may stream far longer.
    requestTimeout: 30_000,
    return503OnClosing: true,
    // Requests in flight are ended cleanly first (preClose); then every socket is closed.
    forceCloseConnections: true,
    // Fastify's default (100) would route a longer id to a 404; the routes answer a too-long
    // id with a 400 that names it.
    routerOptions: { maxParamLength: 1_000 },
  });

  await app.register(cors, {
    origin: config.server.corsOrigins.length > 0 ? config.server.corsOrigins : false,
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

  await app.register(async (api) => {
    addApiAuth(api, keys, limiter);
    registerCompleteRoutes(api, {
      llm,
      attachmentBudget: new AttachmentBudget(config.server.attachmentBudgetBytes),
      contacts,
      timeoutMs: config.server.completeTimeoutMs,
      pingIntervalMs: config.server.pingIntervalMs,
      writeTimeoutMs: config.server.writeTimeoutMs,
      active,
      prepare: {
        bots,
        contacts,
        knownModels,
        defaultModel: llm.model,
        attachments: { maxBytes: config.server.attachmentMaxBytes, timeoutMs: config.server.attachmentTimeoutMs, ...options.attachments },
        datasets: options.datasets,
      },
    });
    registerConversationRoutes(api, {
      llm,
      conversations,
      owners: new ConversationOwners(store),
      bots,
      knownModels,
      agent: config.agent,
      timeoutMs: config.server.completeTimeoutMs,
      pingIntervalMs: config.server.pingIntervalMs,
      writeTimeoutMs: config.server.writeTimeoutMs,
      active,
    });
  });

  // Streams in flight end with `end.reason: 'abort'` rather than a cut connection.
  app.addHook('preClose', async () => {
    await active.abortAll('the server is shutting down', SHUTDOWN_GRACE_MS);
  });
  app.addHook('onClose', async () => {
    await conversations.close();
    if (ownsStore) await store.close();
  });
  return app;
}
