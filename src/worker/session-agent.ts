/**
 * The contract between the worker and an agent: what the worker needs to run one agent per
 * call, watch it and end it. The framework's `Agent` satisfies it; `agentFactoryFromDefinition`
 * makes the factory for an agent definition (what `stream-agents serve <file>` runs), and an
 * embedding app can pass its own.
 */

export interface SessionAgent {
  /** Resolves when the call ends or the agent closes (never rejects). */
  finish(): Promise<void>;
  /** Idempotent: stops the model, flushes the transcript, leaves the call. */
  close(): Promise<void>;
  /** Humans in the call now (everyone but the agent). */
  readonly humanCount: number;
  /**
   * Agent events; returns an unsubscribe function. The worker uses:
   * 'participant.joined' / 'participant.left' ({ humanCount: number }),
   * 'metrics' ({ responseLatencyMs?: number, ... } per turn), 'error' ({ error: Error }).
   */
  on(event: 'participant.joined' | 'participant.left', listener: (e: { humanCount: number }) => void): () => void;
  on(event: 'metrics', listener: (e: AgentTurnMetrics) => void): () => void;
  on(event: 'error', listener: (e: { error: Error }) => void): () => void;
  /** Figures of the session so far, for GET …/metrics and Prometheus. */
  stats(): SessionAgentStats;
}

export interface SessionAgentStats {
  turns: number;
  interruptions: number;
  audioUnderruns: number;
  conversationRetries: number;
  conversationFailures: number;
}

export interface AgentTurnMetrics {
  turnId: string;
  responseLatencyMs?: number;
  interrupted: boolean;
}

/**
 * Starts an agent in `call`. Resolves once the agent has joined; rejects with an error naming
 * the failing component. `signal` aborts a start that is no longer wanted (the session was
 * closed, or the worker is draining): the factory should then stop and clean up.
 */
export type AgentFactory = (
  call: { type: string; id: string },
  context: { sessionId: string; signal: AbortSignal },
) => Promise<SessionAgent>;
