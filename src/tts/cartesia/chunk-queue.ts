/**
 * What a session hands its one consumer, in order: chunks, then the end or a failure. The socket
 * pushes as messages arrive; the consumer iterates at its own pace. Nothing waits on the network
 * here: an empty queue parks the consumer until the next push.
 */
import type { ProviderError } from '../../core/errors.js';
import type { TtsChunk } from '../tts.js';

type Item = { kind: 'chunk'; chunk: TtsChunk } | { kind: 'end' } | { kind: 'failed'; error: ProviderError };

export class ChunkQueue {
  #items: Item[] = [];
  #wake: (() => void) | undefined;

  push(chunk: TtsChunk): void {
    this.#add({ kind: 'chunk', chunk });
  }

  /** The consumer's iteration ends after the chunks already pushed. */
  end(): void {
    this.#add({ kind: 'end' });
  }

  /** The consumer's iteration throws `error` after the chunks already pushed. */
  fail(error: ProviderError): void {
    this.#add({ kind: 'failed', error });
  }

  /** Forgets what the consumer has not taken yet (a stopped session yields nothing more). */
  dropPending(): void {
    this.#items = [];
  }

  async *drain(): AsyncGenerator<TtsChunk> {
    for (;;) {
      const item = this.#items.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      if (item.kind === 'end') return;
      if (item.kind === 'failed') throw item.error;
      yield item.chunk;
    }
  }

  #add(item: Item): void {
    this.#items.push(item);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
