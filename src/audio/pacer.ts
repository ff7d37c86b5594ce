/**
 * AudioPacer: feeds an audio output (wrtc's RTCAudioSource) exactly one 10 ms frame per 10 ms
 * of wall time, from audio that arrives in bursts (Gemini sends speech faster than real time).
 *
 * Timing: frame k is due at `startedAt + k × 10 ms` on a monotonic clock. Each timer callback
 * sends every frame that is due, then sleeps until the next one, so timer jitter never
 * accumulates into drift (a `setInterval(10)` drifts by the timer's lateness on every tick).
 * After a stall (a starved event loop) at most `maxBurstFrames` are sent at once and the
 * schedule moves on, rather than flooding the output with a second of audio in one go. By
 * default the timers run on the process's shared 10 ms grid and the schedule starts on a grid
 * line, so all the pacers of a process (one per call) wake the event loop once per 10 ms together.
 *
 * Utterances: the first write after idle opens an utterance. It ends when `end()` has been called
 * and its last frame is out (reason `ended`), on `flush()` (barge-in, reason `flushed`), or when
 * no audio arrives for `gapTimeoutMs` without an `end()` (reason `timeout`).
 *
 * Output rate: `sampleRate`, or with `followInputRate` the rate each utterance was written at,
 * for an output that takes any rate (wrtc's RTCAudioSource converts in native code on its
 * encoder thread, far cheaper than a resampler here on the event loop).
 *
 * The hot path allocates nothing: every frame goes out through one reused buffer.
 */
import { AgentsError, ValidationError } from '../core/errors.js';
import { EventBus, type ErrorEvents } from '../core/event-bus.js';
import { createLogger } from '../core/logger.js';
import { frameGridClock, type Clock } from './clock.js';
import { FRAME_DURATION_MS, WEBRTC_SAMPLE_RATE, assertInt16Array, assertSampleRate, samplesPer10Ms } from './pcm.js';
import { createResampler, type Resampler } from './resampler.js';
import { SampleQueue } from './sample-queue.js';

export interface AudioPacerOptions {
  /**
   * Receives each 10 ms frame at `sampleRate`. `samples` is a buffer the pacer reuses as soon as
   * this returns: hand it on synchronously (wrtc's `RTCAudioSource.onData` copies) or copy it.
   */
  onFrame(samples: Int16Array, sampleRate: number): void;
  /** Output rate in Hz, a multiple of 100. Default 48000 (WebRTC). */
  sampleRate?: number;
  /**
   * Send each utterance at the rate its first chunk was written at (when that is a multiple of
   * 100 Hz), rather than resampling it to `sampleRate`; `sampleRate` is then only the rate of
   * the silence before the first utterance. Later chunks of the same utterance at another rate
   * are resampled to the utterance's. For outputs that accept any rate. Default false.
   */
  followInputRate?: boolean;
  /** Most audio held, in ms; when full the oldest audio is dropped (and counted). Default 120 000. */
  maxBufferMs?: number;
  /** Send silence frames while there is nothing to play (a WebRTC track must keep flowing). Default true. */
  sendSilenceWhenIdle?: boolean;
  /** Most frames sent in one timer callback to catch up after a stall. Default 5 (50 ms). */
  maxBurstFrames?: number;
  /** An utterance with no `end()` is over after this long without audio, in ms. Default 1000. */
  gapTimeoutMs?: number;
  /**
   * Time source and timers; tests inject a manual clock. Default: the process's shared 10 ms
   * grid (`frameGridClock`), so every pacer in the process sends its frames from one timer.
   */
  clock?: Clock;
}

export type PlaybackEndReason = 'ended' | 'flushed' | 'timeout';

export interface AudioPacerEvents extends ErrorEvents {
  /** The first audio frame of an utterance went to the output, at `atMs` on the pacer's clock. */
  playbackStarted: { atMs: number };
  /** The utterance is over: nothing of it is left to play. `playedMs` of its audio went out. */
  playbackDrained: { atMs: number; reason: PlaybackEndReason; playedMs: number };
}

