/**
 * The SessionStore on Redis, shared by every worker node.
 *
 * Keys (under the prefix, default `agents:`):
 * - `session:<id>`: the record (JSON), expiring with its lease, or kept a while once ended;
 * - `call:<type>:<id>:slots`: a sorted set of the call's live sessions scored by lease expiry
 *   (Redis's clock), so expired leases drop out of the count without anyone cleaning up;
 * - `session:<id>:close`: a pending close request, read by the owner's heartbeat;
 * - channel `node:<nodeId>:close`: close requests pushed to the owner at once.
 *
 * The pub/sub message is the fast path and the key the safety net: a node whose subscriber was
 * reconnecting when a request was published still closes the session on its next heartbeat.
 */
import { AgentsError, toError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { LuaScript, logRedisErrors, openRedis, storeCall, whenReady, type Redis, type RedisConnectOptions } from './redis-connection.js';
import { quietly } from './redis-store.js';
import type { LeaseOptions, LeaseStatus, ReserveResult, SessionRecord, SessionStore } from './session-store.js';

/** Milliseconds on Redis's clock; every script that scores leases uses this. */
const NOW_MS = `
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/** KEYS: slots, record. ARGV: sessionId, record JSON, leaseTtlMs, maxPerCall. */
const RESERVE = new LuaScript(`${NOW_MS}
local ttlMs = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[4]) and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return { 0, count }
end
redis.call('ZADD', KEYS[1], nowMs + ttlMs, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttlMs)
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttlMs)
return { 1, redis.call('ZCARD', KEYS[1]) }
`);

/**
 * KEYS: (slots, record, close request) per session. ARGV: leaseTtlMs, maxPerCall, then
 * (sessionId, record JSON) per session. Returns one status per session.
 */
const RENEW = new LuaScript(`${NOW_MS}
local ttlMs = tonumber(ARGV[1])
local maxPerCall = tonumber(ARGV[2])
local statuses = {}
for i = 0, #KEYS / 3 - 1 do
  local slots, record, closeRequest = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3]
  local sessionId, json = ARGV[i * 2 + 3], ARGV[i * 2 + 4]
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', nowMs)
  if not redis.call('ZSCORE', slots, sessionId) and redis.call('ZCARD', slots) >= maxPerCall then
    statuses[i + 1] = 'lost'
  else
    redis.call('ZADD', slots, nowMs + ttlMs, sessionId)
    redis.call('PEXPIRE', slots, ttlMs)
    redis.call('SET', record, json, 'PX', ttlMs)
    if redis.call('EXISTS', closeRequest) == 1 then
      statuses[i + 1] = 'close-requested'
    else
      statuses[i + 1] = 'held'
    end
  end
end
return statuses
`);

/** KEYS: slots, record, close request. ARGV: sessionId, final record JSON, retainMs. */
const RELEASE = new LuaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[3])
return 1
`);

/** KEYS: record, close request. ARGV: ttlMs, channel prefix, sessionId. Returns the record JSON or nil. */
const REQUEST_CLOSE = new LuaScript(`
local json = redis.call('GET', KEYS[1])
if not json then return false end
local record = cjson.decode(json)
if record.state == 'ended' then return false end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2] .. record.nodeId .. ':close', ARGV[3])
return json
`);

export interface RedisSessionStoreOptions {
  /** Prepended to every key and channel. Default `agents:`. */
  prefix?: string;
  /** Close the client with the store; default true when the store created it. */
  ownsClient?: boolean;
  logger?: Logger;
}

