/**
 * `stream-gemini-agents/worker`: the HTTP worker. Serve it whole (`serveWorker`: stores, the
 * completion API, agent sessions per call, /ready and /metrics, drain on SIGTERM), or register
 * its parts on your own Fastify server: `completionApi` and `agentWorker` (the sessions API,
 * /ready and /metrics, started and drained with the app) are plugins. An AgentFactory starts
 * one agent per call; a SessionAgent is what the worker needs of it. `buildAgent` builds the agent an agent file defines, as `serve` does for
 * each session (and as a test of the agent does against the fakes).
 */
export {
  serveWorker,
  exitOnSignals,
  shutdownOnSignals,
  holdSignalsWhileStarting,
  type HeldSignals,
  type ServeWorkerOptions,
  type ServingWorker,
} from './serve-worker.js';
export { Worker, type WorkerOptions } from './worker.js';
export { agentWorker, type AgentWorkerOptions } from './agent-worker-plugin.js';
export type { AgentFactory, AgentTurnMetrics, SessionAgent, SessionAgentStats } from './session-agent.js';
export { agentFactoryFromDefinition, type DefinitionAgentFactoryOptions } from './definition-agent-factory.js';
export { buildAgent, missingDefaultCredentials, type BuildAgentContext, type BuiltAgent } from '../runtime/build-agent.js';
export type { AuthorizeCall } from './session-routes.js';
export type { CallRef } from './call-ids.js';
export type {
  DrainResult,
  SessionManager,
  SessionManagerLimits,
  SessionManagerOptions,
  SessionManagerTiming,
  StartedSession,
} from './session-manager.js';

export { createHttpApp, BODY_LIMIT_BYTES, type HttpAppOptions } from '../http/create-http-app.js';
export { completionApi, type CompletionApiOptions } from '../completion/completion-api.js';
export type { AttachmentFetchOptions, ResolvedAddress } from '../completion/attachments/fetch-attachment.js';
export type { AddressPolicy } from '../completion/attachments/address-policy.js';
export { RateLimiter, type RateLimitOptions } from '../http/rate-limit.js';
export { createServer, type ServerOptions } from '../completion/create-server.js';
export { loadBotCatalog } from '../completion/bots/load-bot-catalog.js';
export type { BotCatalog, BotDefinition, DatasetDefinition, SkillsetDefinition } from '../completion/bots/catalog.js';
export type { Dataset, DatasetContextOptions, DatasetRecord } from '../completion/datasets.js';
export type { Ability, Skillset } from '../completion/skillsets.js';
export type { ConversationFactory } from '../completion/conversations/conversation-directory.js';

export { openStores, type OpenStoresOptions, type WorkerStores } from '../store/open-stores.js';
export { MemoryStore, type MemoryStoreOptions } from '../store/memory-store.js';
export { RedisStore, type RedisStoreOptions } from '../store/redis-store.js';
export type { RedisConnectOptions } from '../store/redis-connection.js';
export { MemorySessionStore, type MemorySessionStoreOptions } from '../store/memory-session-store.js';
export { RedisSessionStore, type RedisSessionStoreOptions } from '../store/redis-session-store.js';
export type { KeyValueStore, TokenBucket, TokenTake } from '../store/store.js';
export type { LeaseOptions, LeaseStatus, ReserveResult, SessionFigures, SessionRecord, SessionState, SessionStore } from '../store/session-store.js';
export { WorkerMetrics } from '../http/metrics.js';
