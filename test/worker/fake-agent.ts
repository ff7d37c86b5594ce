/**
 * An in-test AgentFactory that satisfies the worker's contract (SessionAgent) without a call
 * or a model, so the worker's own behaviour (limits, timers, draining, crashes, routes) is
 * tested alone. Each agent keeps a "transcript" that close() flushes, after `closeDelayMs`, the
 * way the real Agent flushes its Conversation.
 *
 *   const agents = new FakeAgents({ humans: 1 });
 *   new SessionManager({ factory: agents.factory, ... });
 *   agents.latest!.leave();            // the last human leaves: the idle clock starts
 */
import type { AgentFactory, AgentTurnMetrics, SessionAgent } from '../../src/worker/session-agent.js';

type Listener = (payload: never) => void;

export interface FakeAgentsOptions {
  /** Humans in the call when the agent joins; default 1. */
  humans?: number;
  /** How long joining takes; default 0. */
  joinDelayMs?: number;
  /** How long close() takes (flushing the transcript); default 0. */
  closeDelayMs?: number;
}

export class FakeAgent implements SessionAgent {
  readonly call: { type: string; id: string };
  readonly sessionId: string;
  humanCount: number;
  closeCalls = 0;
  /** Lines "said" in the call; flushed (copied to `flushed`) by close(). */
  readonly transcript: string[] = [];
  flushed: string[] | undefined;
  /** What stats() answers; tests change it directly. */
  readonly figures = { turns: 0, interruptions: 0, audioUnderruns: 0, conversationRetries: 0, conversationFailures: 0 };
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #closeDelayMs: number;
  #finish!: () => void;
  #finishFail: ((error: Error) => void) | undefined;
  readonly #finished: Promise<void>;
  #closing: Promise<void> | undefined;

  constructor(call: { type: string; id: string }, sessionId: string, options: FakeAgentsOptions) {
    this.call = call;
    this.sessionId = sessionId;
    this.humanCount = options.humans ?? 1;
    this.#closeDelayMs = options.closeDelayMs ?? 0;
    this.#finished = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#finishFail = reject;
    });
  }

  get closed(): boolean {
    return this.flushed !== undefined;
  }

  finish(): Promise<void> {
    return this.#finished;
  }

  close(): Promise<void> {
    this.closeCalls++;
    this.#closing ??= (async () => {
      if (this.#closeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#closeDelayMs));
      this.flushed = [...this.transcript];
      this.#finish();
    })();
    return this.#closing;
  }

  stats() {
    return { ...this.figures };
  }

  on(event: string, listener: (payload: never) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** A human joins or leaves. */
  join(): void {
    this.humanCount++;
    this.#emit('participant.joined', { humanCount: this.humanCount });
  }

  leave(): void {
    this.humanCount = Math.max(0, this.humanCount - 1);
    this.#emit('participant.left', { humanCount: this.humanCount });
  }

  /** A finished exchange: the user's line and the agent's answer. */
  turn(metrics: Partial<AgentTurnMetrics> = {}): void {
    this.figures.turns++;
    if (metrics.interrupted) this.figures.interruptions++;
    this.transcript.push(`user ${this.figures.turns}`, `agent ${this.figures.turns}`);
    this.#emit('metrics', { turnId: `t${this.figures.turns}`, interrupted: false, ...metrics });
  }

  error(error: Error): void {
    this.#emit('error', { error });
  }

  /** The call ended by itself (everyone hung up, the call was deleted). */
  endCall(): void {
    this.#finish();
  }

  /** Breaks the contract: finish() rejects, as a crashing agent might. */
  crash(error: Error): void {
    this.#finishFail?.(error);
  }

  #emit(event: string, payload: unknown): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (payload: unknown) => void)(payload);
  }
}

export class FakeAgents {
  readonly agents: FakeAgent[] = [];
  readonly signals: AbortSignal[] = [];
  options: FakeAgentsOptions & {
    /** The next starts fail with this error. */
    failWith?: Error;
    /** The next starts never resolve unless aborted. */
    hang?: boolean;
  };

  constructor(options: FakeAgentsOptions = {}) {
    this.options = { ...options };
  }

  get latest(): FakeAgent | undefined {
    return this.agents.at(-1);
  }

  /** Every agent that joined and was not closed. */
  get open(): FakeAgent[] {
    return this.agents.filter((agent) => !agent.closed);
  }

  readonly factory: AgentFactory = async (call, { sessionId, signal }) => {
    this.signals.push(signal);
    const { failWith, hang, joinDelayMs = 0 } = this.options;
    if (hang) {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    }
    if (joinDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, joinDelayMs));
    if (failWith) throw failWith;
    const agent = new FakeAgent(call, sessionId, this.options);
    this.agents.push(agent);
    return agent;
  };
}
