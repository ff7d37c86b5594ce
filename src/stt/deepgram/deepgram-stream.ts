/**
 * One live transcription session on Deepgram: one socket at a time through the official SDK
 * (`client.listen.v1.connect`), its own reconnects (the SDK's are off, so that this stream
 * decides what is replayed and how times continue), and its events for one reader.
 *
 * Audio pushed before the socket opens waits in the timeline (bounded); once the socket is
 * open it goes out as it comes. A dropped socket is replaced after a backoff pause, and the new
 * one hears again the audio that no final result covered (see audio-timeline.ts), with its
 * times shifted to continue the session's clock. `flush()` sends `Finalize`; `end()` sends
 * `CloseStream`, and the events end when the service has sent its last results and closed.
 * A refused key (401/403) or unusable audio ends the stream with a non-retryable error event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeepgramClient } from '@deepgram/sdk';
import { backoffDelayMs } from '../../core/backoff.js';
import type { ProviderError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SttEvent, SttStream } from '../stt.js';
import { AudioTimeline } from './audio-timeline.js';
import { closeError, gaveUp, socketError } from './deepgram-errors.js';
import { AsyncQueue } from '../../core/async-queue.js';
import type { ResolvedDeepgramOptions } from './options.js';
import { TranscriptEvents, type ListenMessage } from './transcript-events.js';

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;

export interface DeepgramStreamSettings {
  options: ResolvedDeepgramOptions;
  sampleRate: number;
  language: string | undefined;
  signal: AbortSignal | undefined;
}

/** How one socket ended. */
type SocketOutcome = { kind: 'completed' } | { kind: 'failed'; error: ProviderError; heardBack: boolean };

export class DeepgramSttStream implements SttStream {
  readonly #client: DeepgramClient;
  readonly #settings: DeepgramStreamSettings;
  readonly #log: Logger;
  readonly #onDone: (stream: DeepgramSttStream) => void;
  readonly #events = new AsyncQueue<SttEvent>();
  readonly #audio: AudioTimeline;
  readonly #transcripts: TranscriptEvents;
  /** Stops a backoff pause when the stream closes. */
  readonly #stopped = new AbortController();
  /** The socket being opened or open now. */
  #socket: ListenSocket | undefined;
  #open = false;
  /** Session position, in samples, of the current socket's first sample. */
  #baseSample = 0;
  #flushPending = false;
  #ending = false;
  #closeStreamSent = false;
  #done = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #lostSamples = 0;
  readonly #abortListener = (): void => void this.close();

