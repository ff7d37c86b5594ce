/**
 * Why a session could not be started or kept, as typed errors the HTTP layer maps to statuses
 * (see session-routes.ts). Each message says what the caller can do about it.
 */
import { AgentsError } from '../core/errors.js';

/** MAX_SESSIONS (this node) or MAX_SESSIONS_PER_CALL (all nodes) is reached. */
export class SessionLimitError extends AgentsError {
  readonly scope: 'node' | 'call';
  readonly limit: number;
  constructor(scope: 'node' | 'call', limit: number, call: { type: string; id: string }) {
    super(
      scope === 'node'
        ? `This worker already runs its maximum of ${limit} session(s) (MAX_SESSIONS); retry later or on another node.`
        : `Call ${call.type}:${call.id} already has ${limit} agent session(s), the most allowed (MAX_SESSIONS_PER_CALL); close one first.`,
      { code: scope === 'node' ? 'NODE_SESSION_LIMIT' : 'CALL_SESSION_LIMIT', retryable: scope === 'node' },
    );
    this.scope = scope;
    this.limit = limit;
  }
}

/** The worker is shutting down and takes no new sessions. */
export class WorkerDrainingError extends AgentsError {
  constructor() {
    super('This worker is shutting down and starts no new sessions; retry on another node.', { code: 'DRAINING', retryable: true });
  }
}

/** The agent could not join the call; the message names the failing component. */
export class AgentStartError extends AgentsError {
  constructor(call: { type: string; id: string }, cause: Error, options: { timeoutMs?: number } = {}) {
    const message =
      options.timeoutMs !== undefined
        ? `The agent did not join call ${call.type}:${call.id} within ${options.timeoutMs} ms; check that Stream and Gemini are reachable.`
        : `The agent could not join call ${call.type}:${call.id}: ${cause.message}`;
    super(message, {
      code: options.timeoutMs !== undefined ? 'AGENT_START_TIMEOUT' : 'AGENT_START_FAILED',
      retryable: options.timeoutMs !== undefined || ((cause as { retryable?: boolean }).retryable ?? false),
      cause,
    });
  }
}

/** The session was closed (or the worker began draining) before its agent had joined. */
export class SessionClosedError extends AgentsError {
  constructor(reason: string) {
    super(`The session was ended (${reason}) before the agent joined the call.`, { code: 'SESSION_CLOSED' });
  }
}

/**
 * The shared registry lost its state (Redis restarted empty) and refuses new sessions until
 * the nodes running sessions have re-asserted them, so no call gets a second agent.
 */
export class RegistryRecoveringError extends AgentsError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(
      `The session registry (Redis) lost its state and is recovering: running sessions are re-asserting their calls. Retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`,
      { code: 'REGISTRY_RECOVERING', retryable: true },
    );
    this.retryAfterMs = retryAfterMs;
  }
}
