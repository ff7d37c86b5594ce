/**
 * Per-key rate limiting: a token bucket of `burst` requests that refills at `perMinute`. The
 * bucket lives in the KeyValueStore and is taken atomically there, so several nodes sharing a
 * store share one limit per key.
 */
import type { KeyValueStore, TokenTake } from '../store/store.js';

export interface RateLimitOptions {
  perMinute: number;
  burst: number;
}

export class RateLimiter {
  readonly #store: KeyValueStore;
  readonly #bucket: { capacity: number; refillPerSecond: number };

  constructor(store: KeyValueStore, options: RateLimitOptions) {
    this.#store = store;
    this.#bucket = { capacity: options.burst, refillPerSecond: options.perMinute / 60 };
  }

  get burst(): number {
    return this.#bucket.capacity;
  }

  take(keyId: string): Promise<TokenTake> {
    return this.#store.takeToken(`ratelimit:${keyId}`, this.#bucket);
  }
}

/** Retry-After is in whole seconds, at least 1. */
export function retryAfterSeconds(take: TokenTake): number {
  return Math.max(1, Math.ceil(take.retryAfterMs / 1000));
}
