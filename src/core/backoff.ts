/** Exponential backoff with jitter, and an abortable sleep: shared by every retrying client. */

export interface BackoffOptions {
  /** Pause before the first retry; it doubles each time. */
  initialDelayMs: number;
  /** Longest pause. */
  maxDelayMs: number;
}

/**
 * The pause before retry number `retry` (0 for the first). "Equal jitter": half of the step is
 * fixed, half random, so clients that failed together do not retry together, and none retries
 * at once.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** retry);
  return step / 2 + (random() * step) / 2;
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
