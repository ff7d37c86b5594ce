/**
 * Gemini as a text LLM, on `@google/genai`: streaming `generateContent`, the tool loop, retries
 * before the first token, and cancellation.
 *
 * Cancelling: aborting `request.signal` (or stopping reading the stream) aborts the HTTP request
 * at once. An abort is not an error: the stream ends normally with a `done` event whose
 * finishReason is 'abort', carrying the text and usage received so far. Provider failures throw
 * a ProviderError (the API key never appears in it).
 */
import { GoogleGenAI } from '@google/genai';
import { ValidationError } from '../../core/errors.js';
import { collect } from '../collect.js';
import type { LLM, LLMDone, LLMEvent, LLMRequest } from '../llm.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry.js';
import { runToolLoop } from '../tool-loop.js';
import { toGeminiContents } from './gemini-contents.js';
import { toGeminiConfig } from './gemini-request-config.js';
import { GeminiTurn, type GeminiClient } from './gemini-turn.js';
import { ThoughtSignatures } from './thought-signatures.js';

/** A current Flash model: fast enough for voice, and the default of `GEMINI_MODEL`. */
export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-flash';

export interface GeminiLLMOptions {
  apiKey: string;
  /** Default model; a request may override it with `options.model`. */
  model?: string;
  /** Another Gemini endpoint (a proxy, or a local fake in tests); the SDK's default otherwise. */
  baseUrl?: string;
  /** Retries of a request that failed before its first token (429, 5xx, network); default 3. */
  maxRetries?: number;
  /** First backoff pause, doubling with jitter; default 500. */
  retryInitialDelayMs?: number;
  /** Longest pause, also the longest retry delay Gemini may ask for; default 8000. */
  retryMaxDelayMs?: number;
  /** A ready client instead of one built from `apiKey` and `baseUrl`. */
  client?: GeminiClient;
}

export class GeminiLLM implements LLM {
  readonly provider = 'gemini';
  readonly model: string;
  readonly #client: GeminiClient;
  readonly #apiKey: string;
  readonly #retry: RetryPolicy;
  /** Signatures of the calls this instance has seen, for when callers replay them as history. */
  readonly #signatures = new ThoughtSignatures();

  constructor(options: GeminiLLMOptions) {
    if (!options.apiKey && !options.client) throw new ValidationError('apiKey', 'a Gemini API key is required (GOOGLE_API_KEY)');
    this.model = options.model || DEFAULT_GEMINI_MODEL;
    this.#apiKey = options.apiKey;
    this.#retry = {
      maxRetries: nonNegative(options.maxRetries, 'maxRetries') ?? DEFAULT_RETRY_POLICY.maxRetries,
      initialDelayMs: nonNegative(options.retryInitialDelayMs, 'retryInitialDelayMs') ?? DEFAULT_RETRY_POLICY.initialDelayMs,
      maxDelayMs: nonNegative(options.retryMaxDelayMs, 'retryMaxDelayMs') ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    };
    this.#client =
      options.client ??
      // `vertexai: false` so that GOOGLE_GENAI_USE_VERTEXAI in the environment cannot reroute us.
      new GoogleGenAI({ apiKey: options.apiKey, vertexai: false, httpOptions: options.baseUrl ? { baseUrl: options.baseUrl } : undefined });
  }


  /** Nothing is checked or sent until the stream is iterated; bad input then throws ValidationError. */
  stream(request: LLMRequest): AsyncIterable<LLMEvent> {
    return { [Symbol.asyncIterator]: () => this.#loop(request) };
  }

  #loop(request: LLMRequest): AsyncGenerator<LLMEvent, void, undefined> {
    const turn = new GeminiTurn({
      client: this.#client,
      apiKey: this.#apiKey,
      model: request.options?.model || this.model,
      config: toGeminiConfig(request),
      contents: toGeminiContents(request.messages, this.#signatures),
      signatures: this.#signatures,
      retry: this.#retry,
    });
    // The turn aborts its HTTP request when the signal aborts or the consumer stops reading.
    return runToolLoop(turn, {
      tools: request.tools,
      signal: request.signal ?? NEVER_ABORTED,
      maxToolRounds: request.options?.maxToolRounds,
      toolTimeoutMs: request.options?.toolTimeoutMs,
    });
  }

  complete(request: LLMRequest): Promise<LLMDone> {
    return collect(this.stream(request));
  }
}

/** For requests without a signal: one that never aborts. */
const NEVER_ABORTED = new AbortController().signal;

function nonNegative(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new ValidationError(name, `must be a number of 0 or more, got ${String(value)}`);
  return value;
}
