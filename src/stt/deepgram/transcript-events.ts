/**
 * Deepgram's live messages as the framework's STT events, on the session's clock: a socket's
 * times are seconds from its own first sample, so each is shifted by where that socket began
 * (`baseMs`). One utterance ends once: by `speech_final` (endpointing) or by `UtteranceEnd`,
 * whichever comes first, as Deepgram advises when both are on.
 */
import type { listen } from '@deepgram/sdk';
import type { SttEvent, SttWord } from '../stt.js';

export type ListenMessage = listen.ListenV1Results | listen.ListenV1Metadata | listen.ListenV1UtteranceEnd | listen.ListenV1SpeechStarted;

export class TranscriptEvents {
  readonly #language: string | undefined;
  /** Words were heard since the last utterance end. */
  #inUtterance = false;
  #lastWordEndMs: number | undefined;

  constructor(language: string | undefined) {
    this.#language = language;
  }

  /** The events `message` means, with its times shifted by `baseMs`. */
  map(message: ListenMessage, baseMs: number): SttEvent[] {
    const at = (seconds: number): number => Math.round(baseMs + seconds * 1000);
    switch (message.type) {
      case 'SpeechStarted':
        return [{ type: 'speech.started', atMs: at(message.timestamp) }];
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

  #endUtterance(atMs: number): SttEvent[] {
    if (!this.#inUtterance) return [];
    this.#inUtterance = false;
    this.#lastWordEndMs = undefined;
    return [{ type: 'utterance.ended', atMs }];
  }
}
