/**
 * The spans of an Agent in a call:
 * - `agent.session`: from `join` to the end of `close` (call, agent user, model; why it ended,
 *   turns, interruptions). Its parent is whatever was active at `join` (the worker's session).
 * - `agent.join`, with a child per component started in parallel (`agent.join.call`,
 *   `agent.join.model`, `agent.join.conversation`); the failing one, and the join, are errors.
 * - `user.turn` (a person's speech, by speaker) and `agent.turn` (the reply: response latency,
 *   playout latency, interrupted, how much of it was heard), from the Agent's events.
 *
 * A call lasts minutes or hours, so everything takes the session span as its parent explicitly
 * rather than from the active context. The components start in the session's context (not
 * their own spans'): a model session opened there keeps it for its reconnects and tool calls.
 */
import { context, type Context } from '@opentelemetry/api';
import type { EventBus } from '../core/event-bus.js';
import { scrubSecrets } from '../core/scrub-secrets.js';
import { AGENT, GEN_AI, providerAttributes } from '../core/trace-attributes.js';
import { contextOf, recordFailure, startSpan, type Span } from '../core/tracing.js';
import type { EdgeCall } from '../edge/edge.js';
import type { AgentEvents, AgentStats, TurnMetrics } from './agent-events.js';

export type JoinComponent = 'call' | 'model' | 'conversation';

export interface AgentSpansInit {
  call: EdgeCall;
  agentUserId: string;
  llm: { provider: string; model: string };
}

export class AgentSpans {
  readonly #session: Span;
  readonly #context: Context;
  readonly #join: Span;
  readonly #joinContext: Context;
  readonly #userTurns = new Map<string, Span>();
  readonly #agentTurns = new Map<string, Span>();
  #ended = false;

  constructor({ call, agentUserId, llm }: AgentSpansInit) {
    this.#session = startSpan('agent.session', {
      attributes: {
        [AGENT.callType]: call.type,
        [AGENT.callId]: call.id,
        [AGENT.userId]: agentUserId,
        ...providerAttributes(llm.provider),
        [GEN_AI.requestModel]: llm.model,
      },
    });
    this.#context = contextOf(this.#session);
    this.#join = startSpan('agent.join', { parent: this.#context });
    this.#joinContext = contextOf(this.#join, this.#context);
  }

  /** Runs `start` in the call's context: what it opens (sockets, timers) belongs to the session. */
  inSession<T>(start: () => T): T {
    return context.with(this.#context, start);
  }

  /**
   * A component's start, as a child of the join. When it fails after `stopped` aborted (another
   * component failed first, or the join was given up), its span says it was cancelled instead
   * of recording an error, so the trace shows the one that failed.
   */
  component<T>(name: JoinComponent, start: Promise<T>, stopped?: AbortSignal): Promise<T> {
    const span = startSpan(`agent.join.${name}`, { parent: this.#joinContext, attributes: { [AGENT.component]: name } });
    return start.then(
      (value) => {
        span.end();
        return value;
      },
      (thrown: unknown) => {
        if (stopped?.aborted) span.setAttribute(AGENT.componentCancelled, true);
        else recordFailure(span, thrown);
        span.end();
        throw thrown;
      },
    );
  }

  /** Ends the join; a failed join ends the session too (there is nothing to close). */
  joined(error?: Error & { component?: string }): void {
    if (error) {
      if (error.component) this.#join.setAttribute(AGENT.component, error.component);
      recordFailure(this.#join, error);
    }
    this.#join.end();
    if (error) this.end('join failed', undefined, error);
  }

  /** Follows the agent's turns; the returned function stops, ending turns still open. */
  watchTurns(events: EventBus<AgentEvents>): () => void {
    const unsubscribe = [
      events.on('user.turn.started', ({ turnId, userId }) => this.#startTurn(this.#userTurns, 'user.turn', turnId, { [AGENT.speakerId]: userId })),
      events.on('user.turn.ended', ({ turnId }) => this.#endTurn(this.#userTurns, turnId)),
      events.on('agent.turn.started', ({ turnId }) => this.#startTurn(this.#agentTurns, 'agent.turn', turnId, {})),
      events.on('metrics', (metrics) => this.#onTurnMetrics(metrics)),
    ];
    return () => {
      for (const stop of unsubscribe) stop();
      for (const turns of [this.#userTurns, this.#agentTurns]) {
        for (const span of turns.values()) span.setAttribute(AGENT.unfinished, true).end();
        turns.clear();
      }
    };
  }

  /** Ends the session span (idempotent): why, and the figures of the call. */
  end(reason: string, stats?: Pick<AgentStats, 'turns' | 'interruptions'>, error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    // Reasons can quote a provider's close message: scrubbed like an error's.
    this.#session.setAttribute(AGENT.endReason, scrubSecrets(reason));
    if (stats) this.#session.setAttributes({ [AGENT.turns]: stats.turns, [AGENT.interruptions]: stats.interruptions });
    if (error) recordFailure(this.#session, error);
    this.#session.end();
  }

  #startTurn(turns: Map<string, Span>, name: string, turnId: string, attributes: Record<string, string>): void {
    if (turns.has(turnId)) return;
    turns.set(turnId, startSpan(name, { parent: this.#context, attributes: { [AGENT.turnId]: turnId, ...attributes } }));
  }

  #endTurn(turns: Map<string, Span>, turnId: string): void {
    turns.get(turnId)?.end();
    turns.delete(turnId);
  }

  #onTurnMetrics(metrics: TurnMetrics): void {
    // A reply can complete without having started (nothing said, e.g. only a tool call).
    this.#startTurn(this.#agentTurns, 'agent.turn', metrics.turnId, {});
    const span = this.#agentTurns.get(metrics.turnId)!;
    span.setAttribute(AGENT.interrupted, metrics.interrupted);
    if (metrics.responseLatencyMs !== undefined) span.setAttribute(AGENT.responseLatencyMs, metrics.responseLatencyMs);
    if (metrics.playoutLatencyMs !== undefined) span.setAttribute(AGENT.playoutLatencyMs, metrics.playoutLatencyMs);
    if (metrics.generatedMs !== undefined) span.setAttribute(AGENT.generatedMs, metrics.generatedMs);
    if (metrics.playedMs !== undefined) span.setAttribute(AGENT.playedMs, metrics.playedMs);
    const heard = heardRatio(metrics);
    if (heard !== undefined) span.setAttribute(AGENT.heardRatio, heard);
    this.#endTurn(this.#agentTurns, metrics.turnId);
  }
}

/** The share of the reply that was played: all of it unless cut, else played / generated. */
export function heardRatio(metrics: Pick<TurnMetrics, 'interrupted' | 'playedMs' | 'generatedMs'>): number | undefined {
  if (!metrics.interrupted) return 1;
  if (metrics.playedMs === undefined || !metrics.generatedMs) return undefined;
  return Math.min(1, metrics.playedMs / metrics.generatedMs);
}
