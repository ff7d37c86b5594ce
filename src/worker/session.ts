/**
 * One agent session on this node, from the request to the end: it starts the agent through
 * the factory (bounded by a start timeout, abortable), watches it (idle with no human in the
 * call, maximum duration, the call ending by itself), and ends it exactly once, closing the
 * agent so its transcript is flushed. Everything it learned is in `record()` and `figures()`.
 *
 * It never throws from a timer or a listener: a failing agent ends the session with reason
 * `error`, and `ended` resolves (never rejects) with why.
 */
import { untilAborted } from '../core/abort.js';
import { toError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SessionFigures, SessionRecord, SessionState } from '../store/session-store.js';
import type { CallRef } from './call-ids.js';
import { LatencySummary } from './latency-summary.js';
import { SessionSpan } from './session-span.js';
import type { AgentFactory, AgentTurnMetrics, SessionAgent, SessionAgentStats } from './session-agent.js';
import { AgentStartError, SessionClosedError, WorkerDrainingError } from './session-errors.js';

/** `abandoned`: the node stopped waiting for the agent to finish closing (the drain ran out). */
export type SessionEndReason = 'closed' | 'idle' | 'max-duration' | 'call-ended' | 'error' | 'drain' | 'lease-lost' | 'abandoned';

export interface SessionEnd {
  reason: SessionEndReason;
  /** Set when the session failed (reason `error`) or its agent failed to close. */
  error?: Error;
  /** Whether the agent had joined the call. */
  joined: boolean;
}

export interface SessionLimits {
  idleTimeoutMs: number;
  maxDurationMs: number;
  startTimeoutMs: number;
}

export interface SessionInit {
  sessionId: string;
  call: CallRef;
  nodeId: string;
  closeTokenHash: string;
  limits: SessionLimits;
  logger: Logger;
  onTurn?: (metrics: AgentTurnMetrics) => void;
  onAgentError?: (error: Error) => void;
}

/** Counters the agent reports cumulatively; the worker turns them into Prometheus increments. */
export type CounterDeltas = Pick<SessionAgentStats, 'audioUnderruns' | 'conversationRetries' | 'conversationFailures'>;

/** Node's timers overflow above this (and then fire at once); longer limits are clamped. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const NO_STATS: SessionAgentStats = { turns: 0, interruptions: 0, audioUnderruns: 0, conversationRetries: 0, conversationFailures: 0 };

/** The abort reason when the start took too long. */
class StartTimeout extends Error {}

export class Session {
  readonly sessionId: string;
  readonly call: CallRef;
  readonly nodeId: string;
  readonly startedAt = new Date();
  readonly #init: SessionInit;
  readonly #abort = new AbortController();
  readonly #latencies = new LatencySummary();
  /** From the start to the end; a session refused before it started has none. */
  #span: SessionSpan | undefined;
  readonly #ended: Promise<SessionEnd>;
  #resolveEnded!: (end: SessionEnd) => void;
  #state: SessionState = 'starting';
  #agent: SessionAgent | undefined;
  #requestedEnd: { reason: SessionEndReason; error?: Error } | undefined;
  #final: SessionEnd | undefined;
  #endedAt: Date | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #maxDurationTimer: NodeJS.Timeout | undefined;
  #unsubscribe: Array<() => void> = [];
  #reported: CounterDeltas = { audioUnderruns: 0, conversationRetries: 0, conversationFailures: 0 };
  #lastStats: SessionAgentStats = NO_STATS;

