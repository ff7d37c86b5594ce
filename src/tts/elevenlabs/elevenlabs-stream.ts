/**
 * One ElevenLabs synthesis session over its text-to-speech WebSocket ("stream-input"): text in
 * as the language model writes it, cut into sentences, and PCM out at the rate the caller asked
 * for, with word timings from the service's character alignment.
 *
 * CHOICE: the `ws` client straight to the documented endpoint, not @elevenlabs/elevenlabs-js.
 * The SDK (2.73) types this protocol's messages (`InitializeConnection`, `SendText`,
 * `AudioOutput`, `FinalOutput` in api/types) but has no client for it: its WebSocket helpers
 * are for speech-to-text (`speechToText.realtime`) and its agents, and text-to-speech goes over
 * HTTP only. The wire names here follow those types and ElevenLabs' documentation.
 *
 * Protocol: open `wss://…/v1/text-to-speech/{voice}/stream-input?model_id&output_format=pcm_<rate>
 * &sync_alignment=true`, the key in the `xi-api-key` header (not in a message, where a proxy
 * logging bodies would keep it); send `{ text: " ", voice_settings }` first, then each
 * sentence as `{ text: "sentence ", flush: true }` (flush makes the service voice it now, rather
 * than waiting for its 120-character buffer to fill: the first sentence is heard sooner), and
 * `{ text: "" }` to end. The service answers `{ audio: base64 PCM, alignment, normalizedAlignment }`
 * messages, then `{ isFinal: true }`, and closes.
 */
