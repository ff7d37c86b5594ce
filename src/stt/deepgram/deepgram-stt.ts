/**
 * Streaming speech-to-text on Deepgram's live API, through the official SDK. One SDK client
 * per provider; each `stream()` is one live session (see deepgram-stream.ts).
 *
 *   const stt = new DeepgramSTT({ apiKey: process.env.DEEPGRAM_API_KEY! });
 *   const stream = stt.stream({ sampleRate: 16000, language: 'en-US' });
 *   stream.pushAudio(pcm);
 *   for await (const event of stream) if (event.type === 'transcript.final') console.log(event.text);
 */
import { DeepgramClient } from '@deepgram/sdk';
import { ValidationError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { STT, SttStream, SttStreamOptions } from '../stt.js';
import { DeepgramSttStream } from './deepgram-stream.js';
import { resolveDeepgramOptions, type DeepgramSTTOptions, type ResolvedDeepgramOptions } from './options.js';

export class DeepgramSTT implements STT {
  readonly provider = 'deepgram';
  readonly #options: ResolvedDeepgramOptions;
  readonly #client: DeepgramClient;
  readonly #streams = new Set<DeepgramSttStream>();
  readonly #log;
  #closed = false;

  constructor(options: DeepgramSTTOptions) {
    this.#options = resolveDeepgramOptions(options);
    this.#client = new DeepgramClient({ apiKey: this.#options.apiKey, baseUrl: this.#options.baseUrl });
    this.#log = createLogger('stt.deepgram', { model: this.#options.model });
  }

  stream(options: SttStreamOptions): SttStream {
    if (this.#closed) throw new ValidationError('stream', 'this DeepgramSTT is closed; create a new one.');
    if (!Number.isInteger(options.sampleRate) || options.sampleRate <= 0) {
      throw new ValidationError('sampleRate', `must be a whole number of Hz, got ${String(options.sampleRate)}.`);
    }
    const language = options.language ?? this.#options.language;
    const stream = new DeepgramSttStream(
      this.#client,
      { options: this.#options, sampleRate: options.sampleRate, language, signal: options.signal },
      this.#log,
      (done) => this.#streams.delete(done),
    );
    if (!options.signal?.aborted) this.#streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#streams].map((stream) => stream.close()));
  }
}
