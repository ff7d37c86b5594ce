/**
 * The shared KeyValueStore on Redis, for several worker nodes: contacts, usage counters and
 * rate-limit buckets become one per deployment instead of one per node. Each operation is
 * one command or one Lua script, so each is atomic across nodes (see store.ts for the map).
 *
 * Time-based logic (the token bucket) runs on Redis's clock (`TIME`), not the nodes' own,
 * so nodes with skewed clocks still agree on one bucket.
 */
import { AgentsError } from '../core/errors.js';
import { LuaScript, openRedis, storeCall, type Redis, type RedisConnectOptions } from './redis-connection.js';
import { bucketTtlMs, type KeyValueStore, type TokenBucket, type TokenTake } from './store.js';

/** INCRBY, then an expiry only when the key has none (PEXPIRE NX, but for Redis < 7 too). */
const INCREMENT = new LuaScript(`
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value
`);

/**
 * store.ts's refillAndTake, in Lua: the same arithmetic and the same stored JSON
 * ({tokens, updatedAtMs}), with Redis's clock. Returns {allowed 0|1, remaining, retryAfterMs
 * (-1: never, the bucket does not refill)}.
 */
const TAKE_TOKEN = new LuaScript(`
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local capacity = tonumber(ARGV[1])
local refillPerMs = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local available = capacity
local stored = redis.call('GET', KEYS[1])
if stored then
  local state = cjson.decode(stored)
  local elapsedMs = math.max(0, nowMs - state.updatedAtMs)
  available = math.min(capacity, state.tokens + elapsedMs * refillPerMs)
end
local allowed, tokens, retryAfterMs = 0, available, 0
if available >= cost then
  allowed, tokens = 1, available - cost
elseif refillPerMs > 0 then
  retryAfterMs = math.ceil((cost - available) / refillPerMs)
else
  retryAfterMs = -1
end
redis.call('SET', KEYS[1], cjson.encode({ tokens = tokens, updatedAtMs = nowMs }), 'PX', ARGV[4])
return { allowed, math.floor(tokens), retryAfterMs }
`);

export interface RedisStoreOptions {
  /** Prepended to every key, so several deployments (or tests) can share one Redis. Default `agents:`. */
  prefix?: string;
  /** Close the client with the store; default true when the store created it. */
  ownsClient?: boolean;
}

export class RedisStore implements KeyValueStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #ownsClient: boolean;
  #closed = false;

  constructor(client: Redis, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'agents:';
    this.#ownsClient = options.ownsClient ?? false;
  }

  /**
   * A store with its own connection to `url`, closed with the store; resolves once connected,
   * or after `readyTimeoutMs` with a store that fails fast (STORE_UNAVAILABLE) until Redis is up.
   */
  static async connect(url: string, options: Omit<RedisStoreOptions, 'ownsClient'> & RedisConnectOptions = {}): Promise<RedisStore> {
    return new RedisStore(await openRedis(url, options), { ...options, ownsClient: true });
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.#call('GET', () => this.#client.get(this.#key(key)));
    return value ?? undefined;
  }

  async set(key: string, value: string, options: { ttlMs?: number } = {}): Promise<void> {
    const ttlMs = checkTtl(options.ttlMs);
    await this.#call('SET', () =>
      ttlMs === undefined ? this.#client.set(this.#key(key), value) : this.#client.set(this.#key(key), value, 'PX', ttlMs),
    );
  }

  async setIfAbsent(key: string, value: string, options: { ttlMs?: number } = {}): Promise<boolean> {
    const ttlMs = checkTtl(options.ttlMs);
    const reply = await this.#call('SET NX', () =>
      ttlMs === undefined
        ? this.#client.set(this.#key(key), value, 'NX')
        : this.#client.set(this.#key(key), value, 'PX', ttlMs, 'NX'),
    );
    return reply === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#call('DEL', () => this.#client.del(this.#key(key)))) > 0;
  }

  async increment(key: string, by = 1, options: { ttlMs?: number } = {}): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new AgentsError(`Cannot increment "${key}" by ${by}: use a whole number.`, { code: 'STORE_TYPE' });
    const ttlMs = checkTtl(options.ttlMs);
    try {
      const value = await this.#call('INCRBY', () => INCREMENT.run(this.#client, [this.#key(key)], [by, ttlMs ?? '']));
      return Number(value);
    } catch (error) {
      if (error instanceof AgentsError && error.code === 'STORE_COMMAND' && /not an integer/.test(error.message)) {
        throw new AgentsError(`Cannot increment "${key}": it holds a non-numeric value.`, { code: 'STORE_TYPE', cause: error });
      }
      throw error;
    }
  }

  async takeToken(key: string, bucket: TokenBucket): Promise<TokenTake> {
    const reply = (await this.#call('token bucket', () =>
      TAKE_TOKEN.run(
        this.#client,
        [this.#key(key)],
        [bucket.capacity, bucket.refillPerSecond, bucket.cost ?? 1, bucketTtlMs(bucket)],
      ),
    )) as [number, number, number];
    const [allowed, remaining, retryAfterMs] = reply;
    return {
      allowed: allowed === 1,
      remaining,
      retryAfterMs: retryAfterMs < 0 ? Number.POSITIVE_INFINITY : retryAfterMs,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) await quietly(this.#client);
  }

  #key(key: string): string {
    return this.#prefix + key;
  }

  #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AgentsError('The store is closed.', { code: 'STORE_CLOSED' }));
    return storeCall(operation, run);
  }
}

function checkTtl(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new AgentsError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}.`, { code: 'STORE_TYPE' });
  }
  // Redis takes whole milliseconds; round up so a TTL never comes out shorter than asked.
  return Math.ceil(ttlMs);
}

/** QUIT politely, or drop the socket if Redis is gone (QUIT would wait for a reconnect). */
export async function quietly(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to disconnect
    }
  }
  client.disconnect();
}
