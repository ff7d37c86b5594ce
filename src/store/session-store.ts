/**
 * The session registry the worker nodes share: which agent sessions exist, on which node, in
 * which state, and how many each call has. Every operation is atomic across nodes (one Lua
 * script in Redis, one synchronous step in memory), which is what makes the per-call limit
 * hold when fifty requests for one call arrive at three nodes at once.
 *
 * A live session holds a *lease*: its record and its slot in the call expire unless the owning
 * node renews them (the heartbeat). A node that dies therefore frees its calls' slots within
 * one lease, and the rest of the cluster never waits for it.
 */

export type SessionState = 'starting' | 'active' | 'closing' | 'ended';

export interface SessionRecord {
  sessionId: string;
  callType: string;
  callId: string;
  /** The node running the agent; close requests go there. */
  nodeId: string;
  /** ISO 8601. */
  startedAt: string;
  state: SessionState;
  /** ISO 8601, once ended. */
  endedAt?: string;
  /** Why it ended: 'closed', 'idle', 'max-duration', 'call-ended', 'error', 'drain', 'lease-lost', 'abandoned'. */
  endReason?: string;
  /** When it ended with an error: the error's message (no stack, no secrets). */
  error?: string;
  /** The session's figures as of the owner's last heartbeat. */
  figures?: SessionFigures;
  /** SHA-256 (hex) of the session's close token; never sent to clients. */
  closeTokenHash?: string;
}

/** What a session has done so far; the owner writes them with every heartbeat. */
export interface SessionFigures {
  /** ISO 8601: when these figures were taken. */
  at: string;
  durationMs: number;
  /** Humans in the call (everyone but the agent). */
  humans: number;
  turns: number;
  interruptions: number;
  audioUnderruns: number;
  conversationRetries: number;
  conversationFailures: number;
  /** End of the user's speech to the agent's first audio or text; percentiles over recent turns. */
  responseLatencyMs: { count: number; meanMs?: number; p50Ms?: number; p95Ms?: number; maxMs?: number; lastMs?: number };
}

export type ReserveResult =
  | { reserved: true; sessionsInCall: number }
  | { reserved: false; sessionsInCall: number }
  /**
   * The registry lost its state (Redis restarted empty) and refuses new slots for a while, so
   * the nodes still running sessions can re-assert them before anyone reserves over them.
   */
  | { reserved: false; recovering: true; retryAfterMs: number };

/**
 * The outcome of renewing one lease: `held` (renewed, or retaken because the slot was still
 * free), `lost` (expired and taken by another session: the owner must stop), or
 * `close-requested` (another node asked for it to be closed; renewed meanwhile).
 */
export type LeaseStatus = 'held' | 'lost' | 'close-requested';

export interface LeaseOptions {
  /** How long a lease lasts without renewal. */
  leaseTtlMs: number;
  /** The most live sessions one call may have across all nodes. */
  maxPerCall: number;
}

export interface SessionStore {
  /**
   * Learns the registry's state before the first reservation (see RedisSessionStore's epoch).
   * Never fails because the store is unreachable: the node then starts without it.
   */
  open(): Promise<void>;
  /**
   * Stores `record` and takes a slot in its call, atomically, when the call has fewer than
   * `maxPerCall` live sessions; otherwise changes nothing. Expired slots do not count.
   */
  reserve(record: SessionRecord, options: LeaseOptions): Promise<ReserveResult>;
  /**
   * The owner's heartbeat: rewrites each record (state, figures) and extends its lease. A lease
   * that expired (or vanished with the store's state) is retaken when the call still has room,
   * else reported `lost`. Renewing is how a node re-asserts what it holds after the registry
   * lost its state, so it is allowed while the registry is recovering.
   */
  renew(records: readonly SessionRecord[], options: LeaseOptions): Promise<Map<string, LeaseStatus>>;
  /** Frees the call slot and keeps the final record for `retainMs`, so clients can read how it ended. */
  release(record: SessionRecord, retainMs: number): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /**
   * Asks the owning node to close a live session: records the request (seen on the owner's next
   * heartbeat) and notifies the owner at once. Returns the record, or undefined when the session
   * is unknown or already ended (nothing is recorded then).
   */
  requestClose(sessionId: string, options: { ttlMs: number }): Promise<SessionRecord | undefined>;
  /**
   * Calls `listener` each time the store's connection comes back after a loss, so the owner can
   * re-assert its leases at once instead of at its next heartbeat. Returns an unsubscribe.
   */
  onReconnect(listener: () => void): () => void;
  /** Calls `listener` with each close request for a session owned by `nodeId`; resolves to an unsubscribe. */
  onCloseRequest(nodeId: string, listener: (sessionId: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the store answers; rejects (STORE_UNAVAILABLE) when it does not. */
  ping(): Promise<void>;
  /** Idempotent; later calls reject with STORE_CLOSED. */
  close(): Promise<void>;
}
