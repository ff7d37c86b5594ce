/**
 * ElevenLabs text-to-speech for the pipeline mode: each `synthesize()` opens one stream-input
 * WebSocket session (see elevenlabs-stream.ts). PCM comes out at the rate asked for: ElevenLabs
 * streams 16, 22.05, 24 and 44.1 kHz PCM, so another rate is asked at the nearest of those and
 * resampled here.
 *
 *   const tts = new ElevenLabsTTS({ apiKey: process.env.ELEVENLABS_API_KEY! });
 *   const stream = tts.synthesize({ sampleRate: 48_000, signal });
 *   stream.pushText('Hello! How can I help you today?');
 *   stream.end();
 *   for await (const chunk of stream) play(chunk.samples, chunk.words);
 */
import { assertSampleRate } from '../../audio/pcm.js';
import { AgentsError } from '../../core/errors.js';
import { createLogger, childLogger } from '../../core/logger.js';
import type { TTS, TtsStream, TtsStreamOptions } from '../tts.js';
import { elevenLabsRateFor, resolveElevenLabsOptions, streamInputUrl, type ElevenLabsTTSOptions, type ResolvedElevenLabsOptions } from './elevenlabs-options.js';
import { ElevenLabsStream } from './elevenlabs-stream.js';

const log = createLogger('tts.elevenlabs');

export class ElevenLabsTTS implements TTS {
  readonly provider = 'elevenlabs';
  readonly #options: ResolvedElevenLabsOptions;
  readonly #streams = new Set<ElevenLabsStream>();
  #closed = false;
  #sessionCounter = 0;

  constructor(options: ElevenLabsTTSOptions) {
    this.#options = resolveElevenLabsOptions(options);
  }

  synthesize(options: TtsStreamOptions): TtsStream {
    if (this.#closed) throw new AgentsError('this ElevenLabsTTS is closed; create a new one', { code: 'CLOSED' });
    assertSampleRate(options.sampleRate, 'sampleRate');
    const voiceId = options.voice ?? this.#options.voiceId;
    const providerRate = elevenLabsRateFor(options.sampleRate);
    const url = streamInputUrl(this.#options, { voiceId, providerRate, language: options.language });
    const session = ++this.#sessionCounter;
    let stream: ElevenLabsStream | undefined;
    stream = new ElevenLabsStream(this.#options, {
      url,
      providerRate,
      sampleRate: options.sampleRate,
      signal: options.signal,
      log: childLogger(log, { session, voiceId, model: this.#options.modelId }),
      onDone: () => {
        if (stream) this.#streams.delete(stream);
      },
    });
    // A stream aborted before it was made is done already; it must not be remembered.
    if (!options.signal?.aborted) this.#streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#streams].map((stream) => stream.close()));
    this.#streams.clear();
  }
}
