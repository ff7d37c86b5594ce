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
 * - `registry:epoch`: which incarnation of the registry this is (see below);
 * - `registry:recovering`: present for one lease after the registry lost its state.
 *
 * The pub/sub message is the fast path and the key the safety net: a node whose subscriber was
 * reconnecting when a request was published still closes the session on its next heartbeat.
 *
 * Losing the state. Redis without persistence restarts empty: every slot is gone while the
 * agents that held them are still in their calls, and a new request for such a call would
 * start a second agent before the owner's next heartbeat retakes its slot. So the registry
 * has an epoch: a marker key every node remembers (read, or created on a fresh deployment,
 * in `open`). Every RESERVE and RENEW passes the epoch its node knows, and the script compares
 * atomically. A missing marker that a node remembers means the state was lost: the script
 * writes a new epoch and a `recovering` key that lives one lease TTL. While it exists RESERVE
 * refuses (the node answers 503) and RENEW still retakes the slots its owners hold, which every
 * running node does at its next heartbeat and, sooner, as soon as its connection is back. A
 * marker that differs from a node's means another node noticed first: the node adopts it (and
 * a renewing node, which holds slots, extends the window so its own re-assertion is covered).
 *
 * The edge this cannot close: a node that starts while Redis is back but empty, before any
 * running node has reconnected, finds no marker and cannot tell a lost registry from a new
 * deployment; it creates the marker without a grace window, and could reserve a call whose
 * owner has not re-asserted yet. Running nodes re-assert on reconnect, so the window is the
 * time between Redis coming back and their reconnect (up to the 2 s reconnect backoff).
 */
import { randomUUID } from 'node:crypto';
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

/**
 * The epoch check every RESERVE and RENEW starts with (see the file comment). KEYS[1] is the
 * marker, KEYS[2] the recovering key; `known` is the caller's epoch ('' when it has seen none
 * yet), `candidate` a fresh one to write if the marker is gone, `holding` whether the caller
 * re-asserts slots. Returns the current epoch.
 */
const CHECK_EPOCH = `
local function checkEpoch(known, candidate, ttlMs, holding)
  local epoch = redis.call('GET', KEYS[1])
  if not epoch then
    redis.call('SET', KEYS[1], candidate)
    if known ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ttlMs) end
    return candidate
  end
  if holding and known ~= '' and epoch ~= known then
    redis.call('SET', KEYS[2], '1', 'PX', ttlMs)
  end
  return epoch
end
`;

/** KEYS: epoch marker. ARGV: a fresh epoch. Returns the marker, created when missing. */
const READ_EPOCH = new LuaScript(`
local epoch = redis.call('GET', KEYS[1])
if epoch then return epoch end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`);

/**
 * KEYS: epoch, recovering, slots, record. ARGV: sessionId, record JSON, leaseTtlMs, maxPerCall,
 * known epoch, fresh epoch. Returns {1 reserved | 0 call full | -1 recovering, sessions in the
 * call, epoch, recovering ms left}.
 */
const RESERVE = new LuaScript(`${NOW_MS}${CHECK_EPOCH}
local ttlMs = tonumber(ARGV[3])
local epoch = checkEpoch(ARGV[5], ARGV[6], ttlMs, false)
local recoveringMs = redis.call('PTTL', KEYS[2])
if recoveringMs > 0 then
  return { -1, 0, epoch, recoveringMs }
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs)
local count = redis.call('ZCARD', KEYS[3])
if count >= tonumber(ARGV[4]) and not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return { 0, count, epoch, 0 }
end
redis.call('ZADD', KEYS[3], nowMs + ttlMs, ARGV[1])
redis.call('PEXPIRE', KEYS[3], ttlMs)
redis.call('SET', KEYS[4], ARGV[2], 'PX', ttlMs)
return { 1, redis.call('ZCARD', KEYS[3]), epoch, 0 }
`);

/**
 * KEYS: epoch, recovering, then (slots, record, close request) per session. ARGV: leaseTtlMs,
 * maxPerCall, known epoch, fresh epoch, then (sessionId, record JSON) per session. Returns the
 * epoch, then one status per session.
 */
