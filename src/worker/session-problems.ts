/**
 * How the sessions API answers what went wrong: every domain error of the worker becomes an
 * HTTP status, a stable code and a message that says what to do. The routes just throw; the
 * scope's error handler (`answerSessionErrors`) replies, and passes anything it does not know
 * to the server's own handler (client mistakes → 4xx, the rest → a masked 500).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AgentsError } from '../core/errors.js';
import { errorBody } from '../http/http-errors.js';
import { AgentStartError, RegistryRecoveringError, SessionClosedError, SessionLimitError, WorkerDrainingError } from './session-errors.js';

/** A refusal with its status, code and headers; thrown by the session routes. */
export class HttpProblem extends AgentsError {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message, { code });
    this.status = status;
    this.headers = headers;
  }
}

/** The problem for a known error, or undefined for the server's handler to deal with. */
export function toHttpProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof SessionLimitError) {
    // A full node frees up as sessions end; a full call only when someone closes one.
    return new HttpProblem(429, error.code, error.message, error.scope === 'node' ? { 'retry-after': '5' } : {});
  }
  if (error instanceof WorkerDrainingError) return new HttpProblem(503, error.code, error.message, { 'retry-after': '1', connection: 'close' });
  if (error instanceof AgentStartError) return new HttpProblem(error.code === 'AGENT_START_TIMEOUT' ? 504 : 502, error.code, error.message);
  if (error instanceof SessionClosedError) return new HttpProblem(409, error.code, error.message);
  if (error instanceof RegistryRecoveringError) {
    return new HttpProblem(503, error.code, error.message, { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) });
  }
  if (error instanceof AgentsError && error.code === 'STORE_UNAVAILABLE') {
    return new HttpProblem(503, error.code, 'The session registry (Redis) is unreachable; retry shortly.', { 'retry-after': '1' });
  }
  return undefined;
}

/** Installs the error handler of a session-routes scope. */
export function answerSessionErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error, _request, reply) => {
    const problem = toHttpProblem(error);
    // Rethrown errors reach the parent (server-wide) handler.
    if (!problem) throw error;
    return sendProblem(reply, problem);
  });
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  return reply.code(problem.status).headers(problem.headers).send(errorBody(problem.code, problem.message));
}
