/**
 * A local Gemini API server for tests and benchmarks: it speaks the wire protocol the
 * `@google/genai` SDK uses, on 127.0.0.1, so the project's real code talks to it through
 * `baseUrl` (GeminiLLM's option, or GOOGLE_GEMINI_BASE_URL).
 *
 * Routes:
 *   POST /v1beta/models/{model}:streamGenerateContent?alt=sse  → SSE, `data: <GenerateContentResponse>\r\n\r\n`
 *   POST /v1beta/models/{model}:generateContent                 → one GenerateContentResponse JSON
 *   (any /v1*\/ version prefix is accepted; anything else is a 404 in Gemini's error shape)
 *
 * Usage:
 *   const fake = new FakeGemini();               // or new FakeGemini({ apiKey: 'k' }) to reject other keys (400)
 *   const baseUrl = await fake.start();          // http://127.0.0.1:<port>
 *   fake.script({ text: 'Hello there', chunks: 3, delayMs: 5 });    // every request gets this answer
 *   fake.script([{ functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] }, { text: 'Sunny' }]);
 *                                                // request n gets reply n (the last one repeats)
 *   fake.script((request) => ({ text: `You said ${JSON.stringify(request.body.contents)}` }));
 *   fake.failFirst(2, { status: 429, retryDelayS: 0.01, retryAfterS: 1 }); // the next 2 requests fail, then the script runs
 *   fake.requests                                // every request: path, model, action, apiKey, headers, parsed body
 *   fake.openStreams                             // SSE responses still open right now
 *   await fake.waitFor(() => fake.openStreams === 0);
 *   await fake.close();                          // ends held streams, closes sockets
 *
 * A reply (see `replies.ts`) is either an answer — text cut into chunks with an optional delay
 * between them, function calls, finish reason, usage, a prompt block (`blockReason`), and after
 * the chunks optionally `hold` (stay open), `streamError` (an in-stream error event) or
 * `dropConnection` — or `{ error: { status, message?, retryAfterS?, retryDelayS? } }`.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerChunks, answerWhole, errorBody, isFakeError, type FakeError, type FakeReply } from './replies.js';

export interface FakeGeminiRequest {
  method: string;
  path: string;
  /** The model in the path, e.g. 'gemini-2.5-flash'. */
  model: string;
  action: 'streamGenerateContent' | 'generateContent';
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The `x-goog-api-key` header (or `?key=`). */
  apiKey: string | undefined;
  /** The parsed JSON body: `contents`, `systemInstruction`, `tools`, `generationConfig`, `safetySettings`… */
  body: any;
}

