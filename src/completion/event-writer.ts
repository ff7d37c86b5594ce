/**
 * Writes protocol events to an HTTP response in the mode the client chose:
 * - `jsonl`: `{"type":…,"data":…}\n` per event;
 * - `sse`: `event: <type>\ndata: <json>\n\n` per event;
 * - `json`: nothing until the end, then one object `{text, usage:{token}, end:{reason}}` (plus
 *   `messages` when the turn produced any, e.g. a function request). An `error` event becomes
 *   the status and error body, since no status was sent yet.
 * Streaming modes send a `ping` every `pingIntervalMs` so proxies keep long streams open, and
 * respect backpressure: `write` returns a promise only when the socket is backed up. A client
 * that stops reading does not hold the request: a response whose socket takes nothing for
 * `writeTimeoutMs` is destroyed (the route then aborts the model call), in every mode, before
 * and after `end()`.
 */
import type { ServerResponse } from 'node:http';
import { errorBody } from '../http/http-errors.js';
import type { ProtocolEvent, ProtocolMessage, TurnResult } from './events.js';
import { CONTENT_TYPES, type ResponseMode } from './response-mode.js';

export interface EventWriter {
  readonly mode: ResponseMode;
  /** Sends one event; a promise when the caller should wait for the socket to drain. */
  write(event: ProtocolEvent): Promise<void> | undefined;
  /** Finishes the response; idempotent. */
  end(): void;
}

export interface EventWriterOptions {
  mode: ResponseMode;
  response: ServerResponse;
  /** Extra headers, e.g. the request id. */
  headers?: Record<string, string>;
  /** Streaming modes only (COMPLETE_PING_INTERVAL_MS). */
  pingIntervalMs: number;
  /** How long a backed-up socket may take nothing before the response is destroyed (COMPLETE_WRITE_TIMEOUT_MS). */
  writeTimeoutMs: number;
  /** Told when a stalled response was destroyed. */
  onStalled?: () => void;
}

export function createEventWriter(options: EventWriterOptions): EventWriter {
  return options.mode === 'json' ? new JsonWriter(options) : new StreamWriter(options);
}

/**
 * Destroys a response whose socket stays backed up for `timeoutMs`: written data it does not
 * take (`drain`), or an ended response it does not finish sending (`finish`).
 */
class StallGuard {
  readonly #response: ServerResponse;
  readonly #timeoutMs: number;
  readonly #onStalled: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(response: ServerResponse, timeoutMs: number, onStalled: (() => void) | undefined) {
    this.#response = response;
    this.#timeoutMs = timeoutMs;
    this.#onStalled = onStalled;
    const settle = () => this.#clear();
    response.on('drain', settle);
    response.once('finish', settle);
    response.once('close', settle);
  }

  /** Call after a write that did not flow, and after `end()`: the clock runs until the socket takes it. */
  watch(): void {
    if (this.#timer || this.#response.destroyed || this.#response.writableFinished) return;
    const backedUp = this.#response.writableEnded || this.#response.writableNeedDrain;
    if (!backedUp) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#response.destroyed || this.#response.writableFinished) return;
      this.#onStalled?.();
      this.#response.destroy(new Error(`the client took nothing for ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

class StreamWriter implements EventWriter {
  readonly mode: ResponseMode;
  readonly #response: ServerResponse;
  readonly #ping: NodeJS.Timeout;
  readonly #guard: StallGuard;
  #ended = false;
  #firstTokenSent = false;

  constructor(options: EventWriterOptions) {
    this.mode = options.mode;
    this.#response = options.response;
    this.#guard = new StallGuard(options.response, options.writeTimeoutMs, options.onStalled);
    this.#response.writeHead(200, {
      ...options.headers,
      'content-type': CONTENT_TYPES[options.mode],
      'cache-control': 'no-cache, no-transform',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.#ping = setInterval(() => void this.write({ type: 'ping', data: {} }), options.pingIntervalMs);
    this.#response.once('close', () => this.#stop());
  }

  write(event: ProtocolEvent): Promise<void> | undefined {
    if (this.#ended || this.#response.destroyed) return undefined;
    const chunk = this.mode === 'sse' ? sseChunk(event) : jsonlChunk(event);
    const flowing = this.#write(chunk, event.type === 'token');
    if (flowing) return undefined;
    this.#guard.watch();
    return new Promise((resolve) => {
      const done = () => {
        this.#response.off('drain', done);
        this.#response.off('close', done);
        resolve();
      };
      this.#response.on('drain', done);
      this.#response.on('close', done);
    });
  }

  end(): void {
    if (this.#ended) return;
    this.#stop();
    if (this.#response.destroyed) return;
    this.#response.end();
    this.#guard.watch();
  }

  /**
   * Node corks a response's socket on write and flushes it on the next tick, so every event
   * written in one tick leaves in one syscall. That batching is right for a stream (a model that
   * sends several chunks at once), but the first token must not wait for the rest of its burst
   * to be processed: it alone is flushed at once. Flushing the first event of every tick would
   * cost a second syscall in each tick for no one's benefit.
   */
  #write(chunk: string, isToken: boolean): boolean {
    const flowing = this.#response.write(chunk);
    if (isToken && !this.#firstTokenSent) {
      this.#firstTokenSent = true;
      this.#response.socket?.uncork();
    }
    return flowing;
  }

  #stop(): void {
    this.#ended = true;
    clearInterval(this.#ping);
  }
}

/**
 * One event as an SSE block or a JSON line. Tokens, most of a stream, are built around the
 * token's own JSON string: the same bytes as stringifying the event, without walking an object.
 */
function sseChunk(event: ProtocolEvent): string {
  if (event.type === 'token') return `event: token\ndata: {"token":${JSON.stringify(event.data.token)}}\n\n`;
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function jsonlChunk(event: ProtocolEvent): string {
  if (event.type === 'token') return `{"type":"token","data":{"token":${JSON.stringify(event.data.token)}}}\n`;
  return `${JSON.stringify(event)}\n`;
}

/** Collects the turn and answers with one JSON object at the end. */
class JsonWriter implements EventWriter {
  readonly mode: ResponseMode = 'json';
  readonly #response: ServerResponse;
  readonly #guard: StallGuard;
  readonly #headers: Record<string, string>;
  readonly #messages: ProtocolMessage[] = [];
  #result: TurnResult | undefined;
  #error: { code: string; message: string } | undefined;
  #ended = false;

  constructor(options: EventWriterOptions) {
    this.#response = options.response;
    this.#guard = new StallGuard(options.response, options.writeTimeoutMs, options.onStalled);
    this.#headers = options.headers ?? {};
  }

  write(event: ProtocolEvent): undefined {
    if (event.type === 'result') this.#result = event.data;
    else if (event.type === 'message') this.#messages.push(event.data);
    else if (event.type === 'error') this.#error = event.data;
    return undefined;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#response.destroyed) return;
    let status = 200;
    let body: unknown;
    if (this.#error) {
      status = this.#error.code === 'MODERATION_FLAGGED' ? 422 : 500;
      body = errorBody(this.#error.code, this.#error.message);
    } else {
      const result = this.#result ?? { text: '', usage: { token: 0 }, end: { reason: 'error' } };
      body = this.#messages.length > 0 ? { ...result, messages: this.#messages } : result;
    }
    const json = JSON.stringify(body);
    this.#response.writeHead(status, {
      ...this.#headers,
      'content-type': CONTENT_TYPES.json,
      'content-length': String(Buffer.byteLength(json)),
    });
    this.#response.end(json);
    this.#guard.watch();
  }
}
