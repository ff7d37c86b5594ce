/**
 * Speech-to-text, as the pipeline mode uses it: a provider opens streaming sessions; each takes
 * PCM as it arrives and yields transcripts, interim ones while a phrase is spoken and a final
 * one when the provider settles on it. A provider lives in its own folder (stt/<provider>/) and
 * implements these interfaces; nothing else changes to add one.
 */

export interface STT {
  /** e.g. `deepgram`: for logs, metrics and spans. */
  readonly provider: string;
  /** Opens a streaming recognition session; audio can be pushed at once (it is buffered until connected). */
  stream(options: SttStreamOptions): SttStream;
  /** Closes every session this provider opened and releases its clients; idempotent. */
  close(): Promise<void>;
}

export interface SttStreamOptions {
  /** Sample rate of the PCM that will be pushed, in Hz (mono, 16-bit). */
  sampleRate: number;
  /** BCP-47 code (`en-US`, `de`); undefined lets the provider detect or use its default. */
  language?: string;
  /** Aborting it closes the session at once (no final results). */
  signal?: AbortSignal;
}

export interface SttStream extends AsyncIterable<SttEvent> {
  /** Appends mono 16-bit PCM at the session's sample rate; never blocks and never throws. */
  pushAudio(samples: Int16Array): void;
  /** Asks the provider to finalise what it heard so far (the speaker stopped). */
  flush(): void;
  /** No more audio: the events end after the last final transcript. */
  end(): void;
  /** Stops at once; pending results are dropped. Idempotent. */
  close(): Promise<void>;
}

/** A word with its timing, in milliseconds from the start of the session's audio. */
export interface SttWord {
  text: string;
  startMs: number;
  endMs: number;
  confidence?: number;
}

export type SttEvent =
  /** The provider heard speech begin (before any text). */
  | { type: 'speech.started'; atMs: number }
  /** A guess at the phrase being spoken; later ones replace it. */
  | { type: 'transcript.interim'; text: string; language?: string }
  /** The provider's settled text for a stretch of speech. */
  | { type: 'transcript.final'; text: string; language?: string; confidence?: number; words?: SttWord[]; startMs?: number; endMs?: number }
  /** The provider decided the utterance is over (its endpointing). */
  | { type: 'utterance.ended'; atMs: number }
  /** The session failed; `error.retryable` says whether a new session may work. */
  | { type: 'error'; error: Error & { retryable?: boolean } };
