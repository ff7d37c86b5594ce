/**
 * One client socket of the fake Cartesia TTS WebSocket: generation requests grouped by
 * `context_id`, continuations, `flush`, `cancel`, and the answers the API documents
 * (`chunk`, `timestamps`, `flush_done`, `done`, `error`; see the SDK's `WebsocketResponse`).
 *
 * Text is buffered as the service's managed buffering does: a piece is spoken up to its last
 * whitespace (all of it when it ends a sentence), the rest waits for more text, a flush, or the
 * final input (`continue: false`). So a word split across two inputs is spoken, and timed, as
 * one word.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerationRequest, WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
import type { WebSocket } from 'ws';
import { CARTESIA_SAMPLE_RATES, pcmToBase64, synthesizePiece } from './synthesis.js';

export interface FakeCartesiaBehaviour {
  /** Audio length per character of transcript, in ms. */
  msPerCharacter: number;
  /** Length of each `chunk` message's audio, in ms. */
  chunkMs: number;
  /** Pause before a context's first chunk (time to first byte), in ms. */
  firstByteDelayMs: number;
  /** Pause between chunks, in ms; 0 sends them as fast as the socket takes them. */
  chunkIntervalMs: number;
  /**
   * A context with nothing left to say expires this long after its last chunk went out, and an
   * input after that is answered with an error (the service documents 1 s and "not supported").
   * 0: never.
   */
  contextExpiryMs: number;
  /** What an input to an expired context gets: an `error` event, or no answer at all. */
  expiredInput: 'error' | 'ignore';
}

/** What the fake knows of one context. */
export interface FakeCartesiaContext {
  contextId: string;
  /** Transcripts in the order they arrived, empty ones included. */
  transcripts: string[];
  /** The first request's settings; continuations must repeat them. */
  first: GenerationRequest;
  sampleRate: number;
  /** Samples sent so far. */
  samplesSent: number;
  chunksSent: number;
  cancelled: boolean;
  /** `done` was sent. */
  done: boolean;
  /** Text received but not yet spoken (after the last whitespace). */
  pendingText: string;
  /** Pieces queued or being spoken. */
  speaking: number;
  /** Flushes asked for; each is answered with `flush_done` and this number as `flush_id`. */
  flushes: number;
  /** `performance.now()` when the last chunk was sent. */
  lastChunkAt: number | undefined;
  piecesSpoken: number;
  /** Serialises the speaking of this context's pieces. */
  queue: Promise<void>;
}

export interface FakeCartesiaHost {
  readonly behaviour: FakeCartesiaBehaviour;
  record(message: unknown, connection: FakeCartesiaConnection): void;
  changed(): void;
}

type ContextFields = Pick<GenerationRequest, 'model_id' | 'voice' | 'output_format' | 'language' | 'add_timestamps'>;

export class FakeCartesiaConnection {
  readonly contexts = new Map<string, FakeCartesiaContext>();
  closed = false;
  /** Drop the connection when the next message arrives (recorded, not answered): a socket that died while idle. */
  dropOnNextMessage = false;
  /** Ends the pauses of this connection's contexts when it closes, so no timer outlives it. */
  readonly #closing = new AbortController();

