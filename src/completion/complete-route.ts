/**
 * `POST /api/v1/conversation/complete` (also `/v1/conversation/complete`): the stateless
 * completion. The handler only wires the steps together: validate → prepare (all client
 * mistakes answered here, before any model call) → run, writing events in the chosen mode,
 * under a deadline and a client-disconnect abort. No conversation record is created.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LLM } from '../llm/llm.js';
import type { AttachmentBudget } from './attachments/attachment-budget.js';
import type { ContactStore } from './contacts.js';
import { prepareCompletion, type PrepareContext, type PreparedCompletion } from './prepare-completion.js';
import { CompleteRequestSchema } from './request-schema.js';
import { formatIssuePath } from '../http/field-path.js';
import { responseModeFor } from './response-mode.js';
import type { CompletionOutcome } from './run-completion.js';
import { recordCompletionModel, recordCompletionOutcome, traceCompletion } from './completion-span.js';
import type { Span } from '../core/tracing.js';
import { RequestError } from '../http/http-errors.js';
import { openEventWriter, openRequestScope, runIntoWriter, type ActiveRequests } from './event-response.js';

export const COMPLETE_PATHS = ['/api/v1/conversation/complete', '/v1/conversation/complete'] as const;

export interface CompletionRuntime {
  llm: LLM;
  /** The node's bound on attachment bytes held at once. */
  attachmentBudget: AttachmentBudget;
  prepare: PrepareContext;
  contacts: ContactStore;
  /** The longest a request may run before it ends with `end.reason: 'abort'`. */
  timeoutMs: number;
  pingIntervalMs: number;
  /** How long a client may take nothing of a response before it is closed. */
  writeTimeoutMs: number;
  /** Requests in flight, ended cleanly when the server closes. */
  active: ActiveRequests;
}

export function registerCompleteRoutes(api: FastifyInstance, runtime: CompletionRuntime): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    traceCompletion(request, 'stateless', (span) => handleComplete(request, reply, runtime, span));
  for (const path of COMPLETE_PATHS) api.post(path, handler);
}

/** The Accept header's mode, or the protocol's 400. */
export function requireResponseMode(request: FastifyRequest) {
  const mode = responseModeFor(request.headers.accept);
  if (!mode) {
    throw new RequestError(400, 'NOT_ACCEPTABLE', 'Accept must be application/json, application/jsonl or text/event-stream.', 'accept');
  }
  return mode;
}

async function handleComplete(request: FastifyRequest, reply: FastifyReply, runtime: CompletionRuntime, span: Span): Promise<void> {
  const mode = requireResponseMode(request);
  const caller = request.caller!;
  const parsed = CompleteRequestSchema.safeParse(caller.trusted ? request.body : withoutExtensions(request.body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = formatIssuePath(issue.path);
    throw new RequestError(400, 'INVALID_REQUEST', `${path}: ${issue.message}`, path);
  }
  const scope = openRequestScope(reply, runtime.timeoutMs, runtime.active);
  const attachments = runtime.attachmentBudget.open();
  try {
    const prepared = await prepareCompletion(parsed.data, caller, runtime.prepare, scope.signal, attachments);
    recordCompletionModel(span, prepared.model, runtime.llm.provider);
    const writer = openEventWriter(request, reply, mode, runtime);
    const startedAtMs = performance.now();
    const outcome = await runIntoWriter(prepared, runtime.llm, writer, request, scope.signal);
    writer.end();
    recordCompletionOutcome(span, outcome, scope);
    request.log.info(
      {
        keyId: caller.keyId,
        mode,
        model: prepared.model,
        endReason: outcome.endReason,
        errorCode: outcome.errorCode,
        tokens: outcome.tokens,
        deadlineReached: scope.deadlineReached,
        disconnected: scope.disconnected,
        durationMs: Math.round(performance.now() - startedAtMs),
      },
      'completion finished',
    );
    if (prepared.contact) await recordContactUsage(runtime, request, prepared, outcome);
  } finally {
    attachments.release();
    scope.dispose();
  }
}

/** `extensions` are for the trusted key only; from anyone else they are ignored entirely, unread. */
function withoutExtensions(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('extensions' in body)) return body;
  const { extensions: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** Requests, messages (the user's new one and the reply) and tokens, per contact. */
async function recordContactUsage(
  runtime: CompletionRuntime,
  request: FastifyRequest,
  prepared: PreparedCompletion,
  outcome: CompletionOutcome,
): Promise<void> {
  const contactId = prepared.contact!.id;
  const messages = (prepared.input.text === '' ? 0 : 1) + (outcome.text !== '' || outcome.endReason === 'activity' ? 1 : 0);
  try {
    await runtime.contacts.recordUsage(contactId, { requests: 1, messages, tokens: outcome.tokens });
  } catch (thrown) {
    // Usage accounting must not fail a reply that was already sent.
    request.log.warn({ err: thrown, contactId }, 'could not record contact usage');
  }
}
