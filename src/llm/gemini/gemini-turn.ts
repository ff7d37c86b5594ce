/**
 * One request's conversation with Gemini, as the tool loop drives it: each `generate` streams one
 * `generateContent` call and then records the model's turn; tool results are added as a user
 * turn. Failures are retried with backoff only while nothing of that call has been yielded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Content, GenerateContentConfig, GoogleGenAI } from '@google/genai';
import { createLogger } from '../../core/logger.js';
import { retryDelayMs, type RetryPolicy } from '../retry.js';
import type { ModelEvent, ToolLoopModel } from '../tool-loop.js';
import type { ToolCall, ToolResult } from '../tool.js';
import { functionResponsePart } from './gemini-contents.js';
import { advisedRetryDelayMs, isRetryable, toGeminiError } from './gemini-errors.js';
import { GeminiResponseReader } from './gemini-response.js';
import { recordModelAnswer, recordModelCallEnd, startModelCallSpan } from './model-call-span.js';
import type { ThoughtSignatures } from './thought-signatures.js';

/** The part of the SDK client this provider uses (a test or a wrapper may pass its own). */
export type GeminiClient = Pick<GoogleGenAI, 'models'>;

export interface GeminiTurnOptions {
  client: GeminiClient;
  apiKey: string;
  model: string;
  config: GenerateContentConfig;
  contents: Content[];
  signatures: ThoughtSignatures;
  retry: RetryPolicy;
}

const log = createLogger('llm.gemini');

export class GeminiTurn implements ToolLoopModel {
  readonly #options: GeminiTurnOptions;
  readonly #contents: Content[];

  constructor(options: GeminiTurnOptions) {
    this.#options = options;
    this.#contents = [...options.contents];
  }

  /**
   * One `generateContent` call, retried while nothing of it has been yielded. The HTTP request
   * has its own AbortController, aborted when `signal` aborts and when the caller stops reading
   * (`return()` runs the finally), so an abandoned stream never keeps its socket.
   */
  async *generate(signal: AbortSignal): AsyncGenerator<ModelEvent, void, undefined> {
    const { client, model, config, signatures, retry, apiKey } = this.#options;
    const span = startModelCallSpan(model, config);
    const call = new AbortController();
    const onAbort = () => call.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (let attempt = 1; ; attempt++) {
        const reader = new GeminiResponseReader(signatures);
        let yielded = false;
        try {
          const stream = await client.models.generateContentStream({
            model,
            contents: this.#contents,
            config: { ...config, abortSignal: call.signal },
          });
          for await (const chunk of stream) {
            for (const event of reader.read(chunk)) {
              yielded = true;
              yield event;
            }
          }
        } catch (error) {
          // The loop reports an abort as finishReason 'abort'; this error is only the symptom.
          if (call.signal.aborted) throw error;
          const advisedMs = advisedRetryDelayMs(error);
          const delayMs = retryDelayMs(attempt - 1, retry, advisedMs);
          const canRetry = !yielded && attempt <= retry.maxRetries && isRetryable(error);
          if (!canRetry || delayMs === undefined) {
            // `refusedDelayMs`: it could have been retried, but Gemini asked for a longer pause than we wait.
            throw toGeminiError(error, { apiKey, model, attempts: attempt, refusedDelayMs: canRetry ? advisedMs : undefined });
          }
          log.info({ model, attempt, delayMs, err: toGeminiError(error, { apiKey, model, attempts: attempt }) }, 'retrying Gemini request');
          await sleep(delayMs, undefined, { signal: call.signal });
          continue;
        }
        if (reader.parts.length > 0) this.#contents.push({ role: 'model', parts: reader.parts });
        recordModelAnswer(span, { attempts: attempt, usage: reader.usage, finishReason: reader.finishReason ?? 'other' });
        if (reader.usage) yield { type: 'usage', model, usage: reader.usage };
        yield { type: 'finish', reason: reader.finishReason ?? 'other' };
        return;
      }
    } catch (thrown) {
      recordModelCallEnd(span, thrown, call.signal.aborted);
      throw thrown;
    } finally {
      signal.removeEventListener('abort', onAbort);
      call.abort();
      span.end();
    }
  }

  addToolResults(results: ReadonlyArray<{ call: ToolCall; result: ToolResult }>): void {
    this.#contents.push({ role: 'user', parts: results.map(({ call, result }) => functionResponsePart(call, result)) });
  }
}