  constructor(
    readonly socket: WebSocket,
    /** The upgrade request's headers and query, as the fake received them. */
    readonly headers: Record<string, string | string[] | undefined>,
    readonly query: URLSearchParams,
    private readonly host: FakeCartesiaHost,
  ) {
    socket.on('message', (data) => this.#onMessage(String(data)));
    socket.on('close', () => {
      this.closed = true;
      this.#closing.abort();
      host.changed();
    });
  }

  /** Ends the TCP connection without a close frame (the client sees 1006), as a network drop would. */
  drop(): void {
    this.socket.terminate();
  }

  send(message: WebsocketResponse): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  #onMessage(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.#error(undefined, 400, 'Invalid JSON', 'the message is not JSON');
      return;
    }
    this.host.record(message, this);
    if (this.dropOnNextMessage) {
      this.drop();
      return;
    }
    const contextId = typeof message['context_id'] === 'string' ? message['context_id'] : undefined;
    if (message['cancel'] === true) {
      const context = contextId === undefined ? undefined : this.contexts.get(contextId);
      if (context) context.cancelled = true;
      this.host.changed();
      return;
    }
    this.#onGenerationRequest(message as unknown as GenerationRequest, contextId);
  }

  #onGenerationRequest(request: GenerationRequest, contextId: string | undefined): void {
    if (contextId === undefined) return this.#error(undefined, 400, 'Invalid request', 'context_id is required');
    if (typeof request.transcript !== 'string') return this.#error(contextId, 400, 'Invalid request', 'transcript is required');
    if (!request.model_id) return this.#error(contextId, 400, 'Invalid request', 'model_id is required');
    if (!request.voice) return this.#error(contextId, 400, 'Invalid request', 'voice is required');
    const format = request.output_format;
    if (format?.container !== 'raw' || format.encoding !== 'pcm_s16le') {
      return this.#error(contextId, 400, 'Invalid output format', 'this fake speaks raw pcm_s16le only');
    }
    if (!(CARTESIA_SAMPLE_RATES as readonly number[]).includes(format.sample_rate)) {
      return this.#error(contextId, 400, 'Invalid output format', `sample_rate ${format.sample_rate} is not supported`);
    }
    let context = this.contexts.get(contextId);
    if (!context) {
      context = {
        contextId,
        transcripts: [],
        first: request,
        sampleRate: format.sample_rate,
        samplesSent: 0,
        chunksSent: 0,
        cancelled: false,
        done: false,
        pendingText: '',
        speaking: 0,
        flushes: 0,
        lastChunkAt: undefined,
        piecesSpoken: 0,
        queue: Promise.resolve(),
      };
      this.contexts.set(contextId, context);
    } else if (context.done) {
      return this.#error(contextId, 400, 'Context closed', 'inputs after the final one are not supported');
    } else if (this.#expired(context)) {
      if (this.host.behaviour.expiredInput === 'ignore') return;
      return this.#error(contextId, 400, 'Context expired', `no input may follow ${this.host.behaviour.contextExpiryMs} ms after the last audio`);
    } else if (!sameContextFields(context.first, request)) {
      return this.#error(contextId, 400, 'Invalid request', 'inputs of one context must keep every field but transcript and continue');
    }
    context.transcripts.push(request.transcript);
    this.host.changed();
    const final = request.continue !== true;
    const flush = request.flush === true;
    const text = context.pendingText + request.transcript;
    // Managed buffering: speak up to the last whitespace, or all of it when it ends a sentence,
    // this input closes the context or flushes it.
    const cut = final || flush || /[.!?]$/.test(text) ? text.length : lastWhitespaceEnd(text);
    context.pendingText = text.slice(cut);
    const piece = text.slice(0, cut);
    const ctx = context;
    const flushId = flush ? ++ctx.flushes : undefined;
    ctx.speaking++;
    ctx.queue = ctx.queue.then(async () => {
      if (piece.trim() !== '') await this.#speak(ctx, piece);
      ctx.speaking--;
      if (ctx.cancelled) return;
      if (flushId !== undefined) {
        this.send({ type: 'flush_done', done: false, flush_done: true, flush_id: flushId, status_code: 206, context_id: ctx.contextId });
      }
      if (final) {
        ctx.done = true;
        this.send({ type: 'done', done: true, status_code: 200, context_id: ctx.contextId });
        this.host.changed();
      }
    });
  }

  async #speak(context: FakeCartesiaContext, piece: string): Promise<void> {
    const { behaviour } = this.host;
    if (context.chunksSent === 0 && behaviour.firstByteDelayMs > 0) await this.#pause(behaviour.firstByteDelayMs);
    if (context.cancelled || this.closed) return;
    const spoken = synthesizePiece(piece, {
      sampleRate: context.sampleRate,
      msPerCharacter: behaviour.msPerCharacter,
      offsetSamples: context.samplesSent,
      pieceIndex: context.piecesSpoken++,
    });
    if (context.first.add_timestamps === true && spoken.words.length > 0) {
      this.send({
        type: 'timestamps',
        done: false,
        status_code: 206,
        context_id: context.contextId,
        word_timestamps: { words: spoken.words, start: spoken.start, end: spoken.end },
      });
    }
    const chunkSamples = Math.max(1, Math.round((behaviour.chunkMs * context.sampleRate) / 1000));
    for (let at = 0; at < spoken.samples.length; at += chunkSamples) {
      if (context.cancelled || this.closed) return;
      const samples = spoken.samples.subarray(at, at + chunkSamples);
      this.send({
        type: 'chunk',
        data: pcmToBase64(samples),
        done: false,
        status_code: 206,
        step_time: 1,
        context_id: context.contextId,
      });
      context.samplesSent += samples.length;
      context.chunksSent++;
      context.lastChunkAt = performance.now();
      this.host.changed();
      if (behaviour.chunkIntervalMs > 0) await this.#pause(behaviour.chunkIntervalMs);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #expired(context: FakeCartesiaContext): boolean {
    const expiryMs = this.host.behaviour.contextExpiryMs;
    if (expiryMs <= 0 || context.lastChunkAt === undefined || context.speaking > 0 || context.pendingText.trim() !== '') return false;
    return performance.now() - context.lastChunkAt > expiryMs;
  }

  /** Waits `ms`, or less when the connection closes meanwhile. */
  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#closing.signal }).catch(() => undefined);
  }

  #error(contextId: string | undefined, status: number, title: string, message: string): void {
    this.send({ type: 'error', status_code: status, title, message, done: true, ...(contextId ? { context_id: contextId } : {}) });
  }
}

function lastWhitespaceEnd(text: string): number {
  const match = /\s(?=\S*$)/.exec(text);
  return match ? match.index + 1 : 0;
}

function sameContextFields(a: ContextFields, b: ContextFields): boolean {
  const pick = (r: ContextFields) => JSON.stringify([r.model_id, r.voice, r.output_format, r.language ?? null, r.add_timestamps ?? null]);
  return pick(a) === pick(b);
}
