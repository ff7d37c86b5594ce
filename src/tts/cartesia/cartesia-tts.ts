/**
 * Cartesia (Sonic) text-to-speech over its WebSocket API, behind the TTS seam. A session has a
 * socket to itself; a session that ends cleanly leaves it open for the next (idle-socket.ts), so
 * the answers of a conversation share one. See cartesia-stream.ts for how text is streamed and
 * why `ws` is used instead of the SDK's socket client.
 *
 *   const tts = new CartesiaTTS({ apiKey: process.env.CARTESIA_API_KEY! });
 *   const speech = tts.synthesize({ sampleRate: 48000, signal });
 *   speech.pushText('Hello, '); speech.pushText('world!'); speech.end();
 *   for await (const chunk of speech) publish(chunk.samples);
 */
import { ValidationError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { TTS, TtsStream, TtsStreamOptions } from '../tts.js';
import { resolveCartesiaOptions, type CartesiaTtsOptions, type ResolvedCartesiaOptions } from './cartesia-options.js';
import { CartesiaTtsStream } from './cartesia-stream.js';
import { IdleSocket } from './idle-socket.js';

const log = createLogger('tts.cartesia');
/** How long the socket of a finished session waits for the next one: the pause between two answers of a conversation. */
const IDLE_SOCKET_MS = 30_000;

export class CartesiaTTS implements TTS {
  readonly provider = 'cartesia';
  readonly #options: ResolvedCartesiaOptions;
  readonly #streams = new Set<CartesiaTtsStream>();
  readonly #idle = new IdleSocket(IDLE_SOCKET_MS);
  #closed = false;

  constructor(options: CartesiaTtsOptions) {
    this.#options = resolveCartesiaOptions(options);
  }

  synthesize(options: TtsStreamOptions): TtsStream {
    if (this.#closed) throw new ValidationError('tts', 'this CartesiaTTS is closed; create a new one');
    const { sampleRate } = options;
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192_000) {
      throw new ValidationError('sampleRate', `must be a whole number of Hz from 8000 to 192000, got ${sampleRate}`);
    }
    const stream: CartesiaTtsStream = new CartesiaTtsStream(this.#options, options, log, this.#idle.take(), (reusable) => {
      this.#streams.delete(stream);
      if (reusable && !this.#closed) this.#idle.put(reusable);
      else reusable?.close(1000);
    });
    this.#streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#idle.discard();
    const streams = [...this.#streams];
    this.#streams.clear();
    await Promise.all(streams.map((stream) => stream.close()));
  }
}
