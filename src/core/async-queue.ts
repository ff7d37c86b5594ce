/**
 * The hand-over between a producer that pushes as things arrive (a socket's messages, a
 * model's events) and the one consumer that reads them with `for await`, at its own pace:
 * nothing waits on the producer here, and an empty queue parks the consumer until the next
 * push. `end()` lets the consumer drain what is queued and stop; `fail()` does the same and then
 * throws; `clear()` forgets what is queued, and `stop()` does that and ends (a stream stopped at
 * once yields nothing more).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #done = false;
  #error: unknown;
  #failed = false;
  #wake: (() => void) | undefined;
  #iterated = false;

  /** True once `end()` or `fail()` was called: later pushes are ignored. */
  get done(): boolean {
    return this.#done;
  }

  push(item: T): void {
    if (this.#done) return;
    this.#items.push(item);
    this.#signal();
  }

  end(): void {
    this.#done = true;
    this.#signal();
  }

  fail(error: unknown): void {
    if (this.#done) return;
    this.#failed = true;
    this.#error = error;
    this.end();
  }

  clear(): void {
    this.#items = [];
  }

  /** Ends at once: what is queued is forgotten, a failure too; the consumer simply stops. */
  stop(): void {
    this.clear();
    this.#failed = false;
    this.#error = undefined;
    this.end();
  }

  /** Read once: a second reader would see only what the first left. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterated) throw new Error('this stream can be read once');
    this.#iterated = true;
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift()!;
        continue;
      }
      if (this.#done) {
        if (this.#failed) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
