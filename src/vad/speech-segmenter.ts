/**
 * Turns a detector's per-window speech probabilities into speech that starts and ends, with
 * hysteresis: speech starts after `minSpeechMs` of windows at or above `activationThreshold`, and
 * ends after `minSilenceMs` since a window fell below `deactivationThreshold` with none at or
 * above `activationThreshold` since. Windows in between the two thresholds change nothing: they
 * neither start a silence nor break one, so a speaker trailing off does not flap the state.
 * This is the rule of Silero's own streaming iterator (VADIterator), with LiveKit's
 * minimum-speech duration added so that a click or a knock does not count as speech.
 *
 * Pure and synchronous (no model, no timers), so any detector that scores windows can use it.
 */

export interface SpeechSegmenterOptions {
  /** A window at or above this probability is speech. */
  activationThreshold: number;
  /** While speaking, a window below this probability is silence; at most `activationThreshold`. */
  deactivationThreshold: number;
  /** Speech must last this long (in whole windows) before it starts, in ms. */
  minSpeechMs: number;
  /** Silence must last this long before speech ends, in ms. */
  minSilenceMs: number;
  /** `speech.started` is put this much before the first speech window, in ms, to include the onset. */
  prefixPaddingMs: number;
}

export type SegmentBoundary = { type: 'speech.started'; atMs: number } | { type: 'speech.ended'; atMs: number; durationMs: number };

export class SpeechSegmenter {
  #speaking = false;
  /** Start of the current run of speech windows while not speaking. */
  #speechRunStartMs: number | undefined;
  /** Start of the current silence while speaking. */
  #silenceStartMs: number | undefined;
  #startedAtMs = 0;

  constructor(private readonly options: SpeechSegmenterOptions) {}

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Takes the probability of the window [startMs, endMs); returns the boundary it completes, if any. */
  update(probability: number, startMs: number, endMs: number): SegmentBoundary | undefined {
    const { activationThreshold, deactivationThreshold, minSpeechMs, minSilenceMs, prefixPaddingMs } = this.options;
    if (!this.#speaking) {
      if (probability < activationThreshold) {
        this.#speechRunStartMs = undefined;
        return undefined;
      }
      this.#speechRunStartMs ??= startMs;
      if (endMs - this.#speechRunStartMs < minSpeechMs) return undefined;
      this.#speaking = true;
      this.#startedAtMs = Math.max(0, this.#speechRunStartMs - prefixPaddingMs);
      this.#speechRunStartMs = undefined;
      this.#silenceStartMs = undefined;
      return { type: 'speech.started', atMs: this.#startedAtMs };
    }
    if (probability >= activationThreshold) {
      this.#silenceStartMs = undefined;
      return undefined;
    }
    if (probability < deactivationThreshold) this.#silenceStartMs ??= startMs;
    if (this.#silenceStartMs === undefined || endMs - this.#silenceStartMs < minSilenceMs) return undefined;
    const atMs = this.#silenceStartMs;
    this.#speaking = false;
    this.#silenceStartMs = undefined;
    return { type: 'speech.ended', atMs, durationMs: atMs - this.#startedAtMs };
  }
}