export interface AudioPacerStats {
  /** Frames handed to `onFrame`, audio and silence. */
  framesSent: number;
  /** Of those, frames of silence (idle, or gaps in an utterance). */
  silentFramesSent: number;
  /**
   * Gaps a listener heard in the middle of an utterance: the queue could not fill a frame after
   * audio had been written and before `end()`, and more audio of the same utterance came later
   * (within `gapTimeoutMs`). The natural end of an utterance is not an underrun. A rising count
   * means audio reaches the pacer slower than real time: the model or network is behind, or this
   * process is too busy to receive it. Under a load test it is the first sign audio is breaking.
   */
  underruns: number;
  /** Silence inserted by those gaps, in ms. */
  underrunMs: number;
  /**
   * Timer callbacks that ran a whole frame (10 ms) or more after the frame they were due for:
   * the event loop was starved. Audio still plays (late frames go out in a burst), but this is
   * the CPU-side signal of too many sessions per process.
   */
  lateTicks: number;
  /** The worst lateness seen, in ms. */
  maxLateMs: number;
  /** Frame slots skipped because a stall was longer than `maxBurstFrames` could catch up, in ms. */
  skippedMs: number;
  /** Audio dropped because the buffer was full (oldest first), in ms. */
  droppedMs: number;
  /** Audio queued and not yet sent, in ms. */
  bufferedMs: number;
  /** Frames `onFrame` threw on (each is reported as an `error` event, or logged once). */
  outputErrors: number;
}

const DEFAULT_MAX_BUFFER_MS = 120_000;
const DEFAULT_MAX_BURST_FRAMES = 5;
const DEFAULT_GAP_TIMEOUT_MS = 1000;

const log = createLogger('audio.pacer');

export class AudioPacer {
  readonly events = new EventBus<AudioPacerEvents>();

  readonly #onFrame: (samples: Int16Array, sampleRate: number) => void;
  readonly #followInputRate: boolean;
  readonly #maxBufferMs: number;
  readonly #sendSilenceWhenIdle: boolean;
  readonly #maxBurstFrames: number;
  readonly #gapTimeoutFrames: number;
  readonly #clock: Clock;
  /** Output rate (Hz) and samples per 10 ms frame at it. */
  #sampleRate: number;
  #frameSize: number;
  #queue: SampleQueue;
  /** One per input rate, so each stream keeps its filter state across writes. */
  readonly #resamplers = new Map<number, Resampler>();
  /** The reused output buffer. */
  #frame: Int16Array;

  #started = false;
  #closed = false;
  #timer: unknown = undefined;
  /** The timer is stopped on purpose: silence is off and there is nothing to play. */
  #paused = false;
  /** Playback held by hold(): silence goes out, the queue waits. */
  #held = false;
  /** Clock time of frame slot 0, and the index of the next slot to send. */
  #scheduleStart = 0;
  #nextSlot = 0;

  #inUtterance = false;
  #endRequested = false;
  #startedEmitted = false;
  #utteranceFrames = 0;
  #gapFrames = 0;

  #framesSent = 0;
  #silentFramesSent = 0;
  #underruns = 0;
  #underrunFrames = 0;
  #lateTicks = 0;
  #maxLateMs = 0;
  #skippedFrames = 0;
  #droppedMs = 0;
  #outputErrors = 0;

