/**
 * The hand-over between a socket's messages and the one consumer iterating a TTS stream: chunks
 * wait here until read. `end()` lets the reader finish what is queued; `fail()` does the same and
 * then throws; `drop()` ends the reading at once, queued chunks discarded (barge-in).
 */
import type { TtsChunk } from '../tts.js';

export class ChunkQueue implements AsyncIterable<TtsChunk> {
  #chunks: TtsChunk[] = [];
  #done = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #iterated = false;

  get done(): boolean {
    return this.#done;
  }

  push(chunk: TtsChunk): void {
    if (this.#done) return;
    this.#chunks.push(chunk);
    this.#signal();
  }

  end(): void {
    this.#done = true;
    this.#signal();
  }

  fail(error: Error): void {
    if (this.#done) return;
    this.#error = error;
    this.end();
  }

  drop(): void {
    this.#chunks = [];
    this.#error = undefined;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TtsChunk> {
    if (this.#iterated) throw new Error('a TTS stream can be iterated once');
    this.#iterated = true;
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.#done) {
        if (this.#error) throw this.#error;
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
