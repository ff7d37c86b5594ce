/**
 * The stores a worker node needs, chosen by configuration: in memory for one node, Redis
 * (`REDIS_URL`) when several nodes share contacts, rate limits and the session registry.
 * With Redis both stores share one connection (plus the session store's subscriber).
 *
 * A Redis that is down at start does not stop the node: it waits a moment for the first
 * connection, then starts anyway and serves degraded (rate limits per node, contacts not
 * stored, sessions refused with 503, /ready 503) until Redis answers.
 */
import { createLogger, type Logger } from '../core/logger.js';
import { MemorySessionStore } from './memory-session-store.js';
import { MemoryStore } from './memory-store.js';
import { openRedis, type RedisConnectOptions } from './redis-connection.js';
import { RedisSessionStore } from './redis-session-store.js';
import { quietly, RedisStore } from './redis-store.js';
import type { SessionStore } from './session-store.js';
import type { KeyValueStore } from './store.js';

export interface WorkerStores {
  keyValue: KeyValueStore;
  sessions: SessionStore;
  /** 'memory' or 'redis', for logs and /ready. */
  kind: 'memory' | 'redis';
  /** Closes both stores and the connection; idempotent. */
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  /** `redis://…`; undefined keeps everything in memory. */
  redisUrl: string | undefined;
  /** Key prefix in Redis, so several deployments can share one server. Default `agents:`. */
  prefix?: string;
  logger?: Logger;
  redisOptions?: RedisConnectOptions['redisOptions'];
  /** How long to wait for Redis at start before starting without it; default 5 000. */
  readyTimeoutMs?: number;
}

export async function openStores(options: OpenStoresOptions): Promise<WorkerStores> {
  if (!options.redisUrl) {
    const keyValue = new MemoryStore();
    const sessions = new MemorySessionStore();
    return { keyValue, sessions, kind: 'memory', close: once(async () => void (await Promise.all([keyValue.close(), sessions.close()]))) };
  }
  const logger = options.logger ?? createLogger('store.redis');
  const client = await openRedis(options.redisUrl, { logger, redisOptions: options.redisOptions, readyTimeoutMs: options.readyTimeoutMs });
  if (client.status !== 'ready') {
    logger.warn('Redis is unreachable: starting without it (rate limits per node, contacts not stored, no new sessions, /ready 503) until it answers');
  }
  const keyValue = new RedisStore(client, { prefix: options.prefix });
  const sessions = new RedisSessionStore(client, { prefix: options.prefix, logger });
  return {
    keyValue,
    sessions,
    kind: 'redis',
    close: once(async () => {
      await Promise.all([keyValue.close(), sessions.close()]);
      await quietly(client);
    }),
  };
}

function once(run: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= run());
}
