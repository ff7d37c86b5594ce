/**
 * Spans of a Gemini Live session's connections: `gemini.live.connect` for every attempt to open
 * a socket and complete its setup (which try, whether it resumes), and `gemini.live.reconnect`
 * around each replacement of a lost connection (or a goAway handover), with its attempts as
 * children and how it ended.
 *
 * A session lives as long as a call, so its spans take the context that was active when it was
 * opened (the agent's call) as their parent explicitly, and the tools the model asks for run in
 * that context, whatever socket callback delivered the request. Connect spans are never made
 * active: the sockets they open keep the session's context.
 */
import { context, type Context } from '@opentelemetry/api';
import { scrubSecrets } from '../../core/scrub-secrets.js';
import { GEMINI_LIVE, GEN_AI, providerAttributes } from '../../core/trace-attributes.js';
import { contextOf, endWhenSettled, recordFailure, SpanKind, startSpan, type Span } from '../../core/tracing.js';

export type ReconnectOutcome = 'reconnected' | 'failed' | 'closed';

export class LiveSpans {
  readonly #session: Context = context.active();
  readonly #model: string;

  constructor(model: string) {
    this.#model = model;
  }

  /** One try at a connection; the span ends when `open` settles. */
  connect<T>(attempt: number, resumed: boolean, within: ReconnectSpan | undefined, open: () => Promise<T>): Promise<T> {
    const span = startSpan('gemini.live.connect', {
      kind: SpanKind.CLIENT,
      parent: within ? contextOf(within.span, this.#session) : this.#session,
      attributes: {
        ...providerAttributes('gemini'),
        [GEN_AI.requestModel]: this.#model,
        [GEMINI_LIVE.attempt]: attempt,
        [GEMINI_LIVE.resumed]: resumed,
      },
    });
    return endWhenSettled(span, open());
  }

  /** A replacement of the connection begins. */
  reconnecting(reason: string): ReconnectSpan {
    return new ReconnectSpan(startSpan('gemini.live.reconnect', { parent: this.#session, attributes: { [GEMINI_LIVE.reason]: scrubSecrets(reason) } }));
  }

  /** Runs `work` in the session's context (the tools of a tool call). */
  inSession<T>(work: () => T): T {
    return context.with(this.#session, work);
  }
}

/** One reconnect: how many attempts it took and how it ended; ended by `end()` in `finally`. */
export class ReconnectSpan {
  readonly span: Span;
  #outcome: ReconnectOutcome = 'closed';

  constructor(span: Span) {
    this.span = span;
  }

  reconnected(attempts: number, resumed: boolean): void {
    this.#outcome = 'reconnected';
    this.span.setAttributes({ [GEMINI_LIVE.attempts]: attempts, [GEMINI_LIVE.resumed]: resumed });
  }

  failed(attempts: number, error: unknown): void {
    this.#outcome = 'failed';
    this.span.setAttribute(GEMINI_LIVE.attempts, attempts);
    recordFailure(this.span, error);
  }

  /** Ends the span; one that neither reconnected nor failed was stopped by the session closing. */
  end(): void {
    this.span.setAttribute(GEMINI_LIVE.outcome, this.#outcome);
    this.span.end();
  }
}
