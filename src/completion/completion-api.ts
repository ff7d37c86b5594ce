/**
 * The completion API as a Fastify plugin: the stateless `POST /api/v1/conversation/complete`
 * and the stateful conversation routes, behind the API-key and rate-limit gate. Register it on
 * the app from `createHttpApp`, or on your own Fastify instance (it expects that app's error
 * handling: see createHttpApp).
 *
 *   const app = await createHttpApp({ corsOrigins: config.server.corsOrigins });
 *   await app.register(completionApi, { config, llm });
 *
 * Closing the app ends streams in flight with `end.reason: 'abort'`, drains the conversations,
 * and closes the store if the plugin created it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { ApiKeys } from '../http/api-keys.js';
import { addApiAuth } from '../http/api-auth.js';
import { RateLimiter } from '../http/rate-limit.js';
import type { LLM } from '../llm/llm.js';
import { MemoryStore } from '../store/memory-store.js';
import type { KeyValueStore } from '../store/store.js';
import { AttachmentBudget } from './attachments/attachment-budget.js';
import type { AttachmentFetchOptions } from './attachments/fetch-attachment.js';
import { BotDirectory } from './bots/bot-directory.js';
import type { BotCatalog } from './bots/catalog.js';
import { registerCompleteRoutes } from './complete-route.js';
import { ContactStore } from './contacts.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { ConversationDirectory, type ConversationFactory } from './conversations/conversation-directory.js';
import { conversationFactoryFromConfig } from './conversations/conversation-factory.js';
import { ConversationOwners } from './conversations/conversation-owners.js';
import type { DatasetContextOptions } from './datasets.js';
import { ActiveRequests } from './event-response.js';
import { KNOWN_GEMINI_MODELS } from './model-string.js';

/** How long closing waits for aborted requests to send their last events. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface CompletionApiOptions {
  config: Config;
  /** The model behind every completion. */
  llm: LLM;
  /** Configured bots, datasets and skillsets; default none. */
  bots?: BotCatalog;
  /** Shared state (contacts, rate limits, conversation owners); default an in-memory store, closed with the app. */
  store?: KeyValueStore;
  /** The per-key limiter; default one on `store`. A worker passes its own, shared with its routes and counted in /metrics. */
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

export const completionApi: FastifyPluginAsync<CompletionApiOptions> = async (app, options) => {
  const { config, llm } = options;
  const logger = options.logger ?? createLogger('completion');
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryStore();
  // The configured model is the LLM's own (GEMINI_MODEL, or its default).
  const knownModels: ReadonlySet<string> = new Set([...KNOWN_GEMINI_MODELS, llm.model, ...(options.models ?? [])]);
  const bots = new BotDirectory(options.bots ?? {}, { knownModels });
  const keys = new ApiKeys(config.server.apiKeys, config.server.adminKey);
  if (keys.isEmpty) logger.warn('no WORKER_API_KEYS or WORKER_ADMIN_KEY configured: every API request will be refused with 401');
  const limiter =
    options.rateLimiter ?? new RateLimiter(store, { perMinute: config.server.rateLimitPerMinute, burst: config.server.rateLimitBurst, logger });
  const contacts = new ContactStore(store, { logger });
  const conversations = new ConversationDirectory({ create: options.conversations ?? conversationFactoryFromConfig(config) });
  const active = new ActiveRequests();
  const streaming = {
    timeoutMs: config.server.completeTimeoutMs,
    pingIntervalMs: config.server.pingIntervalMs,
    writeTimeoutMs: config.server.writeTimeoutMs,
    active,
  };

  addApiAuth(app, keys, limiter);
  registerCompleteRoutes(app, {
    llm,
    attachmentBudget: new AttachmentBudget(config.server.attachmentBudgetBytes),
    contacts,
    ...streaming,
    prepare: {
      bots,
      contacts,
      knownModels,
      defaultModel: llm.model,
      attachments: { maxBytes: config.server.attachmentMaxBytes, timeoutMs: config.server.attachmentTimeoutMs, ...options.attachments },
      datasets: options.datasets,
    },
  });
  registerConversationRoutes(app, {
    llm,
    conversations,
    owners: new ConversationOwners(store),
    bots,
    knownModels,
    agent: config.agent,
    ...streaming,
  });

  // Streams in flight end with `end.reason: 'abort'` rather than a cut connection.
  app.addHook('preClose', async () => {
    await active.abortAll('the server is shutting down', SHUTDOWN_GRACE_MS);
  });
  app.addHook('onClose', async () => {
    await conversations.close();
    if (ownsStore) await store.close();
  });
};
