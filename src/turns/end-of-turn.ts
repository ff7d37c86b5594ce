/**
 * When the user's turn is over: silence from the voice activity detector plus, where transcripts
 * exist, a text signal, with the two delays every cascaded pipeline in the field has (LiveKit
 * Agents' min/max endpointing delay). Both modes use it: pipeline mode with its STT's finals,
 * realtime mode under the agent's own detection with the model's input transcription.
 *
 * - `minDelayMs` after the user went silent, when the words say the turn is complete: the STT's
 *   own endpointing ended the utterance, or the final text ends a sentence (. ? !);
 * - `maxDelayMs` after the user went silent otherwise (a pause mid-sentence: "I'd like to…").
 *
 * Speech again cancels the wait. Without a VAD the STT's events stand in for it: speech starts
 * with its first transcript and stops with its utterance end. With `requireText` (pipeline mode)
 * a turn only ends once it has text: a cough the VAD heard but the STT did not transcribe is not
 * a turn. Without it (transcripts that may lag the audio), a turn without text ends after the
 * maximum delay.
 */

export interface EndOfTurnOptions {
  /** Wait after silence when the text says the turn is complete; default 500 ms. */
  minDelayMs?: number;
  /** Wait after silence when it does not; default 3 000 ms. */
  maxDelayMs?: number;
  /** Only a turn with text ends; default true. */
  requireText?: boolean;
  /** Called once per turn, when it ends. */
  onTurnEnd: () => void;
}

export const DEFAULT_MIN_ENDPOINTING_DELAY_MS = 500;
export const DEFAULT_MAX_ENDPOINTING_DELAY_MS = 3_000;

/** Text that ends a sentence: the speaker finished a thought. */
const COMPLETE_SENTENCE = /[.?!…]["')\]]*\s*$/;

export class EndOfTurnDetector {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly #onTurnEnd: () => void;
  readonly #requireText: boolean;
  #speaking = false;
  #silentSince: number | undefined;
  #text = '';
  #utteranceEnded = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: EndOfTurnOptions) {
    this.minDelayMs = options.minDelayMs ?? DEFAULT_MIN_ENDPOINTING_DELAY_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_ENDPOINTING_DELAY_MS;
    if (!(this.minDelayMs >= 0) || !(this.maxDelayMs >= this.minDelayMs)) {
      throw new RangeError(`endpointing delays must satisfy 0 <= min (${this.minDelayMs}) <= max (${this.maxDelayMs})`);
    }
    this.#onTurnEnd = options.onTurnEnd;
    this.#requireText = options.requireText ?? true;
  }

  /** The user started speaking (VAD): any wait is off. */
  speechStarted(): void {
    this.#speaking = true;
    this.#silentSince = undefined;
    this.#utteranceEnded = false;
    this.#clear();
  }

  /** The user went silent (VAD). */
  speechEnded(): void {
    this.#speaking = false;
    this.#silentSince = performance.now();
    this.#schedule();
  }

  /** A final transcript of the current turn. */
  finalText(text: string): void {
    this.#text = `${this.#text} ${text}`.trim();
    this.#schedule();
  }

  /** The STT's endpointing ended the utterance; without a VAD it also means silence. */
  utteranceEnded(hasVad: boolean): void {
    this.#utteranceEnded = true;
    if (!hasVad && this.#silentSince === undefined) {
      this.#speaking = false;
      this.#silentSince = performance.now();
    }
    this.#schedule();
  }

  /** Starts a new turn (the last one ended, or the session answered text instead). */
  reset(): void {
    this.#clear();
    this.#text = '';
    this.#utteranceEnded = false;
    this.#silentSince = this.#speaking ? undefined : this.#silentSince;
  }

  close(): void {
    this.#clear();
  }

  #schedule(): void {
    this.#clear();
    if (this.#speaking || this.#silentSince === undefined || (this.#requireText && this.#text === '')) return;
    const complete = this.#utteranceEnded || COMPLETE_SENTENCE.test(this.#text);
    const waitMs = Math.max(0, this.#silentSince + (complete ? this.minDelayMs : this.maxDelayMs) - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.reset();
      this.#onTurnEnd();
    }, waitMs);
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
