/**
 * What the completion routes share: a request scope (one AbortSignal for the deadline and a
 * client that disconnects), opening the event writer on the raw response, and running a
 * completion into it with backpressure.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createEventWriter, type EventWriter } from './event-writer.js';
import type { ProtocolEvent } from './events.js';
import type { ResponseMode } from './response-mode.js';
import type { PreparedCompletion } from './prepare-completion.js';
import { runCompletion, type CompletionOutcome } from './run-completion.js';
import type { LLM } from '../llm/llm.js';

export interface RequestScope {
  /** Aborted when the deadline passes or the client goes away. */
  readonly signal: AbortSignal;
  readonly deadlineReached: boolean;
  readonly disconnected: boolean;
  /** Clears the deadline and listeners; call in `finally`. */
  dispose(): void;
}

/**
 * The scopes of the requests in flight, so a shutting-down server can end them cleanly: each
 * is aborted and finishes its response with `end.reason: 'abort'` instead of a cut socket.
 */
export class ActiveRequests {
  readonly #controllers = new Set<AbortController>();
  #onEmpty: (() => void) | undefined;

  get size(): number {
    return this.#controllers.size;
  }

  add(controller: AbortController): () => void {
    this.#controllers.add(controller);
    return () => {
      this.#controllers.delete(controller);
      if (this.#controllers.size === 0) this.#onEmpty?.();
    };
  }

  /** Aborts every request in flight and waits (at most `timeoutMs`) until they have answered. */
  async abortAll(reason: string, timeoutMs: number): Promise<void> {
    if (this.#controllers.size === 0) return;
    const empty = new Promise<void>((resolve) => (this.#onEmpty = resolve));
    for (const controller of this.#controllers) controller.abort(new Error(reason));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([empty, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.#onEmpty = undefined;
  }
}

/**
 * After the deadline the reply gets this long to send its last events (`end.reason: 'abort'`);
 * a socket that still has not taken them is closed, whether or not the client reads.
 */
export const DEADLINE_GRACE_MS = 2_000;

export function openRequestScope(reply: FastifyReply, timeoutMs: number, active?: ActiveRequests): RequestScope {
  const controller = new AbortController();
  const untrack = active?.add(controller);
  let deadlineReached = false;
  let disconnected = false;
  let closeAfterGrace: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    deadlineReached = true;
    controller.abort(new Error(`the request ran longer than ${timeoutMs} ms`));
    closeAfterGrace = setTimeout(() => {
      if (!reply.raw.writableFinished) reply.raw.destroy(new Error(`the response was not taken ${DEADLINE_GRACE_MS} ms after the deadline`));
    }, DEADLINE_GRACE_MS);
  }, timeoutMs);
  // The response's 'close' before it finished means the socket went away: stop the model now.
  const onClose = () => {
    clearTimeout(closeAfterGrace);
    if (reply.raw.writableFinished) return;
    disconnected = true;
    controller.abort(new Error('the client disconnected'));
  };
  reply.raw.on('close', onClose);
  return {
    signal: controller.signal,
    get deadlineReached() {
      return deadlineReached;
    },
    get disconnected() {
      return disconnected;
    },
    dispose() {
      clearTimeout(deadline);
      untrack?.();
      // The grace timer and the close listener stay until the response closes: a reply stuck
      // behind a client that stopped reading is still closed on time.
      if (reply.raw.writableFinished || reply.raw.destroyed) {
        clearTimeout(closeAfterGrace);
        reply.raw.off('close', onClose);
      }
    },
  };
}

/** Takes the response over from Fastify (keeping headers hooks set, such as CORS) and opens a writer. */
export function openEventWriter(
  request: FastifyRequest,
  reply: FastifyReply,
  mode: ResponseMode,
  timing: { pingIntervalMs: number; writeTimeoutMs: number },
): EventWriter {
  reply.hijack();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  headers['x-request-id'] = request.id;
  return createEventWriter({
    mode,
    response: reply.raw,
    headers,
    pingIntervalMs: timing.pingIntervalMs,
    writeTimeoutMs: timing.writeTimeoutMs,
    onStalled: () => request.log.warn({ writeTimeoutMs: timing.writeTimeoutMs }, 'closed a response the client stopped reading'),
  });
}

/**
 * Runs the completion into the writer. A failure of our own pipeline (not the model's, which
 * `runCompletion` reports itself) still ends the stream with the masked error.
 */
export async function runIntoWriter(
  prepared: PreparedCompletion,
  llm: LLM,
  writer: EventWriter,
  request: FastifyRequest,
  signal: AbortSignal,
  observe?: (event: ProtocolEvent) => void,
): Promise<CompletionOutcome> {
  try {
    return await runCompletion(prepared, llm, {
      signal,
      requestId: request.id,
      onInternalError: (error) => request.log.error({ err: error }, 'completion failed'),
      emit: observe
        ? (event) => {
            observe(event);
            return writer.write(event);
          }
        : (event) => writer.write(event),
    });
  } catch (thrown) {
    request.log.error({ err: thrown }, 'completion pipeline failed');
    const message = `The reply could not be completed; try again (request ${request.id}).`;
    writer.write({ type: 'error', data: { code: 'GENERIC_ERROR', message } });
    return { endReason: 'error', text: '', tokens: 0, errorCode: 'GENERIC_ERROR' };
  }
}
