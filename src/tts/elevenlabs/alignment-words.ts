/**
 * Words with their times from ElevenLabs' character alignment. Each audio message carries the
 * characters whose sound starts in it, with start times relative to that message's audio; a
 * word can straddle messages, so characters are gathered until whitespace (or the end of a
 * sentence, or of the session) closes the word. Times are made absolute by the caller's offset:
 * the audio of the session before the message, so they run on across messages and sentences.
 */
import type { TtsWordTiming } from '../tts.js';

/** The character alignment of one audio message, as the service sends it. */
export interface CharacterAlignment {
  chars?: string[] | null;
  charStartTimesMs?: number[] | null;
  /** The documented wire name; the SDK's types spell it `charDurationsMs`, so both are read. */
  charsDurationsMs?: number[] | null;
  charDurationsMs?: number[] | null;
}

const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/;

export class AlignmentWords {
  #pending: TtsWordTiming | undefined;

  /**
   * The words the characters of one message complete; `offsetMs` is where the message's audio
   * starts in the session. A word still open at the end of the message waits for the next one,
   * unless it ends a sentence.
   */
  add(alignment: CharacterAlignment | null | undefined, offsetMs: number): TtsWordTiming[] {
    const chars = alignment?.chars;
    const starts = alignment?.charStartTimesMs;
    const durations = alignment?.charsDurationsMs ?? alignment?.charDurationsMs;
    if (!chars || !starts || !durations) return [];
    const words: TtsWordTiming[] = [];
    const count = Math.min(chars.length, starts.length, durations.length);
    for (let i = 0; i < count; i++) {
      const char = chars[i] as string;
      if (/^\s*$/.test(char)) {
        this.#close(words);
        continue;
      }
      const startMs = offsetMs + (starts[i] as number);
      const endMs = startMs + (durations[i] as number);
      if (this.#pending) {
        this.#pending.text += char;
        this.#pending.endMs = Math.max(this.#pending.endMs, endMs);
      } else {
        this.#pending = { text: char, startMs, endMs };
      }
    }
    if (this.#pending && SENTENCE_END.test(this.#pending.text)) this.#close(words);
    return words;
  }

  /** The word still open, if any (the audio ended). */
  finish(): TtsWordTiming[] {
    const words: TtsWordTiming[] = [];
    this.#close(words);
    return words;
  }

  #close(words: TtsWordTiming[]): void {
    if (!this.#pending) return;
    words.push({ text: this.#pending.text, startMs: Math.round(this.#pending.startMs), endMs: Math.round(this.#pending.endMs) });
    this.#pending = undefined;
  }
}
