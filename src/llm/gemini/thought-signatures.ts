/**
 * Thinking Gemini models attach an opaque `thoughtSignature` to the function calls they make, and
 * Gemini 3 rejects (400) a later request whose history replays such a call without it. Our
 * provider-neutral ToolCall has no field for it, so the signatures the model sent are kept here,
 * by call id, for when a caller replays the call as history (caller-run tools, the completion
 * API). The cache is bounded: the oldest signatures go first.
 */

/**
 * Documented by Google for history whose signature is unknown (another process, another model,
 * a trimmed cache): the request validates, at some cost to the model's reasoning continuity.
 * https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const UNKNOWN_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export class ThoughtSignatures {
  readonly #byCallId = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = 2_000) {
    this.#capacity = capacity;
  }

  remember(callId: string, signature: string): void {
    this.#byCallId.delete(callId);
    this.#byCallId.set(callId, signature);
    if (this.#byCallId.size > this.#capacity) {
      const oldest = this.#byCallId.keys().next().value;
      if (oldest !== undefined) this.#byCallId.delete(oldest);
    }
  }

  get(callId: string): string | undefined {
    return this.#byCallId.get(callId);
  }
}
