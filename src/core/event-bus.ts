import { toError } from './errors.js';

/** What the bus emits as `error` when a listener throws or rejects. */
export interface ListenerErrorEvent {
  error: Error;
  /** The event whose listener failed. */
  event: string;
}

/** Every bus has an `error` event; listener failures are reported there. */
export interface ErrorEvents {
  error: { error: Error; event?: string };
}

export type Listener<P> = (payload: P) => void | Promise<void>;

/**
 * A small typed event bus: event names map to payload types at compile time.
 *
 * Emitting is synchronous and never throws: a listener that throws (or returns a rejected
 * promise) is reported as an `error` event and the remaining listeners still run. A failing
 * `error` listener is reported through `onUnhandledError` so it cannot loop.
 */
export class EventBus<E extends ErrorEvents> {
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();
  readonly #onUnhandledError: (error: Error, event: string) => void;

  constructor(options: { onUnhandledError?: (error: Error, event: string) => void } = {}) {
    this.#onUnhandledError =
      options.onUnhandledError ??
      ((error, event) => process.emitWarning(`listener for "${event}" failed: ${error.message}`, 'EventBusWarning'));
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      return listener(payload);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  /** Resolves with the next payload of `event`, or rejects when `signal` aborts. */
  next<K extends keyof E>(event: K, signal?: AbortSignal): Promise<E[K]> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        off();
        reject(signal?.reason);
      };
      const off = this.once(event, (payload) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(payload);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    // A snapshot, so listeners that (un)subscribe while we iterate do not disturb this emit.
    for (const listener of [...set]) {
      try {
        const result = (listener as Listener<E[K]>)(payload);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (thrown: unknown) => this.#reportListenerError(thrown, String(event)));
        }
      } catch (thrown) {
        this.#reportListenerError(thrown, String(event));
      }
    }
  }

  #reportListenerError(thrown: unknown, event: string): void {
    const error = toError(thrown);
    if (event === 'error' || this.listenerCount('error') === 0) {
      this.#onUnhandledError(error, event);
      return;
    }
    this.emit('error', { error, event } as E['error']);
  }
}
