/**
 * Each person's typed turns, a token bucket per user: `burst` at once, then refilled at
 * `perMinute`. A bucket that has refilled completely holds nothing worth keeping and is dropped,
 * so the map holds only people who typed lately.
 */
import type { ChatRateLimit } from './chat-settings.js';

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TypedTurnRateLimit {
  readonly #limit: ChatRateLimit;
  readonly #buckets = new Map<string, Bucket>();
  readonly #refillPerMs: number;

  constructor(limit: ChatRateLimit) {
    this.#limit = limit;
    this.#refillPerMs = limit.perMinute / 60_000;
  }

  /** Takes one turn for `userId`; false when they are over their limit. */
  take(userId: string, nowMs = performance.now()): boolean {
    this.#forgetFull(nowMs);
    const bucket = this.#buckets.get(userId) ?? { tokens: this.#limit.burst, atMs: nowMs };
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + (nowMs - bucket.atMs) * this.#refillPerMs);
    bucket.atMs = nowMs;
    if (bucket.tokens < 1) {
      this.#buckets.set(userId, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.#buckets.set(userId, bucket);
    return true;
  }

  /** People tracked now (those whose bucket is not full). */
  get size(): number {
    return this.#buckets.size;
  }

  #forgetFull(nowMs: number): void {
    for (const [userId, bucket] of this.#buckets) {
      if (bucket.tokens + (nowMs - bucket.atMs) * this.#refillPerMs >= this.#limit.burst) this.#buckets.delete(userId);
    }
  }
}
