/**
 * A small key-value store: what the server needs to share state between requests (contacts,
 * usage counters, rate limits) and, later, between nodes. Every operation maps to one Redis
 * command or one Lua script, so a Redis implementation is a thin adapter:
 * `get` → GET, `set` → SET PX, `setIfAbsent` → SET NX PX, `delete` → DEL,
 * `increment` → INCRBY + PEXPIRE NX (in a MULTI), `takeToken` → a Lua token-bucket script.
 *
 * Values are strings (JSON when structured), keys are namespaced by the caller
 * (`contact:<id>`, `ratelimit:<keyId>`).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Stores `value`; `ttlMs` makes it expire (no TTL: kept until deleted). */
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
  /** Stores `value` only when `key` holds nothing; true when it was stored (atomic). */
  setIfAbsent(key: string, value: string, options?: { ttlMs?: number }): Promise<boolean>;
  /** True when a value was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Adds `by` (default 1) to the integer at `key` (missing counts as 0) and returns the new
   * value, atomically. `ttlMs` sets an expiry only when the key has none yet, so a window
   * counter expires from its first increment.
   */
  increment(key: string, by?: number, options?: { ttlMs?: number }): Promise<number>;
  /** Takes `cost` tokens from the bucket at `key`, atomically (see `TokenBucket`). */
  takeToken(key: string, bucket: TokenBucket): Promise<TokenTake>;
  /** Releases the store's resources; idempotent. Later calls reject. */
  close(): Promise<void>;
}

/** A token bucket: it holds up to `capacity` tokens and gains `refillPerSecond` every second. */
export interface TokenBucket {
  capacity: number;
  refillPerSecond: number;
  /** Tokens this take needs; default 1. */
  cost?: number;
}

export interface TokenTake {
  allowed: boolean;
  /** Whole tokens left after this take. */
  remaining: number;
  /** When not allowed: how long until enough tokens have refilled; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * The token-bucket arithmetic, shared by every store so they agree to the millisecond. A
 * bucket is `{tokens, updatedAtMs}`; a missing bucket is full.
 */
export function refillAndTake(
  state: { tokens: number; updatedAtMs: number } | undefined,
  bucket: TokenBucket,
  nowMs: number,
): { state: { tokens: number; updatedAtMs: number }; take: TokenTake } {
  const cost = bucket.cost ?? 1;
  const refillPerMs = bucket.refillPerSecond / 1000;
  const elapsedMs = state ? Math.max(0, nowMs - state.updatedAtMs) : 0;
  const available = state ? Math.min(bucket.capacity, state.tokens + elapsedMs * refillPerMs) : bucket.capacity;
  if (available >= cost) {
    const tokens = available - cost;
    return { state: { tokens, updatedAtMs: nowMs }, take: { allowed: true, remaining: Math.floor(tokens), retryAfterMs: 0 } };
  }
  const retryAfterMs = refillPerMs > 0 ? Math.ceil((cost - available) / refillPerMs) : Number.POSITIVE_INFINITY;
  return {
    state: { tokens: available, updatedAtMs: nowMs },
    take: { allowed: false, remaining: Math.floor(available), retryAfterMs },
  };
}

/** How long a bucket must be kept: the time it takes to refill completely (after that it is full anyway). */
export function bucketTtlMs(bucket: TokenBucket): number {
  return bucket.refillPerSecond > 0 ? Math.ceil((bucket.capacity / bucket.refillPerSecond) * 1000) : 24 * 3600 * 1000;
}
