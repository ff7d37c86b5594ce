/** What `Agent.join` rejects with. */
import { AgentsError } from '../core/errors.js';
import type { EdgeCall } from '../edge/edge.js';

/** Joining failed; `component` says which part ('call', 'model' or 'conversation'). */
export class AgentJoinError extends AgentsError {
  readonly component: string;
  constructor(component: string, cause: Error) {
    super(`The agent could not join: the ${component} failed to start: ${cause.message}`, {
      code: 'AGENT_JOIN',
      retryable: (cause as { retryable?: boolean }).retryable ?? false,
      cause,
    });
    this.component = component;
  }
}

/**
 * Joining was given up: the join's signal was aborted, or the agent was closed meanwhile.
 * Everything the join had started is closed by the time this is thrown. Its `name` is
 * 'AbortError', as for any aborted operation; `cause` is the signal's reason.
 */
export class AgentJoinCancelledError extends AgentsError {
  constructor(call: EdgeCall, why: string, cause?: unknown) {
    super(`Joining call ${call.cid} was cancelled: ${why}.`, { code: 'AGENT_JOIN_CANCELLED', cause });
    this.name = 'AbortError';
  }
}
