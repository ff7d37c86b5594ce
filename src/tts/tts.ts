/**
 * Text-to-speech, as the pipeline mode uses it: a provider opens streaming sessions; each takes
 * text as the language model produces it and yields PCM at the rate the caller asked for, with
 * word timings when the provider sends them. A provider lives in its own folder (tts/<provider>/)
 * and implements these interfaces; nothing else changes to add one.
 */

export interface TTS {
  /** e.g. `elevenlabs`: for logs, metrics and spans. */
  readonly provider: string;
  /** Opens a synthesis session; text can be pushed at once. */
  synthesize(options: TtsStreamOptions): TtsStream;
  /** Closes every session this provider opened and releases its clients; idempotent. */
  close(): Promise<void>;
}

export interface TtsStreamOptions {
  /** The PCM rate the caller wants, in Hz (mono, 16-bit); the provider resamples if it must. */
  sampleRate: number;
  /** A provider-specific voice id; undefined: the provider's configured voice. */
  voice?: string;
  /** BCP-47 code; undefined: the voice's language. */
  language?: string;
  /** Aborting it stops synthesis at once (barge-in). */
  signal?: AbortSignal;
}

export interface TtsStream extends AsyncIterable<TtsChunk> {
  /** Appends text as it is produced; the provider decides where sentences end. */
  pushText(text: string): void;
  /** No more text: the audio ends after the last of it is spoken. */
  end(): void;
  /** Stops at once; audio not yet yielded is dropped. Idempotent. */
  close(): Promise<void>;
}

/** A word of the spoken text and when it is heard, in milliseconds from the start of the session's audio. */
export interface TtsWordTiming {
  text: string;
  startMs: number;
  endMs: number;
}

export interface TtsChunk {
  /** Mono 16-bit PCM at `sampleRate`. */
  samples: Int16Array;
  sampleRate: number;
  /** Words whose sound starts in this chunk, when the provider sends alignment. */
  words?: TtsWordTiming[];
}
