/**
 * Mixes several speakers' 10 ms frames into one stream, for a model that takes a single audio
 * input. Frames of each source are queued; a mixed frame goes out as soon as every source that
 * is sending has one. A source that stops sending (muted, left, network stall) holds the others
 * back by at most `maxWaitFrames` frames; it then counts as stalled (silent, not waited for)
 * until it sends again, so the others' latency recovers at once.
 *
 * With one source the frame passes straight through (no copy, no delay).
 */
export interface AudioMixerOptions {
  /** Samples per frame (480 for 10 ms at 48 kHz). */
  frameSamples: number;
  /** How many frames a stalled source may hold the mix back; default 3 (30 ms). */
  maxWaitFrames?: number;
  onMixed(samples: Int16Array): void;
}

export class AudioMixer {
  readonly #queues = new Map<string, Int16Array[]>();
  readonly #stalled = new Set<string>();
  readonly #frameSamples: number;
  readonly #maxWaitFrames: number;
  readonly #onMixed: (samples: Int16Array) => void;
  readonly #sum: Int32Array;

  constructor(options: AudioMixerOptions) {
    this.#frameSamples = options.frameSamples;
    this.#maxWaitFrames = options.maxWaitFrames ?? 3;
    this.#onMixed = options.onMixed;
    this.#sum = new Int32Array(options.frameSamples);
  }

  get sources(): number {
    return this.#queues.size;
  }

  push(sourceId: string, samples: Int16Array): void {
    if (samples.length !== this.#frameSamples) {
      throw new RangeError(`AudioMixer takes frames of ${this.#frameSamples} samples; got ${samples.length}`);
    }
    let queue = this.#queues.get(sourceId);
    if (!queue) this.#queues.set(sourceId, (queue = []));
    this.#stalled.delete(sourceId);
    if (this.#queues.size === 1) {
      this.#onMixed(samples);
      return;
    }
    queue.push(samples);
    this.#drain();
  }

  /** Forgets a source (it left); its queued audio is mixed out first. */
  remove(sourceId: string): void {
    const queue = this.#queues.get(sourceId);
    if (!queue) return;
    while (queue.length > 0) this.#mixOne();
    this.#queues.delete(sourceId);
    this.#stalled.delete(sourceId);
    this.#drain();
  }

  #drain(): void {
    for (;;) {
      let ready = true;
      let longest = 0;
      for (const [sourceId, queue] of this.#queues) {
        if (queue.length === 0 && !this.#stalled.has(sourceId)) ready = false;
        longest = Math.max(longest, queue.length);
      }
      if (longest === 0) return;
      if (!ready) {
        if (longest <= this.#maxWaitFrames) return;
        for (const [sourceId, queue] of this.#queues) if (queue.length === 0) this.#stalled.add(sourceId);
      }
      this.#mixOne();
    }
  }

  /** Sums the head frame of every queue that has one (a missing frame is silence). */
  #mixOne(): void {
    const sum = this.#sum;
    sum.fill(0);
    for (const queue of this.#queues.values()) {
      const frame = queue.shift();
      if (!frame) continue;
      for (let i = 0; i < frame.length; i++) sum[i]! += frame[i]!;
    }
    const mixed = new Int16Array(this.#frameSamples);
    for (let i = 0; i < mixed.length; i++) {
      const value = sum[i]!;
      mixed[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
    }
    this.#onMixed(mixed);
  }
}
