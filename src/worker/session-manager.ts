/**
 * The sessions of one worker node: starts agents within the node's and the call's limits,
 * keeps their leases in the shared registry alive (the heartbeat), closes sessions when asked
 * by any node, and drains them all on shutdown. It knows nothing about HTTP.
 *
 *   const manager = new SessionManager({ factory, store, limits });
 *   await manager.open();
 *   const started = await manager.start({ type: 'default', id: 'call-1' });
 *   await manager.requestClose(started.sessionId);
 *   await manager.close();            // drains: every agent closed, transcripts flushed
 *
 * A session that crashes is logged, counted and removed; it never throws into the caller of
 * another session, nor out of a timer.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { childLogger, createLogger, type Logger } from '../core/logger.js';
import { StoreOutage } from '../store/store-outage.js';
import type { LeaseOptions, SessionFigures, SessionRecord, SessionStore } from '../store/session-store.js';
import type { WorkerMetrics } from '../http/metrics.js';
import type { CallRef } from './call-ids.js';
import { Session, type SessionEnd, type SessionEndReason } from './session.js';
import type { AgentFactory } from './session-agent.js';
import { RegistryRecoveringError, SessionLimitError, WorkerDrainingError } from './session-errors.js';

export interface SessionManagerLimits {
  /** Sessions this node runs at most (MAX_SESSIONS). */
  maxSessions: number;
  /** Live sessions one call may have across all nodes (MAX_SESSIONS_PER_CALL). */
  maxSessionsPerCall: number;
  /** A session ends after this long with no human in the call (AGENT_IDLE_TIMEOUT_MS). */
  idleTimeoutMs: number;
  /** A session ends after this long whatever happens (MAX_SESSION_DURATION_MS). */
  maxSessionDurationMs: number;
}

export interface SessionManagerTiming {
  /** How long the factory may take to join; default 30 000. */
  startTimeoutMs?: number;
  /** A lease lasts this long without renewal; default 15 000. */
  leaseTtlMs?: number;
  /** Leases are renewed (and figures published) this often; default a third of the lease. */
  heartbeatIntervalMs?: number;
  /** An ended session's record stays readable this long; default 10 minutes. */
  endedRetentionMs?: number;
}

export interface SessionManagerOptions {
  factory: AgentFactory;
  store: SessionStore;
  limits: SessionManagerLimits;
  timing?: SessionManagerTiming;
  /** This node's id in the registry; default `<hostname>-<pid>-<random>`. */
  nodeId?: string;
  metrics?: WorkerMetrics;
  logger?: Logger;
}

/** What the client gets back for a started session. */
export interface StartedSession {
  sessionId: string;
  callType: string;
  callId: string;
  nodeId: string;
  state: 'active';
  startedAt: string;
  /** Lets a browser close the session (`POST …/close?token=`) without an API key. Shown once. */
  closeToken: string;
}

export interface DrainResult {
  /** Sessions that ended within the timeout. */
  closed: number;
  /**
   * Sessions still closing when the timeout passed: recorded as ended `abandoned` and left to
   * finish closing by themselves (their transcript may be incomplete).
   */
  abandoned: number;
}

/** How long a drain that ran out waits more for the abandoned sessions' final records to be stored. */
const ABANDON_RELEASE_WAIT_MS = 2_000;