  constructor(options: AudioPacerOptions) {
    if (typeof options?.onFrame !== 'function') {
      throw new ValidationError('onFrame', 'expected a function that receives each 10 ms frame');
    }
    const sampleRate = options.sampleRate ?? WEBRTC_SAMPLE_RATE;
    const frameSize = samplesPer10Ms(sampleRate);
    const maxBufferMs = options.maxBufferMs ?? DEFAULT_MAX_BUFFER_MS;
    if (typeof maxBufferMs !== 'number' || !Number.isFinite(maxBufferMs) || maxBufferMs < FRAME_DURATION_MS) {
      throw new ValidationError('maxBufferMs', `expected at least ${FRAME_DURATION_MS} ms, got ${String(maxBufferMs)}`);
    }
    const maxBurstFrames = options.maxBurstFrames ?? DEFAULT_MAX_BURST_FRAMES;
    if (!Number.isInteger(maxBurstFrames) || maxBurstFrames < 1) {
      throw new ValidationError('maxBurstFrames', `expected a positive integer, got ${String(maxBurstFrames)}`);
    }
    const gapTimeoutMs = options.gapTimeoutMs ?? DEFAULT_GAP_TIMEOUT_MS;
    if (typeof gapTimeoutMs !== 'number' || !(gapTimeoutMs >= FRAME_DURATION_MS)) {
      throw new ValidationError('gapTimeoutMs', `expected at least ${FRAME_DURATION_MS} ms, got ${String(gapTimeoutMs)}`);
    }

    this.#sampleRate = sampleRate;
    this.#frameSize = frameSize;
    this.#onFrame = options.onFrame;
    this.#followInputRate = options.followInputRate ?? false;
    this.#maxBufferMs = maxBufferMs;
    this.#sendSilenceWhenIdle = options.sendSilenceWhenIdle ?? true;
    this.#maxBurstFrames = maxBurstFrames;
    this.#gapTimeoutFrames = Math.ceil(gapTimeoutMs / FRAME_DURATION_MS);
    this.#clock = options.clock ?? frameGridClock;
    this.#queue = new SampleQueue(Math.floor((maxBufferMs * sampleRate) / 1000));
    this.#frame = new Int16Array(frameSize);
  }

  /** The rate frames go out at now, in Hz. */
  get sampleRate(): number {
    return this.#sampleRate;
  }

  /** Samples per frame at that rate. */
  get frameSize(): number {
    return this.#frameSize;
  }

  /** Whether an utterance is playing (or waiting for more of its audio). */
  get playing(): boolean {
    return this.#inUtterance;
  }

  /** Audio queued and not yet sent, in ms. */
  get bufferedMs(): number {
    return this.#samplesToMs(this.#queue.length);
  }

  get stats(): AudioPacerStats {
    return {
      framesSent: this.#framesSent,
      silentFramesSent: this.#silentFramesSent,
      underruns: this.#underruns,
      underrunMs: this.#underrunFrames * FRAME_DURATION_MS,
      lateTicks: this.#lateTicks,
      maxLateMs: this.#maxLateMs,
      skippedMs: this.#skippedFrames * FRAME_DURATION_MS,
      droppedMs: this.#droppedMs,
      bufferedMs: this.bufferedMs,
      outputErrors: this.#outputErrors,
    };
  }

