/**
 * The span of one completion request (`completion`), stateless or on a conversation: the route,
 * the response mode, the model, the tokens and how the turn ended. It continues the caller's
 * trace when the request carries a W3C `traceparent`, and it is active while the request runs,
 * so the model calls (`generate_content`), tools and conversation writes are its children.
 *
 * A request refused with a 4xx is the client's mistake, not a failure of ours: the span says
 * which status and code, and keeps an OK status.
 */
import { context, propagation } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import { COMPLETION, GEN_AI, providerAttributes } from '../core/trace-attributes.js';
import { contextOf, recordFailure, recordFailureMessage, SpanKind, startSpan, type Span } from '../core/tracing.js';
import type { CompletionOutcome } from './run-completion.js';
import { responseModeFor } from './response-mode.js';
import { RequestError } from '../http/http-errors.js';

export type CompletionRoute = 'stateless' | 'conversation';

export async function traceCompletion(request: FastifyRequest, route: CompletionRoute, handle: (span: Span) => Promise<void>): Promise<void> {
  const attributes = {
    [COMPLETION.route]: route,
    [COMPLETION.mode]: responseModeFor(request.headers.accept) ?? 'none',
    [COMPLETION.requestId]: request.id,
    ...(request.caller ? { [COMPLETION.keyId]: request.caller.keyId } : {}),
  };
  const parent = propagation.extract(context.active(), request.headers);
  const span = startSpan('completion', { kind: SpanKind.SERVER, parent, attributes });
  try {
    await context.with(contextOf(span, parent), () => handle(span));
  } catch (thrown) {
    if (thrown instanceof RequestError && thrown.status < 500) {
      span.setAttributes({ [COMPLETION.statusCode]: thrown.status, [COMPLETION.errorCode]: thrown.code });
    } else {
      recordFailure(span, thrown);
    }
    throw thrown;
  } finally {
    span.end();
  }
}

/** What the request asks of which model (and on which conversation). */
export function recordCompletionModel(span: Span, model: string, provider: string, conversationId?: string): void {
  span.setAttributes({ ...providerAttributes(provider), [GEN_AI.requestModel]: model });
  if (conversationId !== undefined) span.setAttribute(GEN_AI.conversationId, conversationId);
}

/** How the turn ended: end reason, tokens, the error event if any, and why it stopped early. */
export function recordCompletionOutcome(span: Span, outcome: CompletionOutcome, scope: { deadlineReached: boolean; disconnected: boolean }): void {
  span.setAttributes({
    [COMPLETION.endReason]: outcome.endReason,
    [COMPLETION.tokens]: outcome.tokens,
    [COMPLETION.deadlineReached]: scope.deadlineReached,
    [COMPLETION.disconnected]: scope.disconnected,
  });
  if (outcome.errorCode) span.setAttribute(COMPLETION.errorCode, outcome.errorCode);
  // Moderation is the model doing its job; GENERIC_ERROR is a failure of ours (its cause is on the model call's span).
  if (outcome.errorCode === 'GENERIC_ERROR') recordFailureMessage(span, 'the reply could not be completed', outcome.errorCode);
}
