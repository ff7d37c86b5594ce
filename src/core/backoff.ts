/**
 * Exponential backoff with jitter: the pause before trying again, for every client that retries
 * (the conversation writer, the Gemini text client, Gemini Live reconnects, the Redis client).
 * The pause itself is `setTimeout` from `node:timers/promises`, which takes an AbortSignal.
 */

export interface BackoffOptions {
  /** Pause before the first retry; it doubles each time. */
  initialDelayMs: number;
  /** Longest pause. */
  maxDelayMs: number;
}

/**
 * The pause before retry number `retry` (0 for the first), in whole milliseconds. "Equal
 * jitter": half of the step is fixed, half random, so clients that failed together (a server
 * restart drops them all) do not retry together, and none retries at once.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, retry));
  return Math.round(step / 2 + (random() * step) / 2);
}