  constructor(client: DeepgramClient, settings: DeepgramStreamSettings, log: Logger, onDone: (stream: DeepgramSttStream) => void) {
    this.#client = client;
    this.#settings = settings;
    this.#log = log;
    this.#onDone = onDone;
    this.#audio = new AudioTimeline(Math.round((settings.options.maxBufferedAudioMs * settings.sampleRate) / 1000));
    this.#transcripts = new TranscriptEvents(settings.language);
    if (settings.signal?.aborted) {
      this.#finish(false);
      return;
    }
    settings.signal?.addEventListener('abort', this.#abortListener, { once: true });
    void this.#run();
  }

  [Symbol.asyncIterator](): AsyncIterator<SttEvent> {
    return this.#events[Symbol.asyncIterator]();
  }

  pushAudio(samples: Int16Array): void {
    if (this.#done || this.#ending || samples.length === 0) return;
    // A copy: callers reuse their frame buffers, and this audio may be replayed much later.
    const lost = this.#audio.push(samples.slice());
    if (lost > 0) this.#warnLost(lost);
    if (this.#open) this.#sendUnsent();
  }

  flush(): void {
    if (this.#done || this.#ending) return;
    if (this.#open) this.#sendControl('Finalize');
    else this.#flushPending = true;
  }

  end(): void {
    if (this.#done || this.#ending) return;
    this.#ending = true;
    if (this.#open) this.#sendCloseStream();
  }

  close(): Promise<void> {
    this.#finish(false);
    return Promise.resolve();
  }

  /** Opens sockets until the stream completes, is closed, or fails for good. */
  async #run(): Promise<void> {
    const { maxReconnectAttempts, reconnectBackoff } = this.#settings.options;
    let failures = 0;
    while (!this.#done) {
      const outcome = await this.#connectOnce();
      if (this.#done) return;
      if (outcome.kind === 'completed') return this.#finish(true);
      if (outcome.heardBack) failures = 0;
      const { error } = outcome;
      if (!error.retryable || failures >= maxReconnectAttempts) {
        this.#log.warn({ err: error.message, status: error.status, failures }, 'Deepgram stream failed');
        this.#events.push({ type: 'error', error: error.retryable ? gaveUp(failures, error) : error });
        return this.#finish(true);
      }
      const delayMs = backoffDelayMs(failures++, reconnectBackoff);
      this.#log.warn({ err: error.message, attempt: failures, delayMs }, 'Deepgram socket lost; reconnecting');
      try {
        await sleep(delayMs, undefined, { signal: this.#stopped.signal });
      } catch {
        return; // closed while waiting
      }
    }
  }

  /** One socket, from connecting to closed. */
  async #connectOnce(): Promise<SocketOutcome> {
    const { options, sampleRate, language } = this.#settings;
    let socket: ListenSocket;
    try {
      socket = await this.#client.listen.v1.connect({
        model: options.model,
        ...(language === undefined ? {} : { language }),
        encoding: 'linear16',
        sample_rate: sampleRate,
        channels: 1,
        interim_results: String(options.interimResults),
        endpointing: options.endpointingMs === false ? 'false' : options.endpointingMs,
        ...(options.utteranceEndMs === false ? {} : { utterance_end_ms: options.utteranceEndMs }),
        vad_events: String(options.vadEvents),
        smart_format: String(options.smartFormat),
        // This stream reconnects itself: it must replay audio and shift times, which the SDK's own retries would not.
        reconnectAttempts: 0,
        shouldReconnect: () => false,
        connectionTimeoutInSeconds: options.connectTimeoutMs / 1000,
      });
    } catch (thrown) {
      return { kind: 'failed', error: socketError(thrown instanceof Error ? thrown : new Error(String(thrown))), heardBack: false };
    }
    if (this.#done) {
      socket.close();
      return { kind: 'completed' };
    }
    return new Promise<SocketOutcome>((resolve) => {
      let failure: ProviderError | undefined;
      let heardBack = false;
      socket.on('open', () => this.#opened(socket));
      socket.on('message', (message) => {
        heardBack = true;
        this.#received(message as ListenMessage);
      });
      // The SDK reports a refused handshake or a network failure as an error, then a close.
      socket.on('error', (error) => (failure ??= socketError(error)));
      socket.on('close', (event) => {
        const closeStreamSent = this.#closeStreamSent;
        this.#detach(socket);
        // The SDK announces a failed handshake with a close (1000) first and the error right
        // after, in the same turn: decide once both are known.
        queueMicrotask(() => {
          if (this.#done) return resolve({ kind: 'completed' });
          if (!failure && closeStreamSent && event.code === 1000) return resolve({ kind: 'completed' });
          resolve({ kind: 'failed', error: failure ?? closeError(event.code, event.reason ?? ''), heardBack });
        });
      });
      this.#socket = socket;
      socket.connect();
    });
  }

  #opened(socket: ListenSocket): void {
    if (this.#done || socket !== this.#socket) return;
    this.#open = true;
    this.#closeStreamSent = false;
    this.#baseSample = this.#audio.rewind();
    this.#log.debug({ baseMs: this.#sampleMs(this.#baseSample) }, 'Deepgram socket open');
    this.#sendUnsent();
    if (this.#flushPending) {
      this.#flushPending = false;
      this.#sendControl('Finalize');
    }
    if (this.#ending) this.#sendCloseStream();
    // Refreshed by every send, so it fires only after keepAliveMs of sending nothing.
    this.#keepAlive = setInterval(() => this.#sendControl('KeepAlive'), this.#settings.options.keepAliveMs);
    this.#keepAlive.unref();
  }

  #received(message: ListenMessage): void {
    if (this.#done) return;
    if (message.type === 'Results' && message.is_final) {
      // Settled audio is never replayed: a new socket hears only what this final does not cover.
      this.#audio.settle(this.#baseSample + Math.round((message.start + message.duration) * this.#settings.sampleRate));
    }
    for (const event of this.#transcripts.map(message, this.#sampleMs(this.#baseSample))) this.#events.push(event);
  }

  #sendUnsent(): void {
    const socket = this.#socket;
    if (!socket) return;
    try {
      for (const chunk of this.#audio.takeUnsent()) socket.sendMedia(chunk.samples);
      this.#keepAlive?.refresh();
    } catch (error) {
      // The socket is closing: what was taken stays in the timeline and is replayed on the next one.
      this.#log.debug({ err: String(error) }, 'audio not sent: the Deepgram socket is closing');
    }
  }

  #sendCloseStream(): void {
    this.#sendUnsent();
    this.#sendControl('CloseStream');
    this.#closeStreamSent = true;
  }

  #sendControl(type: 'KeepAlive' | 'Finalize' | 'CloseStream'): void {
    const socket = this.#socket;
    if (!socket || !this.#open) return;
    try {
      if (type === 'KeepAlive') socket.sendKeepAlive({ type });
      else if (type === 'Finalize') socket.sendFinalize({ type });
      else socket.sendCloseStream({ type });
      this.#keepAlive?.refresh();
    } catch (error) {
      this.#log.debug({ err: String(error), type }, 'message not sent: the Deepgram socket is closing');
    }
  }

  #detach(socket: ListenSocket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#open = false;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  /** Ends the stream: `drain` lets the reader have what is queued (a natural end); otherwise it is dropped. */
  #finish(drain: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.#stopped.abort();
    this.#settings.signal?.removeEventListener('abort', this.#abortListener);
    const socket = this.#socket;
    if (socket) {
      this.#detach(socket);
      socket.close();
    }
    if (!drain) this.#events.clear();
    this.#events.end();
    this.#onDone(this);
  }

  #sampleMs(sample: number): number {
    return (sample * 1000) / this.#settings.sampleRate;
  }

  #warnLost(samples: number): void {
    const first = this.#lostSamples === 0;
    this.#lostSamples += samples;
    if (first) {
      this.#log.warn({ maxBufferedAudioMs: this.#settings.options.maxBufferedAudioMs }, 'Deepgram is not connected and the audio buffer is full: dropping the oldest audio');
    }
  }
}
