/**
 * The newest `keepMs` of a stream of PCM frames, oldest first: frames are copied in (callers may
 * reuse theirs) and the oldest dropped whole once the rest still hold `keepMs`. What a turn
 * detector keeps from before its decision, and what it holds back while it decides.
 */
export class RecentAudio {
  readonly #keepSamples: number;
  #frames: Int16Array[] = [];
  #samples = 0;

  constructor(keepMs: number, sampleRate: number) {
    this.#keepSamples = Math.round((keepMs * sampleRate) / 1000);
  }

  push(samples: Int16Array): Int16Array {
    const copy = samples.slice();
    this.#frames.push(copy);
    this.#samples += copy.length;
    while (this.#frames.length > 1 && this.#samples - this.#frames[0]!.length >= this.#keepSamples) {
      this.#samples -= this.#frames.shift()!.length;
    }
    return copy;
  }

  /** The frames kept, oldest first. */
  get frames(): readonly Int16Array[] {
    return this.#frames;
  }
}
