import { AgentsError } from '../core/errors.js';
import { bucketTtlMs, refillAndTake, type KeyValueStore, type TokenBucket, type TokenTake } from './store.js';

interface Entry {
  value: string;
  /** Absent: never expires. */
  expiresAtMs?: number;
}

export interface MemoryStoreOptions {
  /** How often expired entries are swept out; default 60 000. Reads expire lazily anyway. */
  sweepIntervalMs?: number;
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

/**
 * The in-process KeyValueStore: one Map, lazy expiry on every read, and an unref'd sweep so
 * keys nobody reads again (rate-limit buckets of departed clients) do not pile up. Fine for
 * one node; several nodes need the shared (Redis) store.
 */
export class MemoryStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweepTimer = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 60_000);
    // The sweep is housekeeping: it must never keep the process alive.
    this.#sweepTimer.unref();
  }

  /** Live entries (expired ones excluded); for diagnostics and tests. */
  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    this.#assertOpen();
    return this.#read(key)?.value;
  }

  async set(key: string, value: string, options: { ttlMs?: number } = {}): Promise<void> {
    this.#assertOpen();
    this.#write(key, value, options.ttlMs);
  }

  async setIfAbsent(key: string, value: string, options: { ttlMs?: number } = {}): Promise<boolean> {
    this.#assertOpen();
    if (this.#read(key)) return false;
    this.#write(key, value, options.ttlMs);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    this.#assertOpen();
    const existed = this.#read(key) !== undefined;
    this.#entries.delete(key);
    return existed;
  }

  async increment(key: string, by = 1, options: { ttlMs?: number } = {}): Promise<number> {
    this.#assertOpen();
    const entry = this.#read(key);
    const current = entry ? Number(entry.value) : 0;
    if (!Number.isFinite(current)) {
      throw new AgentsError(`Cannot increment "${key}": it holds a non-numeric value.`, { code: 'STORE_TYPE' });
    }
    const next = current + by;
    // Like Redis PEXPIRE NX: the first increment starts the window, later ones keep it.
    const expiresAtMs = entry?.expiresAtMs ?? (options.ttlMs === undefined ? undefined : this.#now() + options.ttlMs);
    this.#entries.set(key, { value: String(next), ...(expiresAtMs === undefined ? {} : { expiresAtMs }) });
    return next;
  }

  async takeToken(key: string, bucket: TokenBucket): Promise<TokenTake> {
    this.#assertOpen();
    const nowMs = this.#now();
    const stored = this.#read(key);
    const previous = stored ? (JSON.parse(stored.value) as { tokens: number; updatedAtMs: number }) : undefined;
    const { state, take } = refillAndTake(previous, bucket, nowMs);
    this.#write(key, JSON.stringify(state), bucketTtlMs(bucket));
    return take;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.#entries.clear();
  }

  #read(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAtMs !== undefined && entry.expiresAtMs <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, ttlMs: number | undefined): void {
    this.#entries.set(key, ttlMs === undefined ? { value } : { value, expiresAtMs: this.#now() + ttlMs });
  }

  #sweep(): void {
    const nowMs = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAtMs !== undefined && entry.expiresAtMs <= nowMs) this.#entries.delete(key);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new AgentsError('The store is closed.', { code: 'STORE_CLOSED' });
  }
}
