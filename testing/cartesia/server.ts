/**
 * A fake Cartesia text-to-speech WebSocket on 127.0.0.1, for tests and benchmarks. Written from
 * Cartesia's WebSocket reference and @cartesia/cartesia-js (`resources/tts.ts` for the message
 * shapes, `internal/lib/tts/ws.ts` and `internal/client-identity.ts` for the handshake).
 *
 *   const fake = await FakeCartesia.start();               // apiKey 'test-key'
 *   new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl })
 *   await fake.waitFor(() => fake.context(id)?.done);
 *   await fake.close();
 *
 * Path `/tts/websocket`; others get HTTP 404. The handshake is checked as the service checks it:
 * the key from `Authorization: Bearer <key>` (what the SDK sends from Node), `X-API-Key`, or the
 * `api_key` query parameter (what it sends from a browser); the API version from the
 * `Cartesia-Version` header or the `cartesia_version` query parameter. A missing or wrong key is
 * refused with HTTP 401, a missing version with HTTP 400, before the upgrade.
 *
 * Behaviour (see connection.ts; `fake.behaviour` can change at any time): per `context_id`,
 * inputs with `continue: true` are continuations. Text is spoken up to its last whitespace (all
 * of it when it ends a sentence); the rest waits for the next input, a `flush` (answered with
 * `flush_done` and its `flush_id`), or the final input (`continue: false`, or none), after which
 * `done` is sent. Speech is a tone per piece, `msPerCharacter` (60) ms per character at the
 * requested `sample_rate`, in `chunkMs` chunks (`chunkIntervalMs` apart, the first after
 * `firstByteDelayMs`), preceded by a `timestamps` event (seconds from the start of the context's
 * audio) when `add_timestamps`. A context that has said everything expires `contextExpiryMs`
 * (1 s) after its last chunk; the service documents a later input as not supported, and the fake
 * answers it with an `error` event (400, "Context expired"), or with nothing
 * (`expiredInput: 'ignore'`). `{ cancel: true, context_id }` stops a context at once.
 * `dropConnections()` ends every socket without a close frame; a connection's
 * `dropOnNextMessage` ends it when its next message arrives. What arrived is in `requests`
 * (every client message, in order), refused handshakes in `refused`. With `tls` it serves
 * `wss://` (the SDK's own client connects with nothing else).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FakeCartesiaConnection, type FakeCartesiaBehaviour, type FakeCartesiaContext, type FakeCartesiaHost } from './connection.js';

export const CARTESIA_TTS_PATH = '/tts/websocket';

export interface FakeCartesiaOptions extends Partial<FakeCartesiaBehaviour> {
  /** The key the fake accepts; default `test-key`. */
  apiKey?: string;
  /**
   * Serve `wss://` with this certificate instead of `ws://`: the SDK's own socket client always
   * connects with `wss`, so a test of the SDK against the fake needs TLS (trusting `cert` as `ca`).
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** A client message as the fake received it, with the index of its connection. */
export interface FakeCartesiaRequest {
  connection: number;
  message: Record<string, unknown>;
}

export class FakeCartesia implements FakeCartesiaHost {
  readonly apiKey: string;
  /** `ws://127.0.0.1:<port>` (`wss://` with `tls`): the `baseUrl` to give the client. */
  readonly baseUrl: string;
  /** Change any time; read when the next piece is spoken. */
  readonly behaviour: FakeCartesiaBehaviour;
  readonly connections: FakeCartesiaConnection[] = [];
  readonly requests: FakeCartesiaRequest[] = [];
  /** Handshakes refused (401/400), with the status sent. */
  readonly refused: Array<{ status: number }> = [];

  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #waiters = new Set<() => void>();

  private constructor(server: http.Server, wss: WebSocketServer, options: FakeCartesiaOptions) {
    this.#server = server;
    this.#wss = wss;
    this.apiKey = options.apiKey ?? 'test-key';
    this.baseUrl = `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.behaviour = {
      msPerCharacter: options.msPerCharacter ?? 60,
      chunkMs: options.chunkMs ?? 40,
      firstByteDelayMs: options.firstByteDelayMs ?? 0,
      chunkIntervalMs: options.chunkIntervalMs ?? 0,
      contextExpiryMs: options.contextExpiryMs ?? 1000,
      expiredInput: options.expiredInput ?? 'error',
    };
  }

  static async start(options: FakeCartesiaOptions = {}): Promise<FakeCartesia> {
    const notFound = (_request: http.IncomingMessage, response: http.ServerResponse) => response.writeHead(404).end();
    const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, notFound) : http.createServer(notFound);
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeCartesia(server, wss, options);
    server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      if (url.pathname !== CARTESIA_TTS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const refusal = fake.#checkHandshake(request.headers, url.searchParams);
      if (refusal) {
        fake.refused.push({ status: refusal.status });
        fake.changed();
        const body = JSON.stringify({ error: refusal.message });
        socket.end(
          `HTTP/1.1 ${refusal.status} ${refusal.status === 401 ? 'Unauthorized' : 'Bad Request'}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        fake.connections.push(new FakeCartesiaConnection(ws, { ...request.headers }, url.searchParams, fake));
        fake.changed();
      });
    });
    return fake;
  }

  #checkHandshake(headers: http.IncomingHttpHeaders, query: URLSearchParams): { status: number; message: string } | undefined {
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
    const apiKeyHeader = headers['x-api-key'];
    const key = bearer ?? (typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined) ?? query.get('api_key') ?? undefined;
    if (key !== this.apiKey) return { status: 401, message: 'Invalid API key' };
    const version = headers['cartesia-version'] ?? query.get('cartesia_version');
    if (!version) return { status: 400, message: 'Cartesia-Version is required' };
    return undefined;
  }

  /** The context with this id, on any connection. */
  context(contextId: string): FakeCartesiaContext | undefined {
    for (const connection of this.connections) {
      const context = connection.contexts.get(contextId);
      if (context) return context;
    }
    return undefined;
  }

  /** Transcripts of a context in the order they arrived. */
  transcriptsOf(contextId: string): string[] {
    return this.context(contextId)?.transcripts ?? [];
  }

  /** Ends every open socket without a close frame, as a network drop would. */
  dropConnections(): void {
    for (const connection of this.connections) if (!connection.closed) connection.drop();
  }

  /** Open sockets. */
  get openCount(): number {
    return this.connections.filter((connection) => !connection.closed).length;
  }

  record(message: unknown, connection: FakeCartesiaConnection): void {
    this.requests.push({ connection: this.connections.indexOf(connection), message: message as Record<string, unknown> });
  }

  changed(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves once `condition` holds (checked whenever the fake's state changes); fails after `timeoutMs`. */
  waitFor(condition: () => unknown, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`FakeCartesia: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.changed();
  }
}