const RENEW = new LuaScript(`${NOW_MS}${CHECK_EPOCH}
local ttlMs = tonumber(ARGV[1])
local maxPerCall = tonumber(ARGV[2])
local epoch = checkEpoch(ARGV[3], ARGV[4], ttlMs, true)
local reply = { epoch }
for i = 0, (#KEYS - 2) / 3 - 1 do
  local slots, record, closeRequest = KEYS[i * 3 + 3], KEYS[i * 3 + 4], KEYS[i * 3 + 5]
  local sessionId, json = ARGV[i * 2 + 5], ARGV[i * 2 + 6]
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', nowMs)
  if not redis.call('ZSCORE', slots, sessionId) and redis.call('ZCARD', slots) >= maxPerCall then
    reply[i + 2] = 'lost'
  else
    redis.call('ZADD', slots, nowMs + ttlMs, sessionId)
    redis.call('PEXPIRE', slots, ttlMs)
    redis.call('SET', record, json, 'PX', ttlMs)
    if redis.call('EXISTS', closeRequest) == 1 then
      reply[i + 2] = 'close-requested'
    else
      reply[i + 2] = 'held'
    end
  end
end
return reply
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

/** The epoch of a node that could not read the marker when it opened: it matches no real one. */
const UNKNOWN_EPOCH = 'unknown';

export class RedisSessionStore implements SessionStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #ownsClient: boolean;
  readonly #logger: Logger;
  readonly #subscribers = new Set<Redis>();
  /**
   * The registry epoch this node last saw; '' before it has seen any (a store used without
   * `open` learns it from its first reservation, like a node of a new deployment).
   */
  #knownEpoch = '';
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

  /**
   * Reads the registry's epoch, creating it on a fresh deployment. When Redis is unreachable
   * the node starts anyway with an epoch that matches none, so that if it later finds the
   * marker missing it treats the registry as lost (a grace window) rather than as new.
   */
  async open(): Promise<void> {
    this.#assertOpen();
    try {
      this.#knownEpoch = (await this.#call('read epoch', () => READ_EPOCH.run(this.#client, [this.#epochKey()], [randomUUID()]))) as string;
    } catch (error) {
      this.#knownEpoch = UNKNOWN_EPOCH;
      this.#logger.warn({ err: toError(error) }, 'could not read the session registry; starting without it');
    }
  }

  async reserve(record: SessionRecord, options: LeaseOptions): Promise<ReserveResult> {
    const [status, sessionsInCall, epoch, recoveringMs] = (await this.#call('reserve', () =>
      RESERVE.run(
        this.#client,
        [this.#epochKey(), this.#recoveringKey(), this.#slotsKey(record), this.#recordKey(record.sessionId)],
        [record.sessionId, JSON.stringify(record), leaseMs(options.leaseTtlMs), options.maxPerCall, this.#knownEpoch, randomUUID()],
      ),
    )) as [number, number, string, number];
    this.#learnEpoch(epoch);
    if (status === -1) return { reserved: false, recovering: true, retryAfterMs: recoveringMs };
    return status === 1 ? { reserved: true, sessionsInCall } : { reserved: false, sessionsInCall };
  }

  async renew(records: readonly SessionRecord[], options: LeaseOptions): Promise<Map<string, LeaseStatus>> {
    if (records.length === 0) return new Map();
    const keys = [
      this.#epochKey(),
      this.#recoveringKey(),
      ...records.flatMap((record) => [this.#slotsKey(record), this.#recordKey(record.sessionId), this.#closeKey(record.sessionId)]),
    ];
    const args = [
      leaseMs(options.leaseTtlMs),
      options.maxPerCall,
      this.#knownEpoch,
      randomUUID(),
      ...records.flatMap((r) => [r.sessionId, JSON.stringify(r)]),
    ];
    const [epoch, ...statuses] = (await this.#call('renew', () => RENEW.run(this.#client, keys, args))) as [string, ...LeaseStatus[]];
    this.#learnEpoch(epoch);
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

  onReconnect(listener: () => void): () => void {
    // The first 'ready' (at start) is no reconnect; only later ones are.
    let connected = this.#client.status === 'ready';
    const onReady = () => {
      if (connected) listener();
      connected = true;
    };
    this.#client.on('ready', onReady);
    return () => void this.#client.off('ready', onReady);
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

  /** Keeps the epoch the store answered with; logs when it is not the one this node knew. */
  #learnEpoch(epoch: string): void {
    if (epoch === this.#knownEpoch) return;
    if (this.#knownEpoch !== '' && this.#knownEpoch !== UNKNOWN_EPOCH) {
      this.#logger.warn({ epoch }, 'the session registry lost its state (Redis restarted empty?); running sessions re-assert their slots');
    }
    this.#knownEpoch = epoch;
  }

  #epochKey(): string {
    return `${this.#prefix}registry:epoch`;
  }

  #recoveringKey(): string {
    return `${this.#prefix}registry:recovering`;
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
