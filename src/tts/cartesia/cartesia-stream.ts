/**
 * One Cartesia synthesis session: one WebSocket (new, or left open by an earlier session), one
 * context (`context_id`) while text keeps coming (a new one after a pause long enough for
 * Cartesia to expire it: context-sequence.ts), text streamed in as continuations, PCM and word
 * timings out as TtsChunk.
 *
 * Text goes out as it comes, each push one input with `continue: true`; `end()` sends the final
 * empty input with `continue: false`. We do not cut text at sentence or word boundaries here:
 * Cartesia concatenates a context's inputs verbatim (a word split across two inputs is still one
 * word) and its managed buffering holds text until it can speak it with the right prosody, or
 * `max_buffer_delay_ms` passes; text ending in a sentence's punctuation starts at once. Cutting
 * on our side would add a delay the service already manages and lose the prosody it keeps
 * across inputs of one context.
 *
 * Why `ws` and not the SDK's `client.tts.websocket()` (@cartesia/cartesia-js 4.2):
 * - imported as an ES module, as this package is, it cannot open a socket on Node 20: its ESM
 *   build looks for `ws` with `require`, which ES modules lack, then for a global WebSocket,
 *   which Node 20 lacks, and throws "the ws peer dependency is required" with ws installed;
 * - it builds its URL from `baseURL` and then forces the scheme to `wss`
 *   (resources/tts/internal-base.ts `buildURL`), so it cannot reach a plain `ws://` server (a
 *   local proxy, the testing kit's fake);
 * - its `send()` silently opens a new socket when the old one dropped, losing the context, where
 *   a pipeline needs to hear that the speech failed.
 * So we speak the protocol the SDK speaks, with its types (`GenerationRequest`,
 * `WebsocketResponse`) and its handshake from Node: `Authorization: Bearer <key>` and
 * `Cartesia-Version` headers (a key in a header, not the URL, stays out of proxy logs).
 */
