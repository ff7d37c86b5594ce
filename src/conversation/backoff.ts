/** Exponential backoff with full jitter, bounded, honouring a server's Retry-After. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function backoffDelayMs(attempt: number, options: BackoffOptions, retryAfterMs?: number): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
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
