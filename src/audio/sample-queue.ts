/**
 * A bounded FIFO of 16-bit samples, stored as the chunks they arrived in (no big ring buffer is
 * allocated up front: most of the time it holds a few hundred ms, but it may have to hold minutes).
 * When full it drops the oldest samples, since the newest audio is what a listener should hear.
 */
export class SampleQueue {
  readonly capacity: number;
  #chunks: Int16Array[] = [];
  /** Index of the first live chunk in `#chunks`, and the read position inside it. */
  #head = 0;
  #headOffset = 0;
  #length = 0;

  /** `capacity`: the most samples held at once. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Samples queued. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends `chunk`, which the queue now owns (the caller must not change it afterwards).
   * Returns how many of the oldest samples were dropped to stay within capacity.
   */
  push(chunk: Int16Array): number {
    if (chunk.length === 0) return 0;
    let dropped = 0;
    if (chunk.length > this.capacity) {
      // Only the newest `capacity` samples of this chunk can ever play.
      dropped += chunk.length - this.capacity;
      chunk = chunk.subarray(chunk.length - this.capacity);
    }
    const overflow = this.#length + chunk.length - this.capacity;
    if (overflow > 0) dropped += this.#discard(overflow);
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return dropped;
  }

  /** Moves up to `target.length` samples into `target`, oldest first; returns how many. */
  read(target: Int16Array): number {
    let written = 0;
    while (written < target.length && this.#length > 0) {
      const chunk = this.#chunks[this.#head] as Int16Array;
      const count = Math.min(target.length - written, chunk.length - this.#headOffset);
      target.set(chunk.subarray(this.#headOffset, this.#headOffset + count), written);
      written += count;
      this.#consume(count, chunk.length);
    }
    return written;
  }

  /** Empties the queue; returns how many samples were dropped. */
  clear(): number {
    const dropped = this.#length;
    this.#chunks = [];
    this.#head = 0;
    this.#headOffset = 0;
    this.#length = 0;
    return dropped;
  }

  #discard(count: number): number {
    let discarded = 0;
    while (discarded < count && this.#length > 0) {
      const chunk = this.#chunks[this.#head] as Int16Array;
      const taken = Math.min(count - discarded, chunk.length - this.#headOffset);
      discarded += taken;
      this.#consume(taken, chunk.length);
    }
    return discarded;
  }

  #consume(count: number, headChunkLength: number): void {
    this.#length -= count;
    this.#headOffset += count;
    if (this.#headOffset < headChunkLength) return;
    this.#headOffset = 0;
    this.#head++;
    if (this.#length === 0) {
      this.#chunks.length = 0;
      this.#head = 0;
      return;
    }
    // Compact now and then rather than shift() on every chunk (shift is O(n)).
    if (this.#head >= 64 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
