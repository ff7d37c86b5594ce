/**
 * The in-process SessionStore: the same semantics as the Redis one (leases that expire,
 * per-call slots, close requests that reach the owning node), for a single node or for tests
 * that run several SessionManagers ("nodes") in one process. Every method body runs without
 * an await before its last step, so each is atomic on the event loop.
 */
import { EventEmitter } from 'node:events';
import { AgentsError } from '../core/errors.js';
import type { LeaseOptions, LeaseStatus, ReserveResult, SessionRecord, SessionStore } from './session-store.js';

interface Stored {
  record: SessionRecord;
  expiresAtMs: number;
}

export interface MemorySessionStoreOptions {
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, Stored>();
  /** callKey → sessionId → slot expiry. */
  readonly #slots = new Map<string, Map<string, number>>();
  /** sessionId → close-request expiry. */
  readonly #closeRequests = new Map<string, number>();
  readonly #closeEvents = new EventEmitter();
  readonly #now: () => number;
  #closed = false;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    // Every node of a test subscribes; the default limit of 10 would warn for no reason.
    this.#closeEvents.setMaxListeners(0);
  }

  /** Nothing to learn: this registry lives in the process, so it never loses its state. */
  async open(): Promise<void> {
    this.#assertOpen();
  }

  async reserve(record: SessionRecord, options: LeaseOptions): Promise<ReserveResult> {
    this.#assertOpen();
    const slots = this.#liveSlots(record.callType, record.callId);
    if (slots.size >= options.maxPerCall && !slots.has(record.sessionId)) {
      return { reserved: false, sessionsInCall: slots.size };
    }
    this.#sweepRecords();
    this.#takeSlot(record, slots, this.#now() + options.leaseTtlMs);
    return { reserved: true, sessionsInCall: slots.size };
  }

  async renew(records: readonly SessionRecord[], options: LeaseOptions): Promise<Map<string, LeaseStatus>> {
    this.#assertOpen();
    const statuses = new Map<string, LeaseStatus>();
    const expiresAtMs = this.#now() + options.leaseTtlMs;
    for (const record of records) {
      const slots = this.#liveSlots(record.callType, record.callId);
      if (!slots.has(record.sessionId) && slots.size >= options.maxPerCall) {
        statuses.set(record.sessionId, 'lost');
        continue;
      }
      this.#takeSlot(record, slots, expiresAtMs);
      statuses.set(record.sessionId, this.#hasCloseRequest(record.sessionId) ? 'close-requested' : 'held');
    }
    return statuses;
  }

  async release(record: SessionRecord, retainMs: number): Promise<void> {
    this.#assertOpen();
    const slots = this.#slots.get(callKey(record.callType, record.callId));
    slots?.delete(record.sessionId);
    if (slots?.size === 0) this.#slots.delete(callKey(record.callType, record.callId));
    this.#closeRequests.delete(record.sessionId);
    this.#records.set(record.sessionId, { record: copy(record), expiresAtMs: this.#now() + retainMs });
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    this.#assertOpen();
    const stored = this.#live(sessionId);
    return stored ? copy(stored.record) : undefined;
  }

  async requestClose(sessionId: string, options: { ttlMs: number }): Promise<SessionRecord | undefined> {
    this.#assertOpen();
    const stored = this.#live(sessionId);
    if (!stored || stored.record.state === 'ended') return undefined;
    this.#closeRequests.set(sessionId, this.#now() + options.ttlMs);
    const record = copy(stored.record);
    // Delivered on a later tick, like a message from Redis: never inside the caller's stack.
    setImmediate(() => this.#closeEvents.emit(record.nodeId, sessionId));
    return record;
  }

  /** Never called: there is no connection to lose. */
  onReconnect(_listener: () => void): () => void {
    return () => {};
  }

  async onCloseRequest(nodeId: string, listener: (sessionId: string) => void): Promise<() => Promise<void>> {
    this.#assertOpen();
    this.#closeEvents.on(nodeId, listener);
    return async () => {
      this.#closeEvents.off(nodeId, listener);
    };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeEvents.removeAllListeners();
    this.#records.clear();
    this.#slots.clear();
    this.#closeRequests.clear();
  }

  /** The call's slots with expired ones dropped; a call left without slots is forgotten. */
  #liveSlots(callType: string, callId: string): Map<string, number> {
    const key = callKey(callType, callId);
    const slots = this.#slots.get(key) ?? new Map<string, number>();
    const nowMs = this.#now();
    for (const [sessionId, expiresAtMs] of slots) if (expiresAtMs <= nowMs) slots.delete(sessionId);
    if (slots.size === 0) this.#slots.delete(key);
    return slots;
  }

  #takeSlot(record: SessionRecord, slots: Map<string, number>, expiresAtMs: number): void {
    slots.set(record.sessionId, expiresAtMs);
    this.#slots.set(callKey(record.callType, record.callId), slots);
    this.#records.set(record.sessionId, { record: copy(record), expiresAtMs });
  }

  /** Ended records nobody reads again would otherwise stay forever. */
  #sweepRecords(): void {
    const nowMs = this.#now();
    for (const [sessionId, stored] of this.#records) if (stored.expiresAtMs <= nowMs) this.#records.delete(sessionId);
  }

  #live(sessionId: string): Stored | undefined {
    const stored = this.#records.get(sessionId);
    if (stored && stored.expiresAtMs <= this.#now()) {
      this.#records.delete(sessionId);
      return undefined;
    }
    return stored;
  }

  #hasCloseRequest(sessionId: string): boolean {
    const expiresAtMs = this.#closeRequests.get(sessionId);
    if (expiresAtMs === undefined) return false;
    if (expiresAtMs > this.#now()) return true;
    this.#closeRequests.delete(sessionId);
    return false;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AgentsError('The session store is closed.', { code: 'STORE_CLOSED' });
  }
}

function callKey(callType: string, callId: string): string {
  return `${callType}:${callId}`;
}

/** Records are handed out as copies, like a store that serialises them. */
function copy(record: SessionRecord): SessionRecord {
  return structuredClone(record);
}
