/**
 * The stores a worker node needs, chosen by configuration: in memory for one node, Redis
 * (`REDIS_URL`) when several nodes share contacts, rate limits and the session registry.
 * With Redis both stores share one connection (plus the session store's subscriber).
 */
import { createLogger, type Logger } from '../core/logger.js';
import { MemorySessionStore } from './memory-session-store.js';
import { MemoryStore } from './memory-store.js';
import { connectRedis, type RedisConnectOptions } from './redis-connection.js';
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
}

export function openStores(options: OpenStoresOptions): WorkerStores {
  if (!options.redisUrl) {
    const keyValue = new MemoryStore();
    const sessions = new MemorySessionStore();
    return { keyValue, sessions, kind: 'memory', close: once(async () => void (await Promise.all([keyValue.close(), sessions.close()]))) };
  }
  const logger = options.logger ?? createLogger('store.redis');
  const client = connectRedis(options.redisUrl, { logger, redisOptions: options.redisOptions });
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