export type FakeScript = (request: FakeGeminiRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeGeminiOptions {
  /** When set, requests with another key get Gemini's 400 "API key not valid". */
  apiKey?: string;
}

const ROUTE = /^\/v1[a-z0-9]*\/models\/([^:/]+):(streamGenerateContent|generateContent)$/;

export class FakeGemini {
  /** Every request received, in order. */
  readonly requests: FakeGeminiRequest[] = [];
  #openStreams = 0;
  #script: FakeScript = () => ({ text: 'ok' });
  #scriptCalls = 0;
  #failures: FakeError[] = [];
  #server: Server | undefined;
  readonly #closing = new AbortController();
  readonly #apiKey: string | undefined;

  constructor(options: FakeGeminiOptions = {}) {
    this.#apiKey = options.apiKey;
  }

  /** SSE responses currently open (a client that aborts closes its own). */
  get openStreams(): number {
    return this.#openStreams;
  }

  /** Starts listening on a free port of 127.0.0.1; returns the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy());
    });
    this.#server = server;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** What to answer: one reply for every request, a list (the last repeats) or a function. */
  script(script: FakeReply | FakeReply[] | FakeScript): this {
    this.#scriptCalls = 0;
    if (typeof script === 'function') this.#script = script;
    else if (Array.isArray(script)) this.#script = (_request, i) => script[Math.min(i, script.length - 1)]!;
    else this.#script = () => script;
    return this;
  }

  /** The next `count` requests get this HTTP error; the script answers the ones after. */
  failFirst(count: number, error: FakeError['error']): this {
    for (let i = 0; i < count; i++) this.#failures.push({ error });
    return this;
  }

  /** Forgets the recorded requests and queued failures. */
  reset(): this {
    this.requests.length = 0;
    this.#failures = [];
    this.#scriptCalls = 0;
    return this;
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`FakeGemini.waitFor: condition not met within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    this.#closing.abort();
    const server = this.#server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = ROUTE.exec(url.pathname);
    if (req.method !== 'POST' || !route) return sendJson(res, 404, errorBody(404, `fake Gemini has no route ${req.method} ${url.pathname}`));

    let body: unknown;
    try {
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return sendJson(res, 400, errorBody(400, 'Invalid JSON payload received.'));
    }
    const headerKey = req.headers['x-goog-api-key'];
    const request: FakeGeminiRequest = {
      method: req.method,
      path: url.pathname,
      model: decodeURIComponent(route[1]!),
      action: route[2] as FakeGeminiRequest['action'],
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      apiKey: (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? url.searchParams.get('key') ?? undefined,
      body,
    };
    this.requests.push(request);

    if (this.#apiKey !== undefined && request.apiKey !== this.#apiKey) {
      return sendJson(res, 400, errorBody(400, 'API key not valid. Please pass a valid API key.'));
    }
    let reply: FakeReply;
    try {
      reply = this.#failures.shift() ?? (await this.#script(request, this.#scriptCalls++));
    } catch (error) {
      return sendJson(res, 500, errorBody(500, `fake Gemini script failed: ${(error as Error).message}`));
    }
    if (isFakeError(reply)) {
      const { status, message, retryAfterS, retryDelayS } = reply.error;
      const headers: Record<string, string> = retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) };
      return sendJson(res, status, errorBody(status, message, retryDelayS), headers);
    }
    if (request.action === 'generateContent') {
      if (reply.delayMs) await this.#pause(reply.delayMs, res);
      return sendJson(res, 200, answerWhole(reply, request.model));
    }
    await this.#stream(res, reply, request.model);
  }

  async #stream(res: ServerResponse, reply: Exclude<FakeReply, FakeError>, model: string): Promise<void> {
    this.#openStreams++;
    res.once('close', () => this.#openStreams--);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunks = answerChunks(reply, model);
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0 && reply.delayMs) await this.#pause(reply.delayMs, res);
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    }
    if (reply.streamError) {
      const { status, message } = reply.streamError;
      res.end(`data: ${JSON.stringify(errorBody(status, message))}\r\n\r\n`);
    } else if (reply.dropConnection) {
      res.socket?.destroy();
    } else if (reply.endless !== undefined) {
      const [more] = answerChunks({ text: reply.endless, finishReason: null, usage: null }, model);
      const line = `data: ${JSON.stringify(more)}\r\n\r\n`;
      while (!res.destroyed && !this.#closing.signal.aborted) {
        if (!res.write(line)) await this.#drained(res);
        await this.#pause(reply.delayMs ?? 1, res);
      }
    } else if (reply.hold) {
      // Held until the client goes away (its abort closes `res`) or the fake closes.
      await this.#pause(Number.MAX_SAFE_INTEGER, res);
      res.end();
    } else {
      res.end();
    }
  }

  /** Waits until the socket takes more, the response closes or the fake shuts down. */
  async #drained(res: ServerResponse): Promise<void> {
    const stop = AbortSignal.any([this.#closing.signal, closedSignal(res)]);
    await once(res, 'drain', { signal: stop }).catch(() => undefined);
  }

  /** Waits `ms`, or less if the response closes or the fake shuts down. */
  async #pause(ms: number, res: ServerResponse): Promise<void> {
    const stop = AbortSignal.any([this.#closing.signal, closedSignal(res)]);
    // Timers cap at 2^31-1 ms; a longer pause is just "until stopped".
    await sleep(Math.min(ms, 2 ** 31 - 1), undefined, { signal: stop }).catch(() => undefined);
  }
}

function closedSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed || res.writableFinished) controller.abort();
  else res.once('close', () => controller.abort());
  return controller.signal;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}