  constructor(init: SessionInit) {
    this.#init = init;
    this.sessionId = init.sessionId;
    this.call = init.call;
    this.nodeId = init.nodeId;
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Resolves once the session is over and its agent closed; never rejects. */
  get ended(): Promise<SessionEnd> {
    return this.#ended;
  }

  /**
   * Runs the factory. Resolves when the agent has joined; otherwise ends the session and
   * rejects with AgentStartError (failed or timed out), SessionClosedError or
   * WorkerDrainingError (ended before it joined).
   */
  async start(factory: AgentFactory): Promise<void> {
    const signal = this.#abort.signal;
    const timer = setTimeout(() => this.#abort.abort(new StartTimeout()), Math.min(this.#init.limits.startTimeoutMs, MAX_TIMER_MS));
    let attempt: Promise<SessionAgent> | undefined;
    try {
      if (signal.aborted) throw signal.reason;
      const span = (this.#span = new SessionSpan(this));
      // A factory that throws synchronously is a failed start like any other.
      attempt = span.run(() => Promise.resolve().then(() => factory({ ...this.call }, { sessionId: this.sessionId, signal })));
      this.#attach(await untilAborted(attempt, signal));
    } catch (thrown) {
      // An agent that joins after we stopped waiting (or that we could not watch) must not stay in the call.
      void attempt?.then((agent) => closeQuietly(agent, this.#init.logger), () => {});
      const error = this.#startFailure(toError(thrown));
      this.#finish();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends a session that was never started (its request was refused); resolves `ended`. */
  discard(): void {
    if (this.#state === 'starting') this.#finish();
  }

  /** Ends the session for `reason`; idempotent (the first reason wins). Resolves like `ended`. */
  end(reason: SessionEndReason, error?: Error): Promise<SessionEnd> {
    if (this.#requestedEnd || this.#state === 'ended') return this.#ended;
    this.#requestedEnd = error ? { reason, error } : { reason };
    if (this.#state === 'starting') this.#abort.abort(new SessionClosedError(reason));
    else if (this.#state === 'active') void this.#closeAgent();
    return this.#ended;
  }

  /**
   * Gives up waiting for the agent to close: the session ends now, as `abandoned` with `why`,
   * while the agent's close goes on by itself (for as long as the process lives). For a drain
   * that ran out of time, so the record can say so before the process exits. A no-op once ended.
   */
  abandon(why: Error): void {
    if (this.#state === 'ended') return;
    this.#requestedEnd = { reason: 'abandoned', error: why };
    this.#abort.abort(new SessionClosedError('abandoned'));
    this.#stats(); // the last figures the agent can give
    this.#finish();
  }

  /** The registry record: who, where, state, how it ended, and the figures so far. */
  record(): SessionRecord {
    return {
      sessionId: this.sessionId,
      callType: this.call.type,
      callId: this.call.id,
      nodeId: this.nodeId,
      startedAt: this.startedAt.toISOString(),
      state: this.#state,
      ...(this.#endedAt ? { endedAt: this.#endedAt.toISOString() } : {}),
      ...(this.#final ? { endReason: this.#final.reason } : {}),
      ...(this.#final?.error ? { error: this.#final.error.message } : {}),
      figures: this.figures(),
      closeTokenHash: this.#init.closeTokenHash,
    };
  }

  figures(): SessionFigures {
    const stats = this.#stats();
    return {
      at: new Date().toISOString(),
      durationMs: (this.#endedAt ?? new Date()).getTime() - this.startedAt.getTime(),
      humans: this.#state === 'active' ? this.#humanCount() : 0,
      turns: stats.turns,
      interruptions: stats.interruptions,
      audioUnderruns: stats.audioUnderruns,
      conversationRetries: stats.conversationRetries,
      conversationFailures: stats.conversationFailures,
      responseLatencyMs: this.#latencies.figures(),
    };
  }

  /** How much the agent's cumulative counters grew since the last call. */
  takeCounterDeltas(): CounterDeltas {
    const stats = this.#stats();
    const deltas = {
      audioUnderruns: Math.max(0, stats.audioUnderruns - this.#reported.audioUnderruns),
      conversationRetries: Math.max(0, stats.conversationRetries - this.#reported.conversationRetries),
      conversationFailures: Math.max(0, stats.conversationFailures - this.#reported.conversationFailures),
    };
    this.#reported = { audioUnderruns: stats.audioUnderruns, conversationRetries: stats.conversationRetries, conversationFailures: stats.conversationFailures };
    return deltas;
  }

  #attach(agent: SessionAgent): void {
    this.#agent = agent;
    this.#state = 'active';
    const { logger } = this.#init;
    this.#unsubscribe = [
      agent.on('participant.joined', ({ humanCount }) => this.#onHumans(humanCount)),
      agent.on('participant.left', ({ humanCount }) => this.#onHumans(humanCount)),
      agent.on('metrics', (turn) => {
        if (turn.responseLatencyMs !== undefined) this.#latencies.add(turn.responseLatencyMs);
        this.#guard('onTurn', () => this.#init.onTurn?.(turn));
      }),
      agent.on('error', ({ error }) => {
        logger.warn({ err: error }, 'agent reported an error');
        this.#guard('onAgentError', () => this.#init.onAgentError?.(error));
      }),
    ];
    this.#maxDurationTimer = setTimeout(() => void this.end('max-duration'), Math.min(this.#init.limits.maxDurationMs, MAX_TIMER_MS));
    this.#maxDurationTimer.unref();
    this.#onHumans(this.#humanCount());
    agent.finish().then(
      () => void this.end('call-ended'),
      (thrown: unknown) => void this.end('error', toError(thrown)),
    );
    // end() may have been asked for while the factory was resolving: honour it now.
    if (this.#requestedEnd) void this.#closeAgent();
  }

  /** The idle clock runs while nobody but the agent is in the call. */
  #onHumans(humanCount: number): void {
    if (this.#state !== 'active') return;
    if (humanCount > 0) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    } else if (!this.#idleTimer) {
      this.#idleTimer = setTimeout(() => void this.end('idle'), Math.min(this.#init.limits.idleTimeoutMs, MAX_TIMER_MS));
      this.#idleTimer.unref();
    }
  }

  async #closeAgent(): Promise<void> {
    if (this.#state !== 'active') return;
    this.#state = 'closing';
    this.#stopWatching();
    try {
      await this.#agent!.close();
    } catch (thrown) {
      const error = toError(thrown);
      this.#init.logger.error({ err: error }, 'the agent failed to close');
      this.#requestedEnd = { reason: this.#requestedEnd?.reason ?? 'error', error: this.#requestedEnd?.error ?? error };
    }
    this.#stats(); // the final figures, taken while the agent can still answer
    this.#finish();
  }

  /** Maps why the start failed to the error the caller gets, and records the end. */
  #startFailure(thrown: Error): Error {
    const reason = this.#abort.signal.aborted ? this.#abort.signal.reason : undefined;
    if (reason instanceof SessionClosedError) {
      const requested = this.#requestedEnd?.reason ?? 'closed';
      return requested === 'drain' ? new WorkerDrainingError() : reason;
    }
    const error =
      reason instanceof StartTimeout
        ? new AgentStartError(this.call, thrown, { timeoutMs: this.#init.limits.startTimeoutMs })
        : new AgentStartError(this.call, thrown);
    this.#requestedEnd = { reason: 'error', error };
    return error;
  }

  #finish(): void {
    if (this.#state === 'ended') return;
    const joined = this.#agent !== undefined;
    this.#state = 'ended';
    this.#endedAt = new Date();
    this.#stopWatching();
    const requested = this.#requestedEnd ?? { reason: 'closed' as const };
    this.#final = requested.error ? { reason: requested.reason, error: requested.error, joined } : { reason: requested.reason, joined };
    this.#span?.end(this.#final);
    this.#resolveEnded(this.#final);
  }

  #stopWatching(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#maxDurationTimer);
    this.#idleTimer = this.#maxDurationTimer = undefined;
    for (const unsubscribe of this.#unsubscribe.splice(0)) this.#guard('unsubscribe', unsubscribe);
  }

  /** The agent's figures, or the last ones it gave if it cannot answer any more. */
  #stats(): SessionAgentStats {
    if (!this.#agent || this.#state === 'ended') return this.#lastStats;
    try {
      this.#lastStats = { ...NO_STATS, ...this.#agent.stats() };
    } catch (thrown) {
      this.#init.logger.debug({ err: thrown }, 'agent stats unavailable');
    }
    return this.#lastStats;
  }

  #humanCount(): number {
    try {
      return this.#agent?.humanCount ?? 0;
    } catch {
      return 0;
    }
  }

  #guard(what: string, run: () => void): void {
    try {
      run();
    } catch (thrown) {
      this.#init.logger.error({ err: thrown }, `${what} failed`);
    }
  }
}

async function closeQuietly(agent: SessionAgent, logger: Logger): Promise<void> {
  try {
    await agent.close();
  } catch (thrown) {
    logger.warn({ err: thrown }, 'an agent that joined too late failed to close');
  }
}
