/**
 * The background writer behind a Conversation. Callers mark keys dirty (synchronously, O(1));
 * one loop writes them in the order they first became dirty, one request at a time, so the
 * remote side sees messages in the order they were created.
 *
 * - Coalescing: a key is written with its latest state. Marking it dirty again while its write
 *   is in flight queues one more write, never one per change.
 * - Throttling: a key that is not urgent (not new, not final) is written at most once per
 *   `minUpdateIntervalMs`, counted from the end of its previous write, which also gives
 *   natural backpressure when the remote side is slow.
 * - Retries: errors classified retryable are retried with backoff and jitter (Retry-After
 *   honoured) up to `maxAttempts`; others are reported once and the write is dropped.
 * - No timer or promise runs while nothing is dirty.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toError } from '../core/errors.js';
import { untilAborted } from '../core/abort.js';
import { backoffDelayMs } from '../core/backoff.js';

export interface RetryVerdict {
  retryable: boolean;
  retryAfterMs?: number;
}

export interface SyncWorkerOptions {
  minUpdateIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Writes the latest state of `key`; `attempt` counts from 1 for each write and its retries. */
  write(key: string, signal: AbortSignal, attempt: number): Promise<void>;
  /** True when `key` must not wait for the throttle (its first or final write). */
  isUrgent(key: string): boolean;
  classify(error: Error): RetryVerdict;
  onRetry(key: string, error: Error, attempt: number, delayMs: number): void;
  onFailure(key: string, error: Error, attempts: number): void;
}

export interface DrainReport {
  /** True when everything was written before the deadline. */
  drained: boolean;
  /** Keys whose latest state was not written. */
  unpersisted: string[];
}

export class SyncWorker {
  readonly #options: SyncWorkerOptions;
  /** Insertion-ordered: the order in which keys became dirty. */
  readonly #dirty = new Set<string>();
  readonly #lastWriteEndMs = new Map<string, number>();
  #running = false;
  #inFlight: string | undefined;
  #wake: (() => void) | undefined;
  #sleepingUntilMs = Number.POSITIVE_INFINITY;
  #idleWaiters: Array<() => void> = [];
  /** While > 0 (flush or close in progress), the throttle is ignored. */
  #hurry = 0;
  readonly #abort = new AbortController();

  constructor(options: SyncWorkerOptions) {
    this.#options = options;
  }

  /** Keys waiting to be written, including the one in flight. */
  get pending(): number {
    return this.#dirty.size + (this.#inFlight !== undefined && !this.#dirty.has(this.#inFlight) ? 1 : 0);
  }

  markDirty(key: string): void {
    if (this.#abort.signal.aborted) return;
    this.#dirty.add(key);
    if (!this.#running) {
      this.#running = true;
      void this.#loop();
    } else if (this.#wake && this.#dueAtMs(key) < this.#sleepingUntilMs) {
      // Only wake the loop when this key is due before it would wake anyway: a streaming
      // message marks itself dirty on every delta, and waking each time would cost a timer.
      this.#wake();
    }
  }

  /** Resolves when nothing is dirty or in flight, writing throttled keys at once. */
  async flush(): Promise<void> {
    if (!this.#running) return;
    this.#hurry++;
    this.#wake?.();
    try {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    } finally {
      this.#hurry--;
    }
  }

  /** Flushes within `timeoutMs`, then stops for good and says what was left. */
  async drain(timeoutMs: number): Promise<DrainReport> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const drained = await Promise.race([this.flush().then(() => true as const), deadline]);
    clearTimeout(timer);
    const unpersisted = [...new Set([...(this.#inFlight !== undefined ? [this.#inFlight] : []), ...this.#dirty])];
    this.#abort.abort(new Error('conversation closed'));
    this.#dirty.clear();
    this.#wake?.();
    return { drained: drained && unpersisted.length === 0, unpersisted };
  }

  /** Forgets throttle state of a key that will not be written again (a finished message). */
  forget(key: string): void {
    if (!this.#dirty.has(key) && this.#inFlight !== key) this.#lastWriteEndMs.delete(key);
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!signal.aborted && this.#dirty.size > 0) {
        const { key, waitMs } = this.#nextDue(performance.now());
        if (key === undefined) {
          await this.#sleepUntilWoken(waitMs);
          continue;
        }
        this.#dirty.delete(key);
        this.#inFlight = key;
        await this.#writeWithRetries(key, signal);
        this.#inFlight = undefined;
        this.#lastWriteEndMs.set(key, performance.now());
      }
    } finally {
      this.#inFlight = undefined;
      this.#running = false;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** When `key` may be written next (0: now), in performance.now() time. */
  #dueAtMs(key: string): number {
    const lastEnd = this.#lastWriteEndMs.get(key);
    if (lastEnd === undefined || this.#hurry > 0 || this.#options.isUrgent(key)) return 0;
    return lastEnd + this.#options.minUpdateIntervalMs;
  }

  /** The first dirty key that may be written now, or how long until one may. */
  #nextDue(nowMs: number): { key?: string; waitMs: number } {
    let waitMs = Number.POSITIVE_INFINITY;
    for (const key of this.#dirty) {
      const dueIn = this.#dueAtMs(key) - nowMs;
      if (dueIn <= 0) return { key, waitMs: 0 };
      waitMs = Math.min(waitMs, dueIn);
    }
    return { waitMs };
  }

  #sleepUntilWoken(waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(waitMs) ? setTimeout(done, Math.ceil(waitMs)) : undefined;
      const worker = this;
      function done() {
        clearTimeout(timer);
        worker.#wake = undefined;
        worker.#sleepingUntilMs = Number.POSITIVE_INFINITY;
        resolve();
      }
      this.#sleepingUntilMs = performance.now() + waitMs;
      this.#wake = done;
    });
  }

  async #writeWithRetries(key: string, signal: AbortSignal): Promise<void> {
    const { maxAttempts } = this.#options;
    for (let attempt = 1; ; attempt++) {
      try {
        await untilAborted(this.#options.write(key, signal, attempt), signal);
        return;
      } catch (thrown) {
        if (signal.aborted) return;
        const error = toError(thrown);
        const verdict = this.#options.classify(error);
        if (!verdict.retryable || attempt >= maxAttempts) {
          this.#options.onFailure(key, error, attempt);
          return;
        }
        const delayMs = Math.max(
          backoffDelayMs(attempt - 1, { initialDelayMs: this.#options.backoffBaseMs, maxDelayMs: this.#options.backoffMaxMs }),
          verdict.retryAfterMs ?? 0,
        );
        this.#options.onRetry(key, error, attempt, delayMs);
        try {
          await sleep(delayMs, undefined, { signal });
        } catch {
          return;
        }
      }
    }
  }
}