import WebSocket from 'ws';
import { createResampler, type Resampler } from '../../audio/resampler.js';
import { ValidationError, type ProviderError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { SentenceSplitter } from '../sentences.js';
import type { TtsChunk, TtsStream, TtsWordTiming } from '../tts.js';
import { AlignmentWords, type CharacterAlignment } from './alignment-words.js';
import { AsyncQueue } from '../../core/async-queue.js';
import { closedError, handshakeError, serviceError, socketError } from './elevenlabs-errors.js';
import { voiceSettingsOnTheWire, type ResolvedElevenLabsOptions } from './elevenlabs-options.js';
import { PcmBytesDecoder } from './pcm-bytes.js';

/** A message from the service, as read here (api/types AudioOutput, FinalOutput, and its error shape). */
interface ServerMessage {
  audio?: string | null;
  isFinal?: boolean | null;
  alignment?: CharacterAlignment | null;
  normalizedAlignment?: CharacterAlignment | null;
  message?: unknown;
  error?: unknown;
  code?: unknown;
}

export interface ElevenLabsStreamSettings {
  url: string;
  /** The rate asked of the service, in Hz. */
  providerRate: number;
  /** The rate the caller wants, in Hz. */
  sampleRate: number;
  signal: AbortSignal | undefined;
  log: Logger;
  /** Called once when the stream is done (finished, failed or closed), so the provider forgets it. */
  onDone: () => void;
}

/** How long close() waits for the service to answer a close frame before cutting the socket. */
const CLOSE_GRACE_MS = 1_000;
/** How long the WebSocket handshake may take before the session fails (retryable). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class ElevenLabsStream implements TtsStream {
  readonly #options: ResolvedElevenLabsOptions;
  readonly #settings: ElevenLabsStreamSettings;
  readonly #ws: WebSocket;
  readonly #queue = new AsyncQueue<TtsChunk>();
  readonly #splitter: SentenceSplitter;
  readonly #words = new AlignmentWords();
  readonly #resampler: Resampler;
  readonly #pcm = new PcmBytesDecoder();
  /** Messages written before the socket opened, sent once it does. */
  readonly #outbox: string[] = [];
  readonly #closed: Promise<void>;
  readonly #onAbort = () => void this.close();
  /** Samples received from the service, at its rate: where the next message's audio starts. */
  #receivedSamples = 0;
  #ended = false;
  #finished = false;
  #stopped = false;
  #released = false;

  constructor(options: ResolvedElevenLabsOptions, settings: ElevenLabsStreamSettings) {
    this.#options = options;
    this.#settings = settings;
    this.#splitter = new SentenceSplitter({ minLength: options.minSentenceLength, maxLength: options.maxSentenceLength });
    this.#resampler = createResampler(settings.providerRate, settings.sampleRate);
    this.#ws = new WebSocket(settings.url, { headers: { 'xi-api-key': options.apiKey }, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.#closed = new Promise((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.on('open', () => this.#opened());
    this.#ws.on('message', (data) => this.#received(String(data)));
    this.#ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (part: Buffer) => (body += part.toString()));
      response.on('end', () => this.#fail(handshakeError(response.statusCode ?? 0, options.apiKey, body)));
      response.on('error', () => this.#fail(handshakeError(response.statusCode ?? 0, options.apiKey, body)));
    });
    this.#ws.on('error', (error) => this.#fail(socketError(error, options.apiKey)));
    this.#ws.on('close', (code, reason) => this.#socketClosed(code, reason.toString()));

    const message: Record<string, unknown> = { text: ' ' };
    const voiceSettings = voiceSettingsOnTheWire(options.voiceSettings);
    if (voiceSettings) message.voice_settings = voiceSettings;
    this.#send(message);

    if (settings.signal?.aborted) void this.close();
    else settings.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  pushText(text: string): void {
    if (typeof text !== 'string') throw new ValidationError('text', `must be a string, got ${typeof text}`);
    if (this.#stopped) return;
    if (this.#ended) {
      this.#settings.log.warn('text pushed after end() is not spoken');
      return;
    }
    for (const sentence of this.#splitter.push(text)) this.#sendSentence(sentence);
  }

  end(): void {
    if (this.#ended || this.#stopped) return;
    this.#ended = true;
    for (const sentence of this.#splitter.flush()) this.#sendSentence(sentence);
    this.#send({ text: '' });
  }

  async close(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#queue.stop();
      this.#release();
      if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
      else if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
      if (this.#ws.readyState !== WebSocket.CLOSED) {
        const grace = setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS);
        void this.#closed.then(() => clearTimeout(grace));
      }
    }
    await this.#closed;
  }

  [Symbol.asyncIterator](): AsyncIterator<TtsChunk> {
    return this.#queue[Symbol.asyncIterator]();
  }

  #sendSentence(sentence: string): void {
    // The service wants each text to end with a space, so words never run together across texts.
    this.#send({ text: `${sentence} `, flush: true });
  }

  #send(message: Record<string, unknown>): void {
    const raw = JSON.stringify(message);
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(raw);
    else if (this.#ws.readyState === WebSocket.CONNECTING) this.#outbox.push(raw);
  }

  #opened(): void {
    this.#settings.log.debug({ providerRate: this.#settings.providerRate, sampleRate: this.#settings.sampleRate }, 'connected');
    for (const raw of this.#outbox.splice(0)) this.#ws.send(raw);
  }

  #received(raw: string): void {
    if (this.#stopped || this.#queue.done) return;
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      this.#settings.log.warn({ length: raw.length }, 'a message that is not JSON was ignored');
      return;
    }
    if (typeof message.audio === 'string' && message.audio.length > 0) {
      this.#audio(message.audio, message.alignment ?? message.normalizedAlignment);
    } else if (message.error !== undefined || (message.message !== undefined && message.isFinal !== true)) {
      this.#fail(serviceError(message, this.#options.apiKey));
      return;
    }
    if (message.isFinal === true) this.#finish();
  }

  #audio(base64: string, alignment: CharacterAlignment | null | undefined): void {
    const offsetMs = (this.#receivedSamples / this.#settings.providerRate) * 1000;
    const samples = this.#pcm.decode(Buffer.from(base64, 'base64'));
    this.#receivedSamples += samples.length;
    const words = this.#words.add(alignment, offsetMs);
    this.#emit(this.#resampler.process(samples), words);
  }

  #emit(samples: Int16Array, words: TtsWordTiming[]): void {
    if (samples.length === 0 && words.length === 0) return;
    const chunk: TtsChunk = { samples, sampleRate: this.#settings.sampleRate };
    if (words.length > 0) chunk.words = words;
    this.#queue.push(chunk);
  }

  /** The service sent its last audio. */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#emit(this.#resampler.flush(), this.#words.finish());
    this.#queue.end();
    this.#settings.log.debug({ audioMs: Math.round((this.#receivedSamples / this.#settings.providerRate) * 1000) }, 'synthesis finished');
    this.#release();
  }

  #fail(error: ProviderError): void {
    if (this.#stopped || this.#finished || this.#queue.done) return;
    this.#settings.log.warn({ err: error, retryable: error.retryable }, 'synthesis failed');
    this.#queue.fail(error);
    this.#release();
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
    else if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
  }

  #socketClosed(code: number, reason: string): void {
    this.#settings.log.debug({ code, reason }, 'socket closed');
    if (!this.#stopped && !this.#finished) this.#fail(closedError(code, reason, this.#options.apiKey));
    this.#release();
  }

  /** Lets go of the resampler, the abort listener and the provider's record of this stream. */
  #release(): void {
    this.#resampler.close();
    if (this.#released) return;
    this.#released = true;
    this.#settings.signal?.removeEventListener('abort', this.#onAbort);
    this.#settings.onDone();
  }
}
