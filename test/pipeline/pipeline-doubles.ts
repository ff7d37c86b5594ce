/**
 * In-process stand-ins for the STT and TTS seams, to test the pipeline's own logic (turns, end
 * of turn, barge-in, history) without a provider: the test says what the STT hears, and the TTS
 * "speaks" 10 ms of tone per character, with word timings. The providers themselves are tested
 * against their wire-level fakes.
 */
import type { STT, SttEvent, SttStream, SttStreamOptions } from '../../src/stt/stt.js';
import type { TTS, TtsChunk, TtsStream, TtsStreamOptions } from '../../src/tts/tts.js';
import { AsyncQueue } from '../../src/core/async-queue.js';

export class ScriptedStt implements STT {
  readonly provider = 'scripted-stt';
  readonly streams: Array<{ options: SttStreamOptions; audioSamples: number; events: AsyncQueue<SttEvent> }> = [];

  stream(options: SttStreamOptions): SttStream {
    const entry = { options, audioSamples: 0, events: new AsyncQueue<SttEvent>() };
    this.streams.push(entry);
    return {
      pushAudio: (samples) => void (entry.audioSamples += samples.length),
      flush: () => {},
      end: () => entry.events.end(),
      close: async () => entry.events.end(),
      [Symbol.asyncIterator]: () => entry.events[Symbol.asyncIterator](),
    };
  }

  /** What the STT "hears" now, on the latest stream. */
  hear(event: SttEvent): void {
    this.streams.at(-1)!.events.push(event);
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.events.end();
  }
}

/** 10 ms of audio per character, in 20-character chunks, at the rate asked for. */
export class ToneTts implements TTS {
  readonly provider = 'tone-tts';
  readonly texts: string[] = [];
  /** Set to make a synthesis fail right after its first chunk (a socket that drops). */
  failAfterFirstChunk: Error | undefined;
  /** Set to keep a synthesis open after its text was spoken, until it resolves (to catch a response mid-speech). */
  hold: Promise<void> | undefined;

  synthesize(options: TtsStreamOptions): TtsStream {
    const out = new AsyncQueue<TtsChunk>();
    let atMs = 0;
    const speak = (text: string) => {
      const perChar = options.sampleRate / 100;
      for (let start = 0; start < text.length; start += 20) {
        const piece = text.slice(start, start + 20);
        const words = [...piece.matchAll(/\S+/g)].map((match) => ({ text: match[0], startMs: atMs + match.index! * 10, endMs: atMs + (match.index! + match[0].length) * 10 }));
        out.push({ samples: new Int16Array(piece.length * perChar).fill(1000), sampleRate: options.sampleRate, words });
        atMs += piece.length * 10;
      }
    };
    options.signal?.addEventListener('abort', () => out.end(), { once: true });
    const hold = this.hold;
    return {
      pushText: (text) => {
        this.texts.push(text);
        speak(text);
        if (this.failAfterFirstChunk) out.fail(this.failAfterFirstChunk);
      },
      end: () => {
        void (async () => {
          await hold;
          out.end();
        })();
      },
      close: async () => out.end(),
      [Symbol.asyncIterator]: () => out[Symbol.asyncIterator](),
    };
  }

  async close(): Promise<void> {}
}
