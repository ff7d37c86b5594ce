/**
 * `stream-gemini-agents/worker`: the HTTP worker. Serve it whole (`serveWorker`: stores, the
 * completion API, agent sessions per call, /ready and /metrics, drain on SIGTERM), or register
 * its parts on your own Fastify server: `completionApi` is a plugin, and `Worker.attach` adds the
 * sessions API to an app. An AgentFactory starts one agent per call; a SessionAgent is what the
 * worker needs of it.
 */
export { serveWorker, exitOnSignals, type ServeWorkerOptions, type ServingWorker } from './serve-worker.js';
export { Worker, type WorkerOptions } from './worker.js';
export type { AgentFactory, AgentTurnMetrics, SessionAgent, SessionAgentStats } from './session-agent.js';
export type { AuthorizeCall } from './session-routes.js';
export type { DrainResult, SessionManagerLimits, SessionManagerTiming, StartedSession } from './session-manager.js';

export { createHttpApp, BODY_LIMIT_BYTES, type HttpAppOptions } from '../http/create-http-app.js';
export { completionApi, type CompletionApiOptions } from '../completion/completion-api.js';
export { createServer, type ServerOptions } from '../completion/create-server.js';
export { loadBotCatalog } from '../completion/bots/load-bot-catalog.js';
export type { BotCatalog, BotDefinition, DatasetDefinition, SkillsetDefinition } from '../completion/bots/catalog.js';
export type { ConversationFactory } from '../completion/conversations/conversation-directory.js';

export { openStores, type OpenStoresOptions, type WorkerStores } from '../store/open-stores.js';
export { MemoryStore } from '../store/memory-store.js';
export { RedisStore } from '../store/redis-store.js';
export { MemorySessionStore } from '../store/memory-session-store.js';
export { RedisSessionStore } from '../store/redis-session-store.js';
export type { KeyValueStore, TokenBucket, TokenTake } from '../store/store.js';
export type { SessionRecord, SessionStore } from '../store/session-store.js';
export { WorkerMetrics } from '../http/metrics.js';