export class RedisSessionStore implements SessionStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #ownsClient: boolean;
  readonly #logger: Logger;
  readonly #subscribers = new Set<Redis>();
  #closed = false;

  constructor(client: Redis, options: RedisSessionStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'agents:';
    this.#ownsClient = options.ownsClient ?? false;
    this.#logger = options.logger ?? createLogger('store.sessions');
  }

  /**
   * A store with its own connection to `url`, closed with the store; resolves once connected,
   * or after `readyTimeoutMs` with a store that fails fast (STORE_UNAVAILABLE) until Redis is up.
   */
  static async connect(url: string, options: Omit<RedisSessionStoreOptions, 'ownsClient'> & RedisConnectOptions = {}): Promise<RedisSessionStore> {
    return new RedisSessionStore(await openRedis(url, options), { ...options, ownsClient: true });
  }

  async reserve(record: SessionRecord, options: LeaseOptions): Promise<ReserveResult> {
    const [reserved, sessionsInCall] = (await this.#call('reserve', () =>
      RESERVE.run(
        this.#client,
        [this.#slotsKey(record), this.#recordKey(record.sessionId)],
        [record.sessionId, JSON.stringify(record), leaseMs(options.leaseTtlMs), options.maxPerCall],
      ),
    )) as [number, number];
    return { reserved: reserved === 1, sessionsInCall };
  }

  async renew(records: readonly SessionRecord[], options: LeaseOptions): Promise<Map<string, LeaseStatus>> {
    if (records.length === 0) return new Map();
    const keys = records.flatMap((record) => [
      this.#slotsKey(record),
      this.#recordKey(record.sessionId),
      this.#closeKey(record.sessionId),
    ]);
    const args = [leaseMs(options.leaseTtlMs), options.maxPerCall, ...records.flatMap((r) => [r.sessionId, JSON.stringify(r)])];
    const statuses = (await this.#call('renew', () => RENEW.run(this.#client, keys, args))) as LeaseStatus[];
    return new Map(records.map((record, i) => [record.sessionId, statuses[i] ?? 'lost']));
  }

  async release(record: SessionRecord, retainMs: number): Promise<void> {
    await this.#call('release', () =>
      RELEASE.run(
        this.#client,
        [this.#slotsKey(record), this.#recordKey(record.sessionId), this.#closeKey(record.sessionId)],
        [record.sessionId, JSON.stringify(record), leaseMs(retainMs)],
      ),
    );
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const json = await this.#call('get', () => this.#client.get(this.#recordKey(sessionId)));
    return json === null ? undefined : (JSON.parse(json) as SessionRecord);
  }

  async requestClose(sessionId: string, options: { ttlMs: number }): Promise<SessionRecord | undefined> {
    const json = (await this.#call('request close', () =>
      REQUEST_CLOSE.run(
        this.#client,
        [this.#recordKey(sessionId), this.#closeKey(sessionId)],
        [leaseMs(options.ttlMs), `${this.#prefix}node:`, sessionId],
      ),
    )) as string | null;
    return json === null ? undefined : (JSON.parse(json) as SessionRecord);
  }

  async onCloseRequest(nodeId: string, listener: (sessionId: string) => void): Promise<() => Promise<void>> {
    this.#assertOpen();
    const channel = `${this.#prefix}node:${nodeId}:close`;
    // A subscribed connection can do nothing else, so it gets its own; ioredis resubscribes
    // after a reconnect by itself. Unlike the command connection it may queue: its SUBSCRIBE is
    // no request anyone waits for, and when Redis is down at start it is sent once Redis is up.
    const subscriber = this.#client.duplicate({
      connectionName: `${this.#client.options.connectionName ?? 'agents'}-sub`,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    logRedisErrors(subscriber, this.#logger);
    this.#subscribers.add(subscriber);
    subscriber.on('message', (from: string, sessionId: string) => {
      if (from === channel) listener(sessionId);
    });
    const subscribed = storeCall('subscribe', () => subscriber.subscribe(channel));
    if (await whenReady(subscriber, SUBSCRIBE_WAIT_MS)) {
      try {
        await subscribed;
      } catch (error) {
        this.#subscribers.delete(subscriber);
        subscriber.disconnect();
        throw error;
      }
    } else {
      // Redis is down: heartbeats still see close requests (their key) once it is back.
      subscribed.catch((error: unknown) => this.#logger.warn({ err: toError(error) }, 'could not subscribe to close requests'));
      this.#logger.warn({ channel }, 'Redis is unreachable: close requests will arrive once it is back');
    }
    return async () => {
      if (!this.#subscribers.delete(subscriber)) return;
      await quietly(subscriber);
    };
  }

  async ping(): Promise<void> {
    await this.#call('ping', () => this.#client.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    await Promise.all(subscribers.map((subscriber) => quietly(subscriber)));
    if (this.#ownsClient) await quietly(this.#client);
  }

  #recordKey(sessionId: string): string {
    return `${this.#prefix}session:${sessionId}`;
  }

  #closeKey(sessionId: string): string {
    return `${this.#prefix}session:${sessionId}:close`;
  }

  #slotsKey(record: Pick<SessionRecord, 'callType' | 'callId'>): string {
    return `${this.#prefix}call:${record.callType}:${record.callId}:slots`;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AgentsError('The session store is closed.', { code: 'STORE_CLOSED' });
  }

  #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AgentsError('The session store is closed.', { code: 'STORE_CLOSED' }));
    return storeCall(operation, run);
  }
}

/** How long `onCloseRequest` waits for a subscriber connection before it goes on without one. */
const SUBSCRIBE_WAIT_MS = 2_000;

/** Redis takes whole, positive milliseconds. */
function leaseMs(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new AgentsError(`A lease must last a positive number of ms, got ${ms}.`, { code: 'STORE_TYPE' });
  return Math.ceil(ms);
}