export class SessionManager {
  readonly nodeId: string;
  readonly #factory: AgentFactory;
  readonly #store: SessionStore;
  readonly #limits: SessionManagerLimits;
  readonly #lease: LeaseOptions;
  readonly #startTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  readonly #endedRetentionMs: number;
  readonly #metrics: WorkerMetrics | undefined;
  readonly #logger: Logger;
  /** One warning per outage of the store, not one per heartbeat. */
  readonly #renewals: StoreOutage;
  /** Every session of this node, from its request until its record is released. */
  readonly #sessions = new Map<string, Session>();
  /** Sessions whose slot is taken in the registry (only those are renewed). */
  readonly #reserved = new Set<string>();
  /** Drain waits here for sessions to be finalized. */
  readonly #forgottenWaiters = new Map<string, Array<() => void>>();
  #heartbeat: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #offReconnect: (() => void) | undefined;
  #opened = false;
  #draining: Promise<DrainResult> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: SessionManagerOptions) {
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#factory = options.factory;
    this.#store = options.store;
    this.#limits = options.limits;
    const timing = options.timing ?? {};
    const leaseTtlMs = timing.leaseTtlMs ?? 15_000;
    this.#lease = { leaseTtlMs, maxPerCall: options.limits.maxSessionsPerCall };
    this.#startTimeoutMs = timing.startTimeoutMs ?? 30_000;
    this.#heartbeatIntervalMs = timing.heartbeatIntervalMs ?? Math.max(1, Math.floor(leaseTtlMs / 3));
    this.#endedRetentionMs = timing.endedRetentionMs ?? 10 * 60_000;
    this.#metrics = options.metrics;
    this.#logger = options.logger ?? createLogger('worker.sessions', { nodeId: this.nodeId });
    this.#renewals = new StoreOutage(this.#logger, {
      down: 'could not renew session leases; retrying at every heartbeat until the store answers',
      up: 'session leases renewed again',
    });
  }

  /** Sessions on this node (starting, active or closing). */
  get activeCount(): number {
    return this.#sessions.size;
  }

  get isDraining(): boolean {
    return this.#draining !== undefined;
  }

  /** Opened and not draining: new sessions are welcome. */
  get isAccepting(): boolean {
    return this.#opened && !this.isDraining;
  }

  /**
   * Opens the registry, subscribes to close requests and starts the heartbeat. Call once before
   * `start`. A store that is unreachable does not fail it: sessions are refused until it answers.
   */
  async open(): Promise<void> {
    if (this.#opened || this.#closing) return;
    await this.#store.open();
    this.#unsubscribe = await this.#store.onCloseRequest(this.nodeId, (sessionId) => this.#onCloseRequest(sessionId));
    // A store that comes back may have lost its state: re-assert our leases now, before the
    // next heartbeat, so nobody can reserve over a running session meanwhile.
    this.#offReconnect = this.#store.onReconnect(() => void this.#reassert());
    this.#heartbeat = setInterval(() => void this.#renewLeases(), this.#heartbeatIntervalMs);
    // The HTTP server keeps the process alive; the heartbeat alone must not.
    this.#heartbeat.unref();
    this.#opened = true;
  }

  /**
   * Starts an agent in `call`; resolves once it has joined. Rejects with WorkerDrainingError,
   * SessionLimitError (node or call), AgentStartError, SessionClosedError, or a store error.
   */
  async start(call: CallRef): Promise<StartedSession> {
    const requestedAtMs = performance.now();
    if (!this.#opened || this.isDraining) throw this.#refuse('draining', new WorkerDrainingError());
    // Counted before any await, so concurrent requests cannot overshoot MAX_SESSIONS.
    if (this.#sessions.size >= this.#limits.maxSessions) {
      throw this.#refuse('node_limit', new SessionLimitError('node', this.#limits.maxSessions, call));
    }
    const sessionId = randomUUID();
    const log = childLogger(this.#logger, { sessionId, callCid: `${call.type}:${call.id}` });
    const closeToken = randomBytes(24).toString('base64url');
    const session = new Session({
      sessionId,
      call,
      nodeId: this.nodeId,
      closeTokenHash: hashCloseToken(closeToken),
      limits: {
        idleTimeoutMs: this.#limits.idleTimeoutMs,
        maxDurationMs: this.#limits.maxSessionDurationMs,
        startTimeoutMs: this.#startTimeoutMs,
      },
      logger: log,
      onTurn: (turn) => {
        this.#metrics?.turnsTotal.inc({ interrupted: String(turn.interrupted) });
        if (turn.responseLatencyMs !== undefined) this.#metrics?.turnResponseLatencySeconds.observe(turn.responseLatencyMs / 1000);
      },
      onAgentError: () => this.#metrics?.errors.inc({ source: 'agent' }),
    });
    this.#sessions.set(sessionId, session);
    this.#metrics?.sessionsActive.set(this.#sessions.size);

    let reservation;
    try {
      reservation = await this.#store.reserve(session.record(), this.#lease);
    } catch (error) {
      this.#forget(session);
      throw error;
    }
    if (!reservation.reserved) {
      this.#forget(session);
      if ('recovering' in reservation) throw this.#refuse('registry_recovering', new RegistryRecoveringError(reservation.retryAfterMs));
      throw this.#refuse('call_limit', new SessionLimitError('call', this.#limits.maxSessionsPerCall, call));
    }
    this.#reserved.add(sessionId);
    void session.ended.then((end) => this.#finalize(session, end, log));

    await session.start(this.#factory);
    const startMs = performance.now() - requestedAtMs;
    this.#metrics?.sessionsStarted.inc();
    this.#metrics?.sessionStartSeconds.observe(startMs / 1000);
    log.info({ startMs: Math.round(startMs) }, 'session started');
    // Publish 'active' now rather than at the next heartbeat, so a GET right after sees it.
    await this.#renew([session]);
    return {
      sessionId,
      callType: call.type,
      callId: call.id,
      nodeId: this.nodeId,
      state: 'active',
      startedAt: session.startedAt.toISOString(),
      closeToken,
    };
  }

  /** The session's record from the shared registry (whichever node runs it), or undefined. */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const local = this.#sessions.get(sessionId);
    if (local && this.#reserved.has(sessionId)) return local.record();
    return this.#store.get(sessionId);
  }

  /** Live figures for a session on this node; for other nodes, the figures of their last heartbeat. */
  async figures(sessionId: string): Promise<{ record: SessionRecord; figures: SessionFigures; live: boolean } | undefined> {
    const local = this.#sessions.get(sessionId);
    if (local && this.#reserved.has(sessionId)) return { record: local.record(), figures: local.figures(), live: true };
    const record = await this.#store.get(sessionId);
    if (!record) return undefined;
    return { record, figures: record.figures ?? emptyFigures(record), live: false };
  }

  /**
   * Asks for a session to be closed, by whichever node runs it. Resolves with the record as it
   * stands (state `closing`, or `ended` when it already had), or undefined when unknown.
   */
  async requestClose(sessionId: string): Promise<SessionRecord | undefined> {
    const local = this.#sessions.get(sessionId);
    if (local && this.#reserved.has(sessionId)) {
      void local.end('closed');
      return { ...local.record(), state: local.state === 'ended' ? 'ended' : 'closing' };
    }
    const record = await this.#store.requestClose(sessionId, { ttlMs: this.#lease.leaseTtlMs * 2 });
    if (record) return { ...record, state: 'closing' };
    // Unknown, or already ended: the stored record says which.
    return this.#store.get(sessionId);
  }

  /**
   * Stops accepting sessions and closes every one (agents leave, transcripts are flushed),
   * waiting at most `timeoutMs`; sessions still closing then are abandoned (see DrainResult).
   * Idempotent: later calls return the first drain.
   */
  drain(timeoutMs: number): Promise<DrainResult> {
    this.#draining ??= this.#drain(timeoutMs);
    return this.#draining;
  }

  /** Drains (if not yet), then stops the heartbeat and the close-request subscription. Idempotent. */
  close(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      await this.drain(options.drainTimeoutMs ?? 10_000);
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
      this.#offReconnect?.();
      await this.#renewing;
      try {
        await this.#unsubscribe?.();
      } catch (error) {
        this.#logger.warn({ err: error }, 'could not unsubscribe from close requests');
      }
    })();
    return this.#closing;
  }

  async #drain(timeoutMs: number): Promise<DrainResult> {
    const sessions = [...this.#sessions.values()];
    if (sessions.length > 0) this.#logger.info({ sessions: sessions.length, timeoutMs }, 'draining sessions');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    // Ended *and* released: the final record is in the store before we report the session closed.
    const finished = sessions.map((session) => session.end('drain').then(() => this.#released(session)));
    await Promise.race([Promise.all(finished), timedOut]);
    clearTimeout(timer);
    // Still here: ended but its record not stored yet, or still closing (abandoned below).
    const unreleased = sessions.filter((session) => this.#sessions.has(session.sessionId));
    const abandoned = unreleased.filter((session) => session.state !== 'ended');
    if (unreleased.length > 0) await this.#abandon(abandoned, unreleased, timeoutMs);
    return { closed: sessions.length - abandoned.length, abandoned: abandoned.length };
  }

  /**
   * The drain ran out: what is left of each session is finalised here, without its agent (whose
   * close is what hangs, e.g. a transcript write to a chat that does not answer): the session
   * ends as `abandoned`, its final record is released in the store (bounded), and the log says
   * which sessions were abandoned, so the process can exit non-zero knowing what it left behind.
   */
  async #abandon(abandoned: Session[], unreleased: Session[], timeoutMs: number): Promise<void> {
    const why = new Error(`The agent was still closing when the drain timeout (${timeoutMs} ms) ran out; its transcript may be incomplete.`);
    const released = Promise.all(unreleased.map((session) => this.#released(session)));
    for (const session of abandoned) session.abandon(why);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([released, new Promise((resolve) => (timer = setTimeout(resolve, ABANDON_RELEASE_WAIT_MS)))]);
    clearTimeout(timer);
    if (abandoned.length === 0) return;
    this.#logger.error(
      { timeoutMs, abandoned: abandoned.map((session) => ({ sessionId: session.sessionId, call: `${session.call.type}:${session.call.id}` })) },
      'drain timed out: sessions abandoned while their agents were still closing',
    );
  }

  /** Called once per session when it is over: release its slot, record how it ended, count it. */
  async #finalize(session: Session, end: SessionEnd, log: Logger): Promise<void> {
    this.#countDeltas(session);
    const record = session.record();
    const durationMs = record.figures?.durationMs ?? 0;
    if (end.reason === 'error') {
      this.#metrics?.sessionsFailed.inc({ stage: end.joined ? 'running' : 'start' });
      log.error({ err: end.error, joined: end.joined, durationMs }, 'session failed');
    } else {
      log.info({ endReason: end.reason, durationMs }, 'session ended');
    }
    if (end.joined) this.#metrics?.sessionDurationSeconds.observe({ end_reason: end.reason }, durationMs / 1000);
    try {
      await this.#store.release(record, this.#endedRetentionMs);
    } catch (error) {
      // The lease will expire by itself; only the final record is lost.
      log.warn({ err: error }, 'could not release the session in the store');
    }
    this.#forget(session);
  }

  #forget(session: Session): void {
    session.discard();
    this.#sessions.delete(session.sessionId);
    this.#reserved.delete(session.sessionId);
    this.#metrics?.sessionsActive.set(this.#sessions.size);
    const waiters = this.#forgottenWaiters.get(session.sessionId);
    this.#forgottenWaiters.delete(session.sessionId);
    for (const resolve of waiters ?? []) resolve();
  }

  /** Resolves once the session has been finalized (its final record stored) and forgotten. */
  #released(session: Session): Promise<void> {
    if (!this.#sessions.has(session.sessionId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#forgottenWaiters.get(session.sessionId) ?? [];
      waiters.push(resolve);
      this.#forgottenWaiters.set(session.sessionId, waiters);
    });
  }

  #onCloseRequest(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#logger.info({ sessionId }, 'close requested by another node');
    void session.end('closed');
  }

  /** The heartbeat: renew every reserved session's lease, publish figures, act on the answers. */
  async #renewLeases(): Promise<void> {
    if (this.#renewing) return; // a slow store must not pile up renewals
    const sessions = [...this.#sessions.values()].filter((session) => this.#reserved.has(session.sessionId));
    for (const session of sessions) this.#countDeltas(session);
    this.#renewing = this.#renew(sessions).finally(() => (this.#renewing = undefined));
    await this.#renewing;
  }

  /** Renews at once, after a renewal in flight (which may have been sent before the reconnect). */
  async #reassert(): Promise<void> {
    await this.#renewing;
    this.#logger.info({ sessions: this.#reserved.size }, 'store reconnected: re-asserting session leases');
    await this.#renewLeases();
  }

  async #renew(candidates: Session[]): Promise<void> {
    // Filtered right before the store call, which issues the command synchronously: an ended
    // session's release was issued already (and a renewal after it would retake its slot), a
    // live one's release can only be issued later, and Redis runs one connection's commands in order.
    const sessions = candidates.filter((session) => session.state !== 'ended');
    if (sessions.length === 0) return;
    let statuses;
    try {
      statuses = await this.#store.renew(
        sessions.map((session) => session.record()),
        this.#lease,
      );
    } catch (error) {
      this.#renewals.failed(error);
      return;
    }
    this.#renewals.answered();
    for (const session of sessions) {
      const status = statuses.get(session.sessionId);
      if (status === 'close-requested') this.#endFor(session, 'closed', 'close requested by another node');
      else if (status === 'lost') this.#endFor(session, 'lease-lost', 'lease lost to another session in the call (the store was unreachable too long)');
    }
  }

  #endFor(session: Session, reason: SessionEndReason, why: string): void {
    if (session.state === 'ended') return;
    this.#logger[reason === 'lease-lost' ? 'warn' : 'info']({ sessionId: session.sessionId }, why);
    void session.end(reason);
  }

  #countDeltas(session: Session): void {
    if (!this.#metrics) return;
    const deltas = session.takeCounterDeltas();
    if (deltas.audioUnderruns > 0) this.#metrics.audioUnderruns.inc(deltas.audioUnderruns);
    if (deltas.conversationRetries > 0) this.#metrics.conversationSyncRetries.inc(deltas.conversationRetries);
    if (deltas.conversationFailures > 0) this.#metrics.conversationSyncFailures.inc(deltas.conversationFailures);
  }

  #refuse(reason: 'node_limit' | 'call_limit' | 'draining' | 'registry_recovering', error: Error): Error {
    this.#metrics?.sessionsRefused.inc({ reason });
    return error;
  }
}

/** What the registry stores instead of the close token itself. */
export function hashCloseToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function emptyFigures(record: SessionRecord): SessionFigures {
  return {
    at: record.endedAt ?? record.startedAt,
    durationMs: 0,
    humans: 0,
    turns: 0,
    interruptions: 0,
    audioUnderruns: 0,
    conversationRetries: 0,
    conversationFailures: 0,
    responseLatencyMs: { count: 0 },
  };
}
