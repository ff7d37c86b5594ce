/**
 * One speaker's detection on the shared Silero model. `push()` only resamples to 16 kHz (when the
 * input is at another rate), cuts 32 ms windows and queues them; the windows are scored one at a
 * time, in order, off the caller's stack (onnxruntime-node runs each inference in a later
 * macrotask), and the speech boundaries they complete are emitted in the order of the audio.
 *
 * If scoring falls behind (a starved event loop), at most `maxBacklogMs` of windows wait; older
 * ones are dropped and counted, so detection stays on what is being said now, which is what
 * barge-in needs, and memory stays bounded.
 */
import { AgentsError, ProviderError, ValidationError, toError } from '../../core/errors.js';
import { EventBus, type Listener } from '../../core/event-bus.js';
import { createLogger } from '../../core/logger.js';
import { createResampler, type Resampler } from '../../audio/resampler.js';
import { SpeechSegmenter, type SpeechSegmenterOptions } from '../speech-segmenter.js';
import type { VadEvents, VadStream } from '../vad.js';
import { SILERO_CONTEXT_SAMPLES, SILERO_SAMPLE_RATE, SILERO_WINDOW_SAMPLES, type SileroModel } from './silero-model.js';

const WINDOW_MS = (SILERO_WINDOW_SAMPLES / SILERO_SAMPLE_RATE) * 1000;

const log = createLogger('vad.silero');

export interface SileroVadStreamSettings extends SpeechSegmenterOptions {
  /** Most audio waiting to be scored, in ms; beyond it the oldest windows are dropped. */
  maxBacklogMs: number;
}

interface QueuedWindow {
  /** Context then new samples, as floats in [-1, 1]. */
  input: Float32Array;
  /** Position in the stream: window n covers [n × 32 ms, (n + 1) × 32 ms). */
  index: number;
}

/** A Silero detection stream, as `SileroVAD.stream()` hands it out: a VadStream and its counts. */
export interface SileroStream extends VadStream {
  readonly sampleRate: number;
  /** 32 ms windows scored so far. */
  readonly scoredWindows: number;
  /** Windows dropped, oldest first, because scoring fell more than `maxBacklogMs` behind. */
  readonly droppedWindows: number;
  /** Resolves once every window pushed so far has been scored (and its events emitted). */
  idle(): Promise<void>;
}

export class SileroVadStream implements SileroStream {
  readonly sampleRate: number;
  readonly #loadModel: () => Promise<SileroModel>;
  readonly #onClose: (stream: SileroVadStream) => void;
  readonly #events = new EventBus<VadEvents>();
  readonly #segmenter: SpeechSegmenter;
  readonly #maxQueuedWindows: number;
  readonly #resampler: Resampler | undefined;
  /** 16 kHz samples (as floats) waiting to fill the next window. */
  readonly #pending = new Float32Array(SILERO_WINDOW_SAMPLES);
  #pendingLength = 0;
  /** The last samples of the previous window, put in front of the next. */
  readonly #context = new Float32Array(SILERO_CONTEXT_SAMPLES);
  #queue: QueuedWindow[] = [];
  #nextWindowIndex = 0;
  #state: Float32Array | undefined;
  #probability = 0;
  readonly #activationThreshold: number;
  #scoredWindows = 0;
  #droppedWindows = 0;
  #scoring = false;
  #closed = false;
  #failed = false;
  #idleWaiters: Array<() => void> = [];

  constructor(
    sampleRate: number,
    settings: SileroVadStreamSettings,
    loadModel: () => Promise<SileroModel>,
    onClose: (stream: SileroVadStream) => void,
  ) {
    this.sampleRate = sampleRate;
    this.#loadModel = loadModel;
    this.#onClose = onClose;
    this.#segmenter = new SpeechSegmenter(settings);
    this.#activationThreshold = settings.activationThreshold;
    this.#maxQueuedWindows = Math.max(1, Math.ceil(settings.maxBacklogMs / WINDOW_MS));
    this.#resampler = sampleRate === SILERO_SAMPLE_RATE ? undefined : createResampler(sampleRate, SILERO_SAMPLE_RATE);
  }

  get speaking(): boolean {
    return this.#segmenter.speaking;
  }

  get probability(): number {
    return this.#probability;
  }

  get voiced(): boolean {
    return this.#probability >= this.#activationThreshold;
  }

