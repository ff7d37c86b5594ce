/**
 * Re-chunks a stream of 16-bit mono PCM chunks of any size into frames of exactly
 * `frameDurationMs` (10 ms by default: what WebRTC sends and wrtc's RTCAudioSource accepts),
 * holding the remainder until the next chunk completes it.
 */
import { ValidationError } from '../core/errors.js';
import { FRAME_DURATION_MS, assertInt16Array, assertSampleRate } from './pcm.js';

export interface AudioFramerOptions {
  /** Rate of the samples pushed, in Hz. */
  sampleRate: number;
  /** Frame length, in ms; must be a whole number of samples at `sampleRate`. Default 10. */
  frameDurationMs?: number;
}

export class AudioFramer {
  readonly sampleRate: number;
  readonly frameDurationMs: number;
  /** Samples per frame. */
  readonly frameSize: number;
  readonly #remainder: Int16Array;
  #remainderLength = 0;

  constructor(options: AudioFramerOptions) {
    assertSampleRate(options.sampleRate, 'sampleRate');
    const frameDurationMs = options.frameDurationMs ?? FRAME_DURATION_MS;
    const frameSize = (options.sampleRate * frameDurationMs) / 1000;
    if (!(frameDurationMs > 0) || !Number.isInteger(frameSize)) {
      throw new ValidationError(
        'frameDurationMs',
        `${String(frameDurationMs)} ms at ${options.sampleRate} Hz is not a whole, positive number of samples`,
      );
    }
    this.sampleRate = options.sampleRate;
    this.frameDurationMs = frameDurationMs;
    this.frameSize = frameSize;
    this.#remainder = new Int16Array(frameSize);
  }

  /** Samples held back because they do not fill a frame yet. */
  get bufferedSamples(): number {
    return this.#remainderLength;
  }

  /**
   * Appends `samples` and returns every frame now complete, oldest first. Each frame is a new
   * array the caller owns; `samples` is not kept, so the caller may reuse it.
   */
  push(samples: Int16Array): Int16Array[] {
    assertInt16Array(samples, 'samples');
    const frames: Int16Array[] = [];
    const size = this.frameSize;
    let offset = 0;

    if (this.#remainderLength > 0) {
      const taken = Math.min(size - this.#remainderLength, samples.length);
      this.#remainder.set(samples.subarray(0, taken), this.#remainderLength);
      this.#remainderLength += taken;
      offset = taken;
      if (this.#remainderLength < size) return frames;
      frames.push(this.#remainder.slice());
      this.#remainderLength = 0;
    }
    for (; offset + size <= samples.length; offset += size) frames.push(samples.slice(offset, offset + size));

    const rest = samples.length - offset;
    if (rest > 0) {
      this.#remainder.set(samples.subarray(offset), 0);
      this.#remainderLength = rest;
    }
    return frames;
  }

  /** The held remainder padded with silence to a full frame (null if nothing is held), then empty. */
  flush(): Int16Array | null {
    if (this.#remainderLength === 0) return null;
    const frame = new Int16Array(this.frameSize);
    frame.set(this.#remainder.subarray(0, this.#remainderLength));
    this.#remainderLength = 0;
    return frame;
  }

  /** Drops the held remainder. */
  reset(): void {
    this.#remainderLength = 0;
  }
}