  /** Starts sending frames in real time. Idempotent; throws after `close()`. */
  start(): void {
    if (this.#closed) throw new AgentsError('the audio pacer is closed; create a new one', { code: 'CLOSED' });
    if (this.#started) return;
    this.#started = true;
    this.#restartSchedule();
  }

  /**
   * Queues audio to play: any chunk size, mono 16-bit PCM at `sampleRate` Hz (16, 24 or 48 kHz,
   * or any rate the resampler accepts). The pacer keeps `samples` only as far as it needs, so the
   * caller may reuse the array afterwards. A bad chunk throws a ValidationError and changes nothing.
   * Ignored after `close()`.
   */
  write(samples: Int16Array, sampleRate: number): void {
    assertInt16Array(samples, 'samples');
    assertSampleRate(sampleRate, 'sampleRate');
    if (this.#closed) return;
    if (this.#followInputRate && !this.#inUtterance && sampleRate !== this.#sampleRate && sampleRate % 100 === 0 && samples.length > 0) {
      this.#setOutputRate(sampleRate); // between utterances the queue is empty
    }
    const resampler = this.#resamplerFor(sampleRate); // throws on an unsupported ratio, before any change
    if (samples.length === 0) return;

    // The resampler returns a fresh array (it copies even at equal rates), so the queue may own it.
    this.#enqueue(resampler.process(samples));
    if (!this.#inUtterance) this.#openUtterance();
    this.#endRequested = false;
    if (this.#paused) this.#restartSchedule();
  }

  /**
   * Marks the end of the current utterance: `playbackDrained` (reason `ended`) follows once its
   * last frame is out. Writing again before that continues the same utterance.
   */
  end(): void {
    if (this.#closed || !this.#inUtterance) return;
    // The filters hold back about a millisecond of audio; it belongs to this utterance.
    for (const resampler of this.#resamplers.values()) this.#enqueue(resampler.flush());
    if (this.#queue.length === 0) this.#finishUtterance('ended');
    else this.#endRequested = true;
  }

  /**
   * Drops everything queued (barge-in): the next frame out is silence. Emits `playbackDrained`
   * with reason `flushed` if an utterance was playing.
   */
  flush(): void {
    if (this.#closed) return;
    this.#queue.clear();
    for (const resampler of this.#resamplers.values()) resampler.reset();
    if (this.#inUtterance) this.#finishUtterance('flushed');
  }

  /**
   * Holds playback where it is (speech over the agent that may be a cough): frames go out silent
   * and the queue waits, writes included, until `resume()` plays on from the same sample, or
   * `flush()` drops it. A held pacer counts no underruns and ends no utterance for a gap.
   */
  hold(): void {
    if (this.#closed) return;
    this.#held = true;
  }

  /** Plays on from where `hold()` stopped. */
  resume(): void {
    this.#held = false;
  }

  /** True between `hold()` and `resume()`. */
  get held(): boolean {
    return this.#held;
  }

  /** Stops the timer and drops all audio. Idempotent; nothing is emitted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.#queue.clear();
    for (const resampler of this.#resamplers.values()) resampler.close();
    this.#resamplers.clear();
    this.#inUtterance = false;
  }

  #setOutputRate(sampleRate: number): void {
    this.#sampleRate = sampleRate;
    this.#frameSize = samplesPer10Ms(sampleRate);
    this.#frame = new Int16Array(this.#frameSize);
    this.#queue = new SampleQueue(Math.floor((this.#maxBufferMs * sampleRate) / 1000));
    for (const resampler of this.#resamplers.values()) resampler.close();
    this.#resamplers.clear();
  }

  #resamplerFor(sampleRate: number): Resampler {
    let resampler = this.#resamplers.get(sampleRate);
    if (!resampler) {
      resampler = createResampler(sampleRate, this.#sampleRate);
      this.#resamplers.set(sampleRate, resampler);
    }
    return resampler;
  }

  #enqueue(samples: Int16Array): void {
    const dropped = this.#queue.push(samples);
    if (dropped > 0) this.#droppedMs += this.#samplesToMs(dropped);
  }

  #openUtterance(): void {
    this.#inUtterance = true;
    this.#startedEmitted = false;
    this.#utteranceFrames = 0;
    this.#gapFrames = 0;
  }

  #finishUtterance(reason: PlaybackEndReason): void {
    const playedMs = this.#utteranceFrames * FRAME_DURATION_MS;
    this.#inUtterance = false;
    this.#endRequested = false;
    this.#gapFrames = 0;
    this.events.emit('playbackDrained', { atMs: this.#clock.now(), reason, playedMs });
  }

  #restartSchedule(): void {
    this.#stopTimer();
    this.#paused = false;
    // On a clock with a grid, slot 0 is the next grid time: the schedule and the clock agree.
    const now = this.#clock.now();
    this.#scheduleStart = this.#clock.align?.(now) ?? now;
    this.#nextSlot = 0;
    this.#timer = this.#clock.setTimeout(this.#tick, this.#scheduleStart - now);
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    if (this.#closed) return;
    const now = this.#clock.now();
    const lateMs = now - (this.#scheduleStart + this.#nextSlot * FRAME_DURATION_MS);
    if (lateMs >= FRAME_DURATION_MS) this.#lateTicks++;
    if (lateMs > this.#maxLateMs) this.#maxLateMs = lateMs;

    // Slots whose start time has passed: slot k starts at scheduleStart + k × 10 ms.
    let due = Math.floor((now - this.#scheduleStart) / FRAME_DURATION_MS) + 1 - this.#nextSlot;
    if (due > this.#maxBurstFrames) {
      this.#skippedFrames += due - this.#maxBurstFrames;
      this.#nextSlot += due - this.#maxBurstFrames;
      due = this.#maxBurstFrames;
    }
    for (let i = 0; i < due && !this.#closed; i++) {
      this.#nextSlot++;
      this.#sendFrame();
    }
    if (this.#closed) return;

    if (!this.#sendSilenceWhenIdle && !this.#inUtterance && this.#queue.length === 0) {
      this.#paused = true; // until the next write()
      return;
    }
    const nextAt = this.#scheduleStart + this.#nextSlot * FRAME_DURATION_MS;
    this.#timer = this.#clock.setTimeout(this.#tick, Math.max(0, nextAt - this.#clock.now()));
  };

  #sendFrame(): void {
    const frame = this.#frame;
    if (this.#held) {
      frame.fill(0);
      this.#silentFramesSent++;
      this.#deliver(frame);
      return;
    }
    const queued = this.#queue.length;
    const lastOfUtterance = this.#inUtterance && this.#endRequested;
    if (queued >= this.#frameSize || (queued > 0 && lastOfUtterance)) {
      // A short tail is only sent once the utterance has ended: padded with silence.
      const read = this.#queue.read(frame);
      if (read < frame.length) frame.fill(0, read);
      this.#sendAudio(frame);
      return;
    }

    if (this.#inUtterance) {
      if (lastOfUtterance) {
        this.#finishUtterance('ended');
      } else if (++this.#gapFrames >= this.#gapTimeoutFrames) {
        // No end() and no audio for gapTimeoutMs: the utterance is over. A sub-frame tail this
        // stale would only click, so it is dropped.
        this.#droppedMs += this.#samplesToMs(this.#queue.clear());
        for (const resampler of this.#resamplers.values()) resampler.reset();
        this.#finishUtterance('timeout');
      }
    }
    if (this.#sendSilenceWhenIdle) {
      frame.fill(0);
      this.#silentFramesSent++;
      this.#deliver(frame);
    }
  }

  #sendAudio(frame: Int16Array): void {
    if (this.#gapFrames > 0) {
      this.#underruns++;
      this.#underrunFrames += this.#gapFrames;
      this.#gapFrames = 0;
    }
    this.#utteranceFrames++;
    this.#deliver(frame);
    if (this.#inUtterance && !this.#startedEmitted) {
      this.#startedEmitted = true;
      this.events.emit('playbackStarted', { atMs: this.#clock.now() });
    }
    if (this.#endRequested && this.#queue.length === 0) this.#finishUtterance('ended');
  }

  #deliver(frame: Int16Array): void {
    this.#framesSent++;
    try {
      this.#onFrame(frame, this.#sampleRate);
    } catch (thrown) {
      // One bad frame must not stop the stream: count it, report it, keep time.
      this.#outputErrors++;
      const error = new AgentsError('the audio output (onFrame) threw; check the output track is still open', {
        code: 'AUDIO_OUTPUT',
        cause: thrown,
      });
      if (this.events.listenerCount('error') > 0) this.events.emit('error', { error, event: 'frame' });
      else if (this.#outputErrors === 1) log.warn({ err: error }, 'audio output failed; further failures are only counted');
    }
  }

  #samplesToMs(samples: number): number {
    return (samples / this.#sampleRate) * 1000;
  }
}