  /** Windows (32 ms each) scored so far. */
  get scoredWindows(): number {
    return this.#scoredWindows;
  }

  /** Windows dropped unscored because scoring fell more than `maxBacklogMs` behind. */
  get droppedWindows(): number {
    return this.#droppedWindows;
  }

  on<K extends keyof VadEvents>(event: K, listener: Listener<VadEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  push(samples: Int16Array): void {
    if (this.#closed || this.#failed) return;
    if (!(samples instanceof Int16Array)) {
      this.#events.emit('error', { error: new ValidationError('samples', 'expected an Int16Array of mono 16-bit PCM') });
      return;
    }
    const audio = this.#resampler ? this.#resampler.process(samples) : samples;
    let offset = 0;
    while (offset < audio.length) {
      const take = Math.min(SILERO_WINDOW_SAMPLES - this.#pendingLength, audio.length - offset);
      for (let i = 0; i < take; i++) this.#pending[this.#pendingLength + i] = (audio[offset + i] as number) / 32768;
      this.#pendingLength += take;
      offset += take;
      if (this.#pendingLength === SILERO_WINDOW_SAMPLES) this.#enqueueWindow();
    }
    if (!this.#scoring && this.#queue.length > 0) void this.#scoreQueued();
  }

  /**
   * Resolves once every window pushed so far has been scored and its events emitted (at once
   * when nothing is waiting, or once the stream is closed). Audio short of a whole window waits
   * for the next push.
   */
  idle(): Promise<void> {
    if (this.#closed || this.#failed || (!this.#scoring && this.#queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#state = undefined;
    this.#resampler?.close();
    this.#events.removeAllListeners();
    this.#wakeIdleWaiters();
    this.#onClose(this);
  }

  #enqueueWindow(): void {
    const input = new Float32Array(SILERO_CONTEXT_SAMPLES + SILERO_WINDOW_SAMPLES);
    input.set(this.#context, 0);
    input.set(this.#pending, SILERO_CONTEXT_SAMPLES);
    this.#context.set(this.#pending.subarray(SILERO_WINDOW_SAMPLES - SILERO_CONTEXT_SAMPLES));
    this.#pendingLength = 0;
    this.#queue.push({ input, index: this.#nextWindowIndex++ });
    if (this.#queue.length > this.#maxQueuedWindows) {
      this.#queue.shift();
      this.#droppedWindows++;
      // Powers of two: a stream that stays behind logs a few lines, not one per window.
      if ((this.#droppedWindows & (this.#droppedWindows - 1)) === 0) {
        log.warn({ droppedWindows: this.#droppedWindows }, 'voice activity detection is behind real time; dropping the oldest audio');
      }
    }
  }

  /** Scores queued windows one at a time until none are left; one such loop per stream. */
  async #scoreQueued(): Promise<void> {
    this.#scoring = true;
    try {
      const model = await this.#loadModel();
      this.#state ??= model.initialState();
      for (let window = this.#queue.shift(); window && !this.#closed; window = this.#queue.shift()) {
        const { probability, state } = await model.score(window.input, this.#state ?? model.initialState());
        if (this.#closed) return;
        this.#state = state;
        this.#probability = probability;
        this.#scoredWindows++;
        const startMs = window.index * WINDOW_MS;
        const boundary = this.#segmenter.update(probability, startMs, startMs + WINDOW_MS);
        if (boundary?.type === 'speech.started') this.#events.emit('speech.started', { atMs: boundary.atMs });
        else if (boundary?.type === 'speech.ended') this.#events.emit('speech.ended', { atMs: boundary.atMs, durationMs: boundary.durationMs });
      }
    } catch (thrown) {
      this.#fail(thrown);
    } finally {
      this.#scoring = false;
      if (this.#queue.length === 0) this.#wakeIdleWaiters();
    }
  }

  /** The model could not be loaded or run: report it once and stop detecting. */
  #fail(thrown: unknown): void {
    if (this.#closed) return;
    this.#failed = true;
    this.#queue = [];
    const error =
      thrown instanceof AgentsError
        ? thrown
        : new ProviderError(`Silero VAD inference failed: ${toError(thrown).message}`, { provider: 'silero', code: 'VAD_INFERENCE', cause: thrown });
    log.error({ err: error }, 'voice activity detection stopped');
    this.#events.emit('error', { error });
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
