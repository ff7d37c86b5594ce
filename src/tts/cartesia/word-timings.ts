/**
 * Puts Cartesia's word timestamps on the audio chunks they belong to. The service sends a
 * `timestamps` event per batch of words (seconds from the start of the context's audio), before
 * or after the audio of those words; audio is never held back to wait for them. A word goes on
 * the first chunk yielded that reaches its start, or, when its audio was already yielded, on the
 * next chunk; the words still waiting when the speech ends go on a last, empty chunk.
 */
import type { TtsWordTiming } from '../tts.js';

export interface WordTimestampsEvent {
  words: string[];
  start: number[];
  end: number[];
}

export class WordTimings {
  #pending: TtsWordTiming[] = [];

  /** Takes a `word_timestamps` payload (seconds) as milliseconds, shifted by `offsetMs` (where its context's audio began). */
  add(timestamps: WordTimestampsEvent, offsetMs = 0): void {
    const count = Math.min(timestamps.words.length, timestamps.start.length, timestamps.end.length);
    for (let i = 0; i < count; i++) {
      this.#pending.push({
        text: timestamps.words[i]!,
        startMs: offsetMs + secondsToMs(timestamps.start[i]!),
        endMs: offsetMs + secondsToMs(timestamps.end[i]!),
      });
    }
  }

  /** The waiting words that start before `chunkEndMs` (the end of the audio yielded with this chunk). */
  takeStartingBefore(chunkEndMs: number): TtsWordTiming[] | undefined {
    const cut = this.#pending.findIndex((word) => word.startMs >= chunkEndMs);
    const taken = cut === -1 ? this.#pending : this.#pending.slice(0, cut);
    if (taken.length === 0) return undefined;
    this.#pending = cut === -1 ? [] : this.#pending.slice(cut);
    return taken;
  }

  /** Every word still waiting. */
  takeAll(): TtsWordTiming[] | undefined {
    return this.takeStartingBefore(Number.POSITIVE_INFINITY);
  }

  clear(): void {
    this.#pending = [];
  }
}

/** Seconds to ms, rounded to 0.001 ms so float noise (0.06 × 3 = 0.18000000000000002) stays out. */
function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1_000_000) / 1000;
}
