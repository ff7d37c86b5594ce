/**
 * Per-key rate limiting: a token bucket of `burst` requests that refills at `perMinute`. The
 * bucket lives in the KeyValueStore and is taken atomically there, so several nodes sharing a
 * store share one limit per key.
 *
 * When the store is unavailable (it fails, or does not answer within `storeTimeoutMs`) the
 * limiter fails open to a bucket of this node with the same parameters, rather than refusing
 * every request (429/503) because of an outage of a store that only counts: the API stays up,
 * and each key is still held to `burst` and `perMinute` per node, so a cluster of N nodes
 * allows at most N times the limit meanwhile. The outage is logged once, and each request
 * decided locally is counted (`onLocalDecision`, a Prometheus counter in the worker). While
 * the store is down, requests do not wait for it: one request per `retryStoreAfterMs` asks it
 * again, the others are decided locally at once. Buckets are shared again as soon as it answers.
 */
import { withDeadline } from '../core/deadline.js';
import { createLogger, type Logger } from '../core/logger.js';
import { refillAndTake, type KeyValueStore, type TokenBucket, type TokenTake } from '../store/store.js';
import { StoreOutage } from '../store/store-outage.js';

export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  /** A store slower than this counts as unavailable for the request; default 250. */
  storeTimeoutMs?: number;
  /** While the store is unavailable, it is asked again at most this often; default 1 000. */
  retryStoreAfterMs?: number;
  /** Called for each request decided by this node's bucket because the store was unavailable. */
  onLocalDecision?: () => void;
  logger?: Logger;
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

type BucketState = { tokens: number; updatedAtMs: number };

export class RateLimiter {
  readonly #store: KeyValueStore;
  readonly #bucket: TokenBucket;
  readonly #storeTimeoutMs: number;
  readonly #retryStoreAfterMs: number;
  readonly #onLocalDecision: (() => void) | undefined;
  readonly #now: () => number;
  readonly #outage: StoreOutage;
  /**
   * This node's buckets, used only while the store is unavailable. Keyed by API key id, of
   * which there are as many as configured keys, so the map cannot grow without bound.
   */
  readonly #local = new Map<string, BucketState>();
  #retryStoreAtMs = 0;

  constructor(store: KeyValueStore, options: RateLimitOptions) {
    this.#store = store;
    this.#bucket = { capacity: options.burst, refillPerSecond: options.perMinute / 60 };
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 250;
    this.#retryStoreAfterMs = options.retryStoreAfterMs ?? 1_000;
    this.#onLocalDecision = options.onLocalDecision;
    this.#now = options.now ?? Date.now;
    this.#outage = new StoreOutage(options.logger ?? createLogger('server.rate-limit'), {
      down: "rate limiting fell back to this node's local bucket: the store is unavailable",
      up: 'rate limiting is shared through the store again',
    });
  }

  get burst(): number {
    return this.#bucket.capacity;
  }

  /** A token for `keyId`; never rejects, and never waits longer than `storeTimeoutMs`. */
  async take(keyId: string): Promise<TokenTake> {
    if (this.#outage.isDown && this.#now() < this.#retryStoreAtMs) return this.#takeLocally(keyId);
    // This request asks the store; while the store is down, the others meanwhile do not.
    this.#retryStoreAtMs = this.#now() + this.#retryStoreAfterMs;
    try {
      const take = await withDeadline(this.#store.takeToken(`ratelimit:${keyId}`, this.#bucket), this.#storeTimeoutMs, 'the store');
      this.#outage.answered();
      this.#local.clear();
      return take;
    } catch (error) {
      this.#outage.failed(error);
      return this.#takeLocally(keyId);
    }
  }

  #takeLocally(keyId: string): TokenTake {
    this.#onLocalDecision?.();
    const { state, take } = refillAndTake(this.#local.get(keyId), this.#bucket, this.#now());
    this.#local.set(keyId, state);
    return take;
  }
}

/** Retry-After is in whole seconds, at least 1. */
export function retryAfterSeconds(take: TokenTake): number {
  return Math.max(1, Math.ceil(take.retryAfterMs / 1000));
}
