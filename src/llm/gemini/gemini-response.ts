/**
 * Reads one streamed Gemini answer, chunk by chunk: text deltas and function calls as they
 * arrive, and, by the end, the finish reason, the usage and the model's turn exactly as Gemini
 * sent it (thought signatures included), ready to be replayed in the next tool round.
 */
import type { GenerateContentResponse, GenerateContentResponseUsageMetadata, Part } from '@google/genai';
import type { FinishReason, TokenUsage } from '../llm.js';
import type { ModelEvent } from '../tool-loop.js';
import { generateCallId } from './call-ids.js';
import type { ThoughtSignatures } from './thought-signatures.js';

type StreamedEvent = Extract<ModelEvent, { type: 'text' | 'tool_call' }>;

export class GeminiResponseReader {
  /** The model's turn, for the next request of the tool loop. */
  readonly parts: Part[] = [];
  finishReason: FinishReason | undefined;
  usage: TokenUsage | undefined;
  readonly #signatures: ThoughtSignatures;

  constructor(signatures: ThoughtSignatures) {
    this.#signatures = signatures;
  }

  /** The events in this chunk, in order. */
  read(chunk: GenerateContentResponse): StreamedEvent[] {
    const events: StreamedEvent[] = [];
    // Each chunk's usage is the running total of this request, so the latest one wins.
    if (chunk.usageMetadata) this.usage = toTokenUsage(chunk.usageMetadata);
    if (chunk.promptFeedback?.blockReason) this.finishReason = 'safety';

    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      this.#keep(part);
      if (part.thought) continue; // thought summaries are the model's reasoning, not its answer
      if (part.functionCall) {
        const id = part.functionCall.id || generateCallId();
        if (part.thoughtSignature) this.#signatures.remember(id, part.thoughtSignature);
        events.push({ type: 'tool_call', call: { id, name: part.functionCall.name ?? '', arguments: part.functionCall.args ?? {} } });
      } else if (typeof part.text === 'string' && part.text !== '') {
        events.push({ type: 'text', text: part.text });
      }
    }
    if (candidate?.finishReason) this.finishReason = mapFinishReason(candidate.finishReason);
    return events;
  }

  /** Plain text deltas are joined into one part; anything carrying more is kept as sent. */
  #keep(part: Part): void {
    const last = this.parts.at(-1);
    if (last && isPlainText(last) && isPlainText(part)) last.text = `${last.text ?? ''}${part.text ?? ''}`;
    else this.parts.push({ ...part });
  }
}

function isPlainText(part: Part): boolean {
  if (typeof part.text !== 'string') return false;
  for (const key in part) if (key !== 'text') return false;
  return true;
}

const FINISH_REASONS: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'safety',
  RECITATION: 'safety',
  BLOCKLIST: 'safety',
  PROHIBITED_CONTENT: 'safety',
  SPII: 'safety',
  IMAGE_SAFETY: 'safety',
  IMAGE_PROHIBITED_CONTENT: 'safety',
  IMAGE_RECITATION: 'safety',
};

export function mapFinishReason(reason: string): FinishReason {
  // Own keys only: a reason the table lacks is 'other', never something Object.prototype has.
  return Object.hasOwn(FINISH_REASONS, reason) ? FINISH_REASONS[reason]! : 'other';
}

/** Thinking tokens are billed as output, so they count as output here. */
export function toTokenUsage(metadata: GenerateContentResponseUsageMetadata): TokenUsage {
  const inputTokens = metadata.promptTokenCount ?? 0;
  const outputTokens = (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: metadata.totalTokenCount ?? inputTokens + outputTokens };
}
