/**
 * Preemptive generation: the LLM starts on the user's words as soon as the STT settles them,
 * while the end of turn is still being confirmed (the endpointing delay), and its answer is
 * kept, not spoken. When the turn ends with those same words, the answer is adopted and
 * spoken at once, the LLM's time already spent; when the user goes on, it is discarded.
 *
 * A tool is never run for an answer that may be discarded: a tool call before the adoption
 * spoils the generation (the model's request stops before the tool runs), and the turn is
 * answered afresh when it ends.
 */
import type { LLM, LLMEvent, LLMMessage } from '../llm/llm.js';
import type { ToolRegistry } from '../llm/tool-registry.js';
import { AsyncQueue } from '../core/async-queue.js';

export interface PreemptiveGenerationInit {
  llm: LLM;
  instructions: string | undefined;
  tools: ToolRegistry | undefined;
  /** The conversation so far, without the user's words below. */
  history: LLMMessage[];
  /** The user's words the answer is for. */
  userText: string;
}

export class PreemptiveGeneration {
  readonly userText: string;
  readonly startedAt = performance.now();
  readonly #abort = new AbortController();
  readonly #iterator: AsyncIterator<LLMEvent>;
  /** The LLM's events, kept until the answer is adopted, then handed on as they come. */
  readonly #events = new AsyncQueue<LLMEvent>();
  #firstTextAt: number | undefined;
  #spoiled = false;
  #adopted = false;

  constructor(init: PreemptiveGenerationInit) {
    this.userText = init.userText;
    const messages: LLMMessage[] = [...init.history, { role: 'user', content: [{ type: 'text', text: init.userText }] }];
    this.#iterator = init.llm.stream({ instructions: init.instructions, messages, tools: init.tools, signal: this.#abort.signal })[Symbol.asyncIterator]();
    void this.#pump();
  }

  /** Whether it can still be adopted: not discarded, and no tool call came first. */
  get usable(): boolean {
    return !this.#spoiled && !this.#adopted && !this.#abort.signal.aborted;
  }

  /** When the LLM's first text arrived (performance.now()), if it has. */
  get firstTextAt(): number | undefined {
    return this.#firstTextAt;
  }

  /**
   * Takes the answer over: its events so far, then the rest as the LLM produces them. Aborting
   * `signal` (the answer is cut) stops the LLM.
   */
  adopt(signal: AbortSignal): AsyncIterable<LLMEvent> {
    this.#adopted = true;
    if (signal.aborted) this.#abort.abort();
    else signal.addEventListener('abort', () => this.#abort.abort(), { once: true });
    return this.#events;
  }

  /** The user went on: stop the LLM and forget the answer. */
  discard(): void {
    this.#abort.abort();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.#iterator.next();
        if (done) break;
        if (value.type === 'tool_call' && !this.#adopted) {
          // Returning here ends the model's stream before the tool loop runs the tool.
          this.#spoiled = true;
          await this.#iterator.return?.();
          break;
        }
        if (value.type === 'text') this.#firstTextAt ??= performance.now();
        this.#events.push(value);
      }
      this.#events.end();
    } catch (error) {
      // A request stopped on purpose (discarded, or the adopted answer cut) is no failure.
      if (this.#abort.signal.aborted) this.#events.end();
      else this.#events.fail(error);
    }
  }
}
