/**
 * The span of one Gemini `generateContent` call (`generate_content <model>`, a CLIENT span in
 * the GenAI conventions): the model and sampling settings asked for, then the tokens, the
 * finish reason and how many tries it took. An abort is how a request ends early, not a failure.
 */
import type { GenerateContentConfig } from '@google/genai';
import { recordFailure, SpanKind, startSpan, type Attributes, type Span } from '../../core/tracing.js';
import { GEMINI, GEN_AI, providerAttributes } from '../../core/trace-attributes.js';
import type { FinishReason, TokenUsage } from '../llm.js';

export function startModelCallSpan(model: string, config: GenerateContentConfig): Span {
  const attributes: Attributes = {
    [GEN_AI.operationName]: 'generate_content',
    ...providerAttributes('gemini'),
    [GEN_AI.requestModel]: model,
  };
  if (config.temperature !== undefined) attributes[GEN_AI.requestTemperature] = config.temperature;
  if (config.topP !== undefined) attributes[GEN_AI.requestTopP] = config.topP;
  if (config.topK !== undefined) attributes[GEN_AI.requestTopK] = config.topK;
  if (config.maxOutputTokens !== undefined) attributes[GEN_AI.requestMaxTokens] = config.maxOutputTokens;
  return startSpan(`generate_content ${model}`, { kind: SpanKind.CLIENT, attributes });
}

export function recordModelAnswer(span: Span, answer: { attempts: number; usage: TokenUsage | undefined; finishReason: FinishReason }): void {
  if (!span.isRecording()) return;
  span.setAttribute(GEMINI.attempts, answer.attempts);
  span.setAttribute(GEN_AI.responseFinishReasons, [answer.finishReason]);
  if (answer.usage) {
    span.setAttribute(GEN_AI.usageInputTokens, answer.usage.inputTokens);
    span.setAttribute(GEN_AI.usageOutputTokens, answer.usage.outputTokens);
  }
}

export function recordModelCallEnd(span: Span, thrown: unknown, aborted: boolean): void {
  if (aborted) span.setAttribute(GEN_AI.responseFinishReasons, ['abort']);
  else recordFailure(span, thrown);
}
