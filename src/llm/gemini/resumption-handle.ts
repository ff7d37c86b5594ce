/**
 * The latest Gemini Live resumption handle, and whether it is current: issued after everything
 * the server's context has taken in.
 *
 * Handles arrive in `sessionResumptionUpdate`. While the model generates, updates say
 * `resumable: false`; the handle that includes a finished turn comes in a later message, after
 * that turn's `turnComplete`. A connection resumed from an older handle has forgotten whatever
 * came after it (the last question and its answer), so a planned handover waits for a current
 * handle, while an unplanned reconnect takes the best one there is.
 */
import type { LiveServerMessage, LiveServerSessionResumptionUpdate } from '@google/genai';

export class ResumptionHandle {
  #value: string | undefined;
  #current = false;

  /** The latest resumable handle, current or not; undefined before the first or after `forget()`. */
  get value(): string | undefined {
    return this.#value;
  }

  /** True when resuming from `value` would lose nothing the server has taken in. */
  get current(): boolean {
    return this.#value !== undefined && this.#current;
  }

  /**
   * A resumable handle issued while the model is idle (no turn, no tool call open) covers
   * everything so far. A non-resumable update says the context is changing under the handle.
   */
  updated(update: LiveServerSessionResumptionUpdate, modelIdle: boolean): void {
    if (update.resumable && update.newHandle) {
      this.#value = update.newHandle;
      this.#current = modelIdle;
    } else if (update.resumable === false) {
      this.#current = false;
    }
  }

  /** The server's context took in something the handle does not include. */
  contextGrew(): void {
    this.#current = false;
  }

  /** The server refused the handle (expired or unknown): the next session starts afresh. */
  forget(): void {
    this.#value = undefined;
    this.#current = false;
  }
}

/** Whether a server message shows the context taking in a turn: speech heard, model output, tool calls. */
export function growsContext(message: LiveServerMessage): boolean {
  const content = message.serverContent;
  return Boolean(
    message.toolCall ||
      content?.inputTranscription?.text ||
      content?.outputTranscription?.text ||
      content?.modelTurn?.parts?.length,
  );
}
