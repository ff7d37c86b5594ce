import { backoffDelayMs } from '../core/backoff.js';

/**
 * When to try a failed model request again. Providers retry only before anything reached the
 * caller (a half-streamed answer cannot be taken back), so this is about the pause in between.
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  /** Pause before the first retry; it doubles each time, with jitter. */
  initialDelayMs: number;
  /** Longest pause; a server asking for a longer one is not retried (the caller decides). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, initialDelayMs: 500, maxDelayMs: 8_000 };

/**
 * The pause before retry number `retry` (0 for the first retry), or undefined when the server
 * advised a longer wait than `maxDelayMs`; otherwise the shared exponential backoff.
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  advisedDelayMs?: number,
  random: () => number = Math.random,
): number | undefined {
  if (advisedDelayMs !== undefined) return advisedDelayMs <= policy.maxDelayMs ? advisedDelayMs : undefined;
  return backoffDelayMs(retry, policy, random);
}
