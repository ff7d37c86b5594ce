/**
 * The span of one worker session (`worker.session`), from the request that starts it to its
 * end: session id, call, node, and why it ended. A session outlives the request that created
 * it, so its span starts a trace of its own and links to that request's span (if any). The
 * agent factory runs in its context: the agent's own spans (its call, join, turns, tools) are
 * its children.
 */
import { context } from '@opentelemetry/api';
import { AGENT } from '../core/trace-attributes.js';
import { contextOf, linksToActive, recordFailure, startSpan, type Context, type Span } from '../core/tracing.js';
import type { CallRef } from './call-ids.js';

export class SessionSpan {
  readonly #span: Span;
  readonly #context: Context;

  constructor(session: { sessionId: string; call: CallRef; nodeId: string }) {
    this.#span = startSpan('worker.session', {
      root: true,
      links: linksToActive(),
      attributes: {
        [AGENT.sessionId]: session.sessionId,
        [AGENT.callType]: session.call.type,
        [AGENT.callId]: session.call.id,
        [AGENT.nodeId]: session.nodeId,
      },
    });
    this.#context = contextOf(this.#span, context.active());
  }

  /** Runs `start` (the agent factory) with the session's span active. */
  run<T>(start: () => T): T {
    return context.with(this.#context, start);
  }

  end(end: { reason: string; joined: boolean; error?: Error }): void {
    this.#span.setAttributes({ [AGENT.endReason]: end.reason, [AGENT.joined]: end.joined });
    if (end.error) recordFailure(this.#span, end.error);
    this.#span.end();
  }
}
