/**
 * What the fake Gemini answers, and how an answer becomes Gemini's wire JSON
 * (`GenerateContentResponse` chunks). Pure functions: the server in `fake-gemini.ts` sends them.
 */

export interface FakeFunctionCall {
  name: string;
  args?: Record<string, unknown>;
  /** Gemini's call id; the text API usually sends none. */
  id?: string;
  /** Sent as the part's `thoughtSignature`, as thinking models do. */
  thoughtSignature?: string;
}

export interface FakeUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

/** A successful answer, streamed as SSE (or sent whole for `:generateContent`). */
export interface FakeAnswer {
  /** The answer text, cut into `chunks` pieces of near-equal length. */
  text?: string;
  /** How many chunks `text` is cut into; default 1. */
  chunks?: number;
  /** Explicit text pieces, one chunk each (instead of `text` + `chunks`). */
  pieces?: string[];
  /** Pause before each chunk after the first. */
  delayMs?: number;
  /** Function calls, sent in the last chunk. */
  functionCalls?: FakeFunctionCall[];
  /** Finish reason of the last chunk; default 'STOP'; null sends none. */
  finishReason?: string | null;
  /** Usage sent with the last chunk; default derived from the pieces; null sends none. */
  usage?: FakeUsage | null;
  /** Block the prompt: one chunk with `promptFeedback.blockReason` and no candidates. */
  blockReason?: string;
  /** After the chunks, keep the stream open until the client goes away or the fake closes. */
  hold?: boolean;
  /**
   * After the chunks, keep streaming this text as further chunks (no finish reason), one every
   * `delayMs` (default 1), as fast as the socket takes them, until the client goes away: a model
   * that never stops talking.
   */
  endless?: string;
  /** After the chunks, an error event inside the stream (how Gemini fails mid-answer). */
  streamError?: { status: number; message?: string };
  /** After the chunks, cut the connection (a network drop mid-answer). */
  dropConnection?: boolean;
}

/** An HTTP error instead of an answer, with Gemini's error body. */
export interface FakeError {
  error: {
    status: number;
    message?: string;
    /** Sent as a `Retry-After` header (seconds). */
    retryAfterS?: number;
    /** Sent as `google.rpc.RetryInfo.retryDelay` in the body, as Gemini does on 429. */
    retryDelayS?: number;
  };
}

export type FakeReply = FakeAnswer | FakeError;

export function isFakeError(reply: FakeReply): reply is FakeError {
  return 'error' in reply && typeof reply.error === 'object';
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Gemini's error body: `{ error: { code, message, status, details? } }`. */
export function errorBody(status: number, message?: string, retryDelayS?: number): Record<string, unknown> {
  const details =
    retryDelayS === undefined ? undefined : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelayS}s` }];
  return {
    error: {
      code: status,
      message: message ?? `fake error ${status}`,
      status: STATUS_NAMES[status] ?? 'UNKNOWN',
      ...(details ? { details } : {}),
    },
  };
}

/** The text pieces of an answer, one per chunk. */
export function piecesOf(answer: FakeAnswer): string[] {
  if (answer.pieces) return answer.pieces;
  const text = answer.text ?? '';
  const count = Math.max(1, Math.min(answer.chunks ?? 1, text.length || 1));
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size)).filter((piece, i) => piece !== '' || i === 0);
}

/** The SSE chunks of an answer, in order. */
export function answerChunks(answer: FakeAnswer, model: string): Record<string, unknown>[] {
  if (answer.blockReason) {
    return [{ promptFeedback: { blockReason: answer.blockReason }, usageMetadata: usageOf(answer, []), modelVersion: model }];
  }
  const pieces = piecesOf(answer);
  const calls = answer.functionCalls ?? [];
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const parts: Record<string, unknown>[] = piece === '' ? [] : [{ text: piece }];
    if (last) parts.push(...calls.map(functionCallPart));
    const finishReason = answer.finishReason === undefined ? 'STOP' : answer.finishReason;
    const usage = usageOf(answer, pieces);
    return {
      candidates: [{ content: { role: 'model', parts }, index: 0, ...(last && finishReason ? { finishReason } : {}) }],
      ...(last && usage ? { usageMetadata: usage } : {}),
      modelVersion: model,
      responseId: 'fake-response',
    };
  });
}

/** One `GenerateContentResponse` with the whole answer, for `:generateContent`. */
export function answerWhole(answer: FakeAnswer, model: string): Record<string, unknown> {
  if (answer.blockReason) return answerChunks(answer, model)[0]!;
  return answerChunks({ ...answer, pieces: [piecesOf(answer).join('')] }, model)[0]!;
}

function functionCallPart(call: FakeFunctionCall): Record<string, unknown> {
  return {
    functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.args ?? {} },
    ...(call.thoughtSignature ? { thoughtSignature: call.thoughtSignature } : {}),
  };
}

function usageOf(answer: FakeAnswer, pieces: string[]): FakeUsage | undefined {
  if (answer.usage === null) return undefined;
  const candidatesTokenCount = pieces.length + (answer.functionCalls?.length ?? 0);
  const usage = { promptTokenCount: 10, candidatesTokenCount, ...answer.usage };
  return {
    ...usage,
    totalTokenCount: usage.totalTokenCount ?? usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0),
  };
}
