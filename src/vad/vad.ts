/**
 * Voice activity detection, as the pipeline mode uses it: a provider opens one stream per
 * speaker; each takes that speaker's PCM as it arrives (every 10–20 ms) and says when speech
 * starts and ends. A provider lives in its own folder (vad/<provider>/) and implements these
 * interfaces; nothing else changes to add one.
 *
 * Times are stream time: milliseconds of audio pushed into the stream before the moment meant,
 * counted at the stream's own sample rate (the first sample pushed is at 0 ms). A detector
 * decides only after it has heard enough, so events arrive later than the moment they name;
 * `atMs` is the moment itself, not when the event was emitted.
 */
import type { ErrorEvents, Listener } from '../core/event-bus.js';

export interface VAD {
  /** e.g. `silero`: for logs, metrics and spans. */
  readonly provider: string;
  /** Opens a detection stream for one speaker's audio; audio can be pushed at once. */
  stream(options: VadStreamOptions): VadStream;
  /** Closes every stream this provider opened; idempotent. */
  close(): Promise<void>;
}

export interface VadStreamOptions {
  /** Sample rate of the PCM that will be pushed, in Hz (mono, 16-bit). */
  sampleRate: number;
}

export interface VadEvents extends ErrorEvents {
  /** Speech began at `atMs` (already moved back by the time the detector needed to be sure). */
  'speech.started': { atMs: number };
  /** Speech that started `durationMs` earlier stopped at `atMs` (the start of the silence that ended it). */
  'speech.ended': { atMs: number; durationMs: number };
}

export type VadEventName = Exclude<keyof VadEvents, 'error'>;

export interface VadStream {
  /**
   * Appends mono 16-bit PCM at the stream's sample rate. Cheap and synchronous: it never waits
   * for detection, never throws, and is ignored after `close()`. Events follow asynchronously,
   * in the order of the audio.
   */
  push(samples: Int16Array): void;
  /** Subscribes to `speech.started`, `speech.ended` or `error`; returns a function that unsubscribes. */
  on<K extends keyof VadEvents>(event: K, listener: Listener<VadEvents[K]>): () => void;
  /** Whether the speaker is talking, as of the last audio scored. */
  readonly speaking: boolean;
  /** The detector's speech probability (0–1) for the last audio scored. */
  readonly probability: number;
  /**
   * Whether the last audio scored sounds like voice (at or above the detector's threshold for
   * speech), before `speech.started` confirms it: what a barge-in holds the agent on at once.
   */
  readonly voiced: boolean;
  /** Stops detecting and releases the stream's state; no events follow. Idempotent. */
  close(): void;
}
