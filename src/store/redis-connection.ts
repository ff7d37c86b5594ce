/**
 * One place that knows how this project talks to Redis: the client options (fail at once
 * instead of queueing commands while Redis is down, and give up on a command Redis does not
 * answer), connection errors logged instead of printed, Lua scripts run by SHA with a fallback
 * to their source, and failures turned into typed, retryable store errors.
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { backoffDelayMs } from '../core/backoff.js';
import { AgentsError, toError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';

export type { Redis };

export interface RedisConnectOptions {
  /** Shown in logs and `CLIENT LIST`, e.g. `agents-worker`. */
  connectionName?: string;
  logger?: Logger;
  /** Extra ioredis options (tests use a shorter `connectTimeout`). */
  redisOptions?: RedisOptions;
  /** How long `openRedis` waits for the first connection; default 5 000. */
  readyTimeoutMs?: number;
}

/**
 * A command Redis has not answered after this long fails (STORE_UNAVAILABLE). Redis answers
 * in well under a millisecond; a second means it is hung or the network is, and every caller
 * (a rate-limit check, /ready, a session start) must be told rather than left waiting.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/** Pauses between reconnection attempts (ioredis counts attempts from 1). */
const REDIS_RECONNECT_BACKOFF = { initialDelayMs: 100, maxDelayMs: 2_000 };

/**
 * A client for `url` (`redis://` or `rediss://`). It never waits for a dead Redis: a command
 * issued while disconnected fails at once (no offline queue), and one that Redis does not
 * answer fails after REDIS_COMMAND_TIMEOUT_MS. It reconnects by itself, forever.
 */
export function connectRedis(url: string, options: RedisConnectOptions = {}): Redis {
  const logger = options.logger ?? createLogger('store.redis');
  const client = new Redis(url, {
    connectionName: options.connectionName ?? 'agents-worker',
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 3,
    connectTimeout: 5_000,
    // Reconnect forever, backing off to 2 s: a Redis restart must not need a worker restart, and
    // the jitter keeps the nodes of a deployment from all reconnecting in the same instant.
    retryStrategy: (attempt) => backoffDelayMs(attempt - 1, REDIS_RECONNECT_BACKOFF),
    ...options.redisOptions,
  });
  logRedisErrors(client, logger);
  return client;
}

/**
 * `connectRedis`, then waits (at most `readyTimeoutMs`) for the first connection, since
 * without an offline queue a command sent before it would fail. A Redis that is down at start
 * is not an error: the client keeps reconnecting and the stores fail fast meanwhile.
 */
export async function openRedis(url: string, options: RedisConnectOptions = {}): Promise<Redis> {
  const client = connectRedis(url, options);
  await whenReady(client, options.readyTimeoutMs ?? 5_000);
  return client;
}

/** Resolves true once `client` is connected, false after `timeoutMs` or when it gives up. */
export function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  if (client.status === 'end') return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      resolve(ready);
    };
    const onReady = () => settle(true);
    const onEnd = () => settle(false);
    const timer = setTimeout(() => settle(false), timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/** Without a listener ioredis prints every connection error to stderr; log them once per outage instead. */
export function logRedisErrors(client: Redis, logger: Logger): void {
  let failing = false;
  client.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    logger.error({ err: error }, 'redis connection failed; retrying');
  });
  client.on('ready', () => {
    if (failing) logger.info('redis connection restored');
    failing = false;
  });
}

/** A Lua script, sent by SHA1 (EVALSHA) and by source only when the server does not know it yet. */
export class LuaScript {
  readonly #source: string;
  readonly #sha1: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Runs a store operation, turning a connection failure into a retryable `STORE_UNAVAILABLE`
 * that says what to check. Errors Redis itself answered (wrong type, script error) are bugs
 * or misuse and keep their own message.
 */
export async function storeCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (thrown) {
    const error = toError(thrown);
    if (error.name === 'ReplyError') {
      throw new AgentsError(`Redis refused ${operation}: ${error.message}`, { code: 'STORE_COMMAND', cause: error });
    }
    throw new AgentsError(`Redis is unreachable (${operation}): ${error.message.replace(/\.+$/, '')}. Check REDIS_URL and that Redis is running.`, {
      code: 'STORE_UNAVAILABLE',
      retryable: true,
      cause: error,
    });
  }
}
