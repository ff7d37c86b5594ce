/**
 * Deepgram's live messages as the framework's STT events, on the session's clock: a socket's
 * times are seconds from its own first sample, so each is shifted by where that socket began
 * (`baseMs`). One utterance ends once: by `speech_final` (endpointing) or by `UtteranceEnd`,
 * whichever comes first, as Deepgram advises when both are on. Speech that a new socket hears
 * again after a drop does not start twice.
 */
import type { listen } from '@deepgram/sdk';
import type { SttEvent, SttWord } from '../stt.js';

/** Speech starts this close to the last one reported are that one, heard again after a reconnect. */
const SAME_ONSET_MS = 250;

export type ListenMessage = listen.ListenV1Results | listen.ListenV1Metadata | listen.ListenV1UtteranceEnd | listen.ListenV1SpeechStarted;

export class TranscriptEvents {
  readonly #language: string | undefined;
  /** Words were heard since the last utterance end. */
  #inUtterance = false;
  #lastWordEndMs: number | undefined;
  #lastSpeechStartedMs: number | undefined;

  constructor(language: string | undefined) {
    this.#language = language;
  }

  /** The events `message` means, with its times shifted by `baseMs`. */
  map(message: ListenMessage, baseMs: number): SttEvent[] {
    const at = (seconds: number): number => Math.round(baseMs + seconds * 1000);
    switch (message.type) {
      case 'SpeechStarted':
        return this.#speechStarted(at(message.timestamp));
      case 'UtteranceEnd':
        return this.#endUtterance(at(message.last_word_end));
      case 'Results':
        return this.#results(message, at);
      default:
        return [];
    }
  }

  #results(message: listen.ListenV1Results, at: (seconds: number) => number): SttEvent[] {
    const alternative = message.channel?.alternatives?.[0];
    const text = alternative?.transcript?.trim() ?? '';
    const language = alternative?.languages?.[0] ?? this.#language;
    const events: SttEvent[] = [];
    if (text !== '') {
      this.#inUtterance = true;
      if (message.is_final) {
        const words: SttWord[] = (alternative?.words ?? []).map((word) => ({
          text: word.punctuated_word ?? word.word,
          startMs: at(word.start),
          endMs: at(word.end),
          confidence: word.confidence,
        }));
        this.#lastWordEndMs = words.at(-1)?.endMs ?? this.#lastWordEndMs;
        events.push({
          type: 'transcript.final',
          text,
          ...(language === undefined ? {} : { language }),
          confidence: alternative?.confidence,
          words,
          startMs: at(message.start),
          endMs: at(message.start + message.duration),
        });
      } else {
        events.push({ type: 'transcript.interim', text, ...(language === undefined ? {} : { language }) });
      }
    }
    if (message.is_final && message.speech_final) {
      events.push(...this.#endUtterance(this.#lastWordEndMs ?? at(message.start + message.duration)));
    }
    return events;
  }

  /**
   * Once per onset: a socket that replaces a dropped one hears the replayed speech begin again,
   * at about the same time (the service's times are to the millisecond, and a new socket may
   * place the onset a little differently); two real onsets are never that close.
   */
  #speechStarted(atMs: number): SttEvent[] {
    if (this.#lastSpeechStartedMs !== undefined && atMs <= this.#lastSpeechStartedMs + SAME_ONSET_MS) return [];
    this.#lastSpeechStartedMs = atMs;
    return [{ type: 'speech.started', atMs }];
  }

  #endUtterance(atMs: number): SttEvent[] {
    if (!this.#inUtterance) return [];
    this.#inUtterance = false;
    this.#lastWordEndMs = undefined;
    return [{ type: 'utterance.ended', atMs }];
  }
}