import type { IncomingMessage } from 'node:http';
import type { GenerationRequest, WebsocketClientEvent, WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
import WebSocket from 'ws';
import { createResampler, type Resampler } from '../../audio/resampler.js';
import { type ProviderError, ValidationError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TtsChunk, TtsStream, TtsStreamOptions } from '../tts.js';
import { connectionLost, handshakeRefused, serviceError } from './cartesia-errors.js';
import { cartesiaLanguage, type ResolvedCartesiaOptions } from './cartesia-options.js';
import { AsyncQueue } from '../../core/async-queue.js';
import { ContextSequence, type SpeechContext } from './context-sequence.js';
import { serviceSampleRateFor } from './sample-rates.js';
import { PcmS16leDecoder } from './pcm-decoder.js';
import { WordTimings } from './word-timings.js';

/** A generation request as sent: the SDK's, with the voice in the documented `{ mode: 'id', id }` form. */
type CartesiaRequest = Omit<GenerationRequest, 'voice'> & { voice: { mode: 'id'; id: string } };

/**
 * How long a context may go without audio and without text before the next text goes to a new
 * context: under Cartesia's 1 s expiry, with room for the audio's way here and the text's back.
 */
const CONTEXT_QUIET_MS = 600;
/**
 * How long a retired context may stay silent before it is taken as over, in case the service
 * neither speaks, nor ends, nor refuses it. Generous: a context still holding text needs the
 * service's time to first audio, and ending it early would drop those words.
 */
const RETIRED_SILENCE_MS = 2000;

export class CartesiaTtsStream implements TtsStream {
  /** The rate the caller asked for; every chunk has it. */
  readonly sampleRate: number;

  readonly #base: Omit<CartesiaRequest, 'transcript' | 'continue' | 'context_id'>;
  readonly #contexts = new ContextSequence(CONTEXT_QUIET_MS);
  #socket: WebSocket;
  readonly #openSocket: () => WebSocket;
  /**
   * What was sent on a socket an earlier session left, until the service first answers on it: a
   * kept socket the server closed while it was idle can look open until it is used, and then the
   * session starts again on a new socket with these, instead of failing. Undefined once answered.
   */
  #sentOnKeptSocket: string[] | undefined;
  readonly #log: Logger;
  /** Called once, with the socket when the session ended cleanly and it can serve another. */
  readonly #onFinished: (reusable: WebSocket | undefined) => void;
  #released = false;
  readonly #decoder = new PcmS16leDecoder();
  readonly #words = new WordTimings();
  readonly #resampler: Resampler | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.close();
  /** Messages written before the socket opened. */
  #outbox: string[] = [];
  readonly #queue = new AsyncQueue<TtsChunk>();
  #ended = false;
  #textSent = false;
  /** Set once `done`, an error or `close()` has decided how the stream ends. */
  #finished = false;
  #iterated = false;
  /** Samples yielded so far, at `sampleRate`. */
  #samplesOut = 0;

  /** `socket`: an open socket a finished session left (idle-socket.ts); undefined: open a new one. */
  constructor(
    options: ResolvedCartesiaOptions,
    stream: TtsStreamOptions,
    log: Logger,
    socket: WebSocket | undefined,
    onFinished: (reusable: WebSocket | undefined) => void,
  ) {
    this.sampleRate = stream.sampleRate;
    const serviceRate = serviceSampleRateFor(stream.sampleRate);
    this.#resampler = serviceRate === stream.sampleRate ? undefined : createResampler(serviceRate, stream.sampleRate);
    this.#log = log;
    this.#onFinished = onFinished;
    this.#signal = stream.signal;
    const language = cartesiaLanguage(stream.language ?? options.language);
    this.#base = {
      model_id: options.modelId,
      voice: { mode: 'id', id: stream.voice ?? options.voiceId },
      output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: serviceRate as GenerationRequest['output_format']['sample_rate'] },
      add_timestamps: true,
      ...(language === undefined ? {} : { language }),
      ...(options.maxBufferDelayMs === undefined ? {} : { max_buffer_delay_ms: options.maxBufferDelayMs }),
    };
    this.#openSocket = () =>
      new WebSocket(options.url, {
        headers: { Authorization: `Bearer ${options.apiKey}`, 'Cartesia-Version': options.cartesiaVersion },
      });
    this.#socket = socket ?? this.#openSocket();
    this.#sentOnKeptSocket = socket ? [] : undefined;
    this.#listen();
    log.debug(
      { contextId: this.#contexts.current.id, model: options.modelId, sampleRate: stream.sampleRate, serviceRate, socketReused: socket !== undefined },
      'cartesia context opened',
    );
    if (stream.signal?.aborted) void this.close();
    else stream.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  pushText(text: string): void {
    if (typeof text !== 'string') throw new ValidationError('text', 'pushText takes a string');
    if (this.#ended) throw new ValidationError('text', 'pushText after end(): the speech is already complete; open a new stream');
    if (this.#finished || text === '') return;
    this.#textSent = true;
    const now = performance.now();
    if (this.#contexts.needsNewContext(now)) {
      const quiet = this.#contexts.current;
      if (!quiet.done) this.#retire(quiet);
      const next = this.#contexts.next();
      this.#log.debug({ contextId: next.id, after: quiet.id }, 'cartesia context went quiet; continuing in a new one');
    }
    const context = this.#contexts.current;
    context.lastTextAt = now;
    this.#send({ ...this.#base, context_id: context.id, transcript: text, continue: true });
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#finished) return;
    // Nothing to say: a context whose only input is the empty final one is not asked of the service.
    if (!this.#textSent) {
      this.#finish();
      if (this.#socket.readyState === WebSocket.OPEN) this.#release(this.#socket);
      else this.#socket.terminate();
      return;
    }
    const context = this.#contexts.current;
    if (!context.done) this.#close(context);
    else if (this.#contexts.allDone) this.#complete();
  }

  /** Closes a context that went quiet; see context-sequence.ts for how it ends. */
  #retire(context: SpeechContext): void {
    context.retired = true;
    this.#close(context);
    this.#watchSilence(context);
  }

  /** A retired context silent for the quiet time is over: it ends as if its `done` had come. */
  #watchSilence(context: SpeechContext): void {
    clearTimeout(context.silenceTimer);
    context.silenceTimer = setTimeout(() => {
      if (!this.#finished && !context.done) this.#route(context, { type: 'done', done: true, status_code: 200, context_id: context.id });
    }, RETIRED_SILENCE_MS);
  }

  /** The context's final input: the service speaks what it still holds, then sends `done`. */
  #close(context: SpeechContext): void {
    context.closed = true;
    this.#send({ ...this.#base, context_id: context.id, transcript: '', continue: false });
  }

  async close(): Promise<void> {
    // Given back for the next session, the socket is no longer this session's.
    if (this.#released && this.#finished) return;
    if (this.#finished && this.#socket.readyState === WebSocket.CLOSED) return;
    const open = this.#socket.readyState === WebSocket.OPEN;
    // Drop what was not yet yielded: a closed stream ends its iteration at once.
    this.#queue.clear();
    this.#finish();
    if (open) {
      // The service stops generating for the contexts, so it bills no more of them.
      // Sends are written in order: once the last cancel is out, the socket can go.
      const unfinished = this.#contexts.all.filter((context) => !context.done);
      unfinished.forEach((context, index) => {
        const cancel: WebsocketClientEvent = { cancel: true, context_id: context.id };
        this.#socket.send(JSON.stringify(cancel), index === unfinished.length - 1 ? () => this.#socket.terminate() : undefined);
      });
      if (unfinished.length === 0) this.#socket.terminate();
      else this.#socket.close(1000);
    } else {
      this.#socket.terminate();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TtsChunk> {
    if (this.#iterated) throw new ValidationError('stream', 'a TtsStream can be iterated once');
    this.#iterated = true;
    try {
      yield* this.#queue;
    } finally {
      // A consumer that stops early (break, throw) ends the session too.
      await this.close();
    }
  }

  #send(request: CartesiaRequest): void {
    const text = JSON.stringify(request);
    this.#sentOnKeptSocket?.push(text);
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(text);
    else if (this.#socket.readyState === WebSocket.CONNECTING) this.#outbox.push(text);
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on('open', () => {
      for (const text of this.#outbox) socket.send(text);
      this.#outbox = [];
    });
    // A refused handshake (401 for a bad key): read the service's reason, then fail for good.
    // With this listener ws leaves the request open; #fail's terminate() aborts it.
    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (part: string) => (body += part));
      response.on('end', () => this.#fail(handshakeRefused(status, body)));
      response.on('error', () => this.#fail(handshakeRefused(status, body)));
    });
    socket.on('message', (data) => {
      this.#sentOnKeptSocket = undefined;
      this.#onMessage(String(data));
    });
    socket.on('error', (error) => {
      if (!this.#startOverOnNewSocket()) this.#fail(connectionLost(error.message, error));
    });
    socket.on('close', (code, reason) => {
      if (this.#startOverOnNewSocket()) return;
      this.#fail(connectionLost(`closed with ${code}${reason.length ? ` ${String(reason)}` : ''}`));
      this.#release(undefined);
    });
  }

  /** A kept socket died before the service answered on it: opens a new one and sends it all again. */
  #startOverOnNewSocket(): boolean {
    const sent = this.#sentOnKeptSocket;
    if (sent === undefined || this.#finished) return false;
    this.#sentOnKeptSocket = undefined;
    this.#log.debug({ contextId: this.#contexts.current.id }, 'the kept cartesia socket was gone; starting again on a new one');
    const dead = this.#socket;
    dead.removeAllListeners();
    dead.on('error', () => undefined);
    dead.terminate();
    this.#socket = this.#openSocket();
    this.#outbox = [...sent];
    this.#listen();
    return true;
  }

  #onMessage(text: string): void {
    if (this.#finished) return;
    let event: WebsocketResponse;
    try {
      event = JSON.parse(text) as WebsocketResponse;
    } catch {
      this.#log.warn({ contextId: this.#contexts.current.id }, 'cartesia sent a message that is not JSON; ignored');
      return;
    }
    // An error without a context is about the connection: it ends the session.
    if (event.type === 'error' && event.context_id === undefined) return this.#fail(serviceError(event));
    const context = this.#contexts.find(event.context_id ?? '');
    if (!context || context.done) return;
    if (event.type === 'chunk') context.lastAudioAt = performance.now();
    if (context.retired) {
      this.#watchSilence(context);
      // A retired context that had expired is refused its final input: it was over already.
      if (event.type === 'error') {
        this.#log.debug({ contextId: context.id, status: event.status_code }, 'cartesia refused the final input of a quiet context; it had ended');
        return this.#route(context, { type: 'done', done: true, status_code: 200, context_id: context.id });
      }
    }
    this.#route(context, event);
  }

  /** A later context waits for the ones before it, so that the session's audio stays in order. */
  #route(context: SpeechContext, event: WebsocketResponse): void {
    if (context !== this.#contexts.playing) context.backlog.push(event);
    else this.#play(context, event);
  }

  #play(context: SpeechContext, event: WebsocketResponse): void {
    context.offsetMs ??= (this.#samplesOut * 1000) / this.sampleRate;
    switch (event.type) {
      case 'chunk':
        this.#onAudio(this.#decoder.decode(event.data));
        return;
      case 'timestamps':
        if (event.word_timestamps) this.#words.add(event.word_timestamps, context.offsetMs);
        return;
      case 'done':
        this.#onContextDone(context);
        return;
      case 'error':
        this.#fail(serviceError(event));
        return;
      default:
        // flush_done and phoneme_timestamps: nothing to do for a session that asks for neither.
        return;
    }
  }

  #onContextDone(context: SpeechContext): void {
    context.done = true;
    clearTimeout(context.silenceTimer);
    if (this.#ended && this.#contexts.allDone) return this.#complete();
    const next = this.#contexts.playing;
    if (!next) return;
    for (const event of next.backlog.splice(0)) {
      if (this.#finished || next.done) return;
      this.#play(next, event);
    }
  }

  /** Every context is done and no more text comes: the last audio, then the end. */
  #complete(): void {
    this.#onAudio(this.#resampler?.flush() ?? new Int16Array(0), true);
    this.#finish();
    this.#release(this.#socket);
  }

  /** Yields service audio as a chunk at the caller's rate, with the words that start in it. */
  #onAudio(serviceSamples: Int16Array, last = false): void {
    const samples = this.#resampler && !last ? this.#resampler.process(serviceSamples) : serviceSamples;
    const endMs = ((this.#samplesOut + samples.length) * 1000) / this.sampleRate;
    const words = last ? this.#words.takeAll() : this.#words.takeStartingBefore(endMs);
    if (samples.length === 0 && words === undefined) return;
    this.#samplesOut += samples.length;
    this.#queue.push({ samples, sampleRate: this.sampleRate, ...(words ? { words } : {}) });
  }

  #fail(error: ProviderError): void {
    if (this.#finished) return;
    this.#log.warn({ contextId: this.#contexts.current.id, status: error.status, retryable: error.retryable, err: error.message }, 'cartesia synthesis failed');
    this.#finish(error);
    this.#socket.terminate();
  }

  /** Decides how the session ends, once: after its chunks, with `failure` if there is one. */
  #finish(failure?: ProviderError): void {
    if (this.#finished) return;
    this.#finished = true;
    if (failure) this.#queue.fail(failure);
    else this.#queue.end();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#words.clear();
    this.#contexts.clearTimers();
    this.#resampler?.close();
  }

  #release(reusable: WebSocket | undefined): void {
    if (this.#released) return;
    this.#released = true;
    this.#onFinished(reusable);
  }
}
