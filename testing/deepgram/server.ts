/**
 * A fake Deepgram live transcription server on 127.0.0.1, for tests and benchmarks. The real
 * SDK (`@deepgram/sdk` `client.listen.v1.connect`) reaches it through `baseUrl`; it speaks the
 * documented /v1/listen protocol: query parameters, binary audio frames in, JSON `Results`,
 * `SpeechStarted`, `UtteranceEnd` and `Metadata` out, `KeepAlive`, `Finalize` and `CloseStream`
 * from the client (see connection.ts for the timing, which follows the received audio).
 *
 *   const fake = await FakeDeepgram.start();          // apiKey 'test-key'
 *   new DeepgramSTT({ apiKey: fake.apiKey, baseUrl: fake.baseUrl })
 *   fake.script.utterances.push({ text: 'Hello there.', startMs: 300, endMs: 1100 });
 *   await fake.waitFor(() => fake.latest?.closeStreams);
 *   await fake.close();
 *
 * Auth as the service takes it: `Authorization: Token <key>` (Node), or the subprotocols
 * `token, <key>` (browsers). A missing or wrong key is refused before the upgrade with HTTP 401
 * and a JSON body, like the real one; `refuseNext(count, status)` refuses the next upgrades with
 * any status (503: the service unavailable). Paths other than /v1/listen get 404; a socket
 * with an `encoding` other than `linear16`, or none, gets 400 (the fake decodes nothing else).
 * Per socket (`fake.connections`, `fake.latest`): `drop()` (no close frame: the client sees
 * 1006), `close(code, reason)`, `send(message)`, and what it recorded: `query`, `key`,
 * `authScheme`, `audio` / `bytesReceived` / `audioMs`, `keepAlives`, `finalizes`,
 * `closeStreams`, `sent`, `closedBy`, `closeCode`. `script.latencyMs` delays every answer;
 * `onMessage` sees each message as it goes out.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ChangeWaiters } from '../support/change-waiters.js';
import { FakeDeepgramConnection } from './connection.js';
import { defaultDeepgramScript, type FakeDeepgramScript } from './script.js';

export const LISTEN_PATH = '/v1/listen';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

export class FakeDeepgram {
  readonly apiKey: string;
  /** `ws://127.0.0.1:<port>`: the SDK's `baseUrl`. */
  readonly baseUrl: string;
  /** Copied by each socket as it opens; change it any time for the sockets that follow. */
  script: FakeDeepgramScript = defaultDeepgramScript();
  readonly connections: FakeDeepgramConnection[] = [];
  /** Called as each message goes out, with its socket (benchmarks take `performance.now()` here). */
  onMessage: ((message: Record<string, unknown>, connection: FakeDeepgramConnection) => void) | undefined;
  /** Upgrade requests refused, with their status. */
  readonly refused: { status: number; path: string }[] = [];

  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #waiters = new ChangeWaiters('FakeDeepgram', 10_000);
  #refuse = { count: 0, status: 503 };

  private constructor(server: http.Server, wss: WebSocketServer, apiKey: string) {
    this.#server = server;
    this.#wss = wss;
    this.apiKey = apiKey;
    this.baseUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: { apiKey?: string } = {}): Promise<FakeDeepgram> {
    const server = http.createServer((_request, response) => response.writeHead(404).end());
    // Browsers send the key as the subprotocols `token, <key>`; the handshake must then pick one.
    const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeDeepgram(server, wss, options.apiKey ?? 'test-key');
    server.on('upgrade', (request, socket, head) => fake.#upgrade(request, socket, head));
    return fake;
  }

  /** The most recent connection. */
  get latest(): FakeDeepgramConnection | undefined {
    return this.connections.at(-1);
  }

  /** Sockets open now. */
  get openCount(): number {
    return this.connections.filter((connection) => connection.open).length;
  }

  /** Refuses the next `count` upgrades with `status` (e.g. 503, 429), before checking the key. */
  refuseNext(count: number, status: number): void {
    this.#refuse = { count, status };
  }

  /** Resolves with what `condition` returns once it is truthy, re-checked whenever the fake records something. */
  waitFor<T>(condition: () => T | undefined | null | false | 0, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    return this.#waiters.waitFor(condition, options);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.drop();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  changed(): void {
    this.#waiters.changed();
  }

  sentMessage(message: Record<string, unknown>, connection: FakeDeepgramConnection): void {
    this.onMessage?.(message, connection);
  }

  #upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const [rawPath = '/', query = ''] = (request.url ?? '/').split('?', 2);
    const path = rawPath.replace(/\/{2,}/g, '/');
    if (path !== LISTEN_PATH) return this.#reject(socket, 404, path, { err_code: 'NOT_FOUND', err_msg: 'Not found.' });
    if (this.#refuse.count > 0) {
      this.#refuse.count--;
      return this.#reject(socket, this.#refuse.status, path, { err_code: 'UNAVAILABLE', err_msg: 'The service is unavailable, try again.' });
    }
    const auth = readKey(request);
    if (auth?.key !== this.apiKey) {
      return this.#reject(socket, 401, path, { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' });
    }
    const params = new URLSearchParams(query);
    if (params.get('encoding') !== 'linear16' || !Number(params.get('sample_rate'))) {
      return this.#reject(socket, 400, path, { err_code: 'Bad Request', err_msg: 'The fake decodes encoding=linear16 with a sample_rate only.' });
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.connections.push(new FakeDeepgramConnection(ws, { path, query: params, key: auth.key, authScheme: auth.scheme, script: this.script, host: this }));
      this.changed();
    });
  }

  #reject(socket: Duplex, status: number, path: string, body: { err_code: string; err_msg: string }): void {
    this.refused.push({ status, path });
    const requestId = randomUUID();
    const json = JSON.stringify({ ...body, request_id: requestId });
    // The service's failed upgrades carry dg-request-id and dg-error, and the error again in the body.
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: application/json\r\ndg-request-id: ${requestId}\r\ndg-error: ${body.err_msg}\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
    );
    this.changed();
  }
}

/** The key from `Authorization: Token <key>`, or from the subprotocols `token, <key>`. */
function readKey(request: http.IncomingMessage): { key: string; scheme: 'header' | 'subprotocol' } | undefined {
  const header = request.headers.authorization;
  const match = header ? /^token\s+(.+)$/i.exec(header.trim()) : null;
  if (match?.[1]) return { key: match[1], scheme: 'header' };
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((protocol) => protocol.trim());
  const index = protocols.indexOf('token');
  const key = index >= 0 ? protocols[index + 1] : undefined;
  return key ? { key, scheme: 'subprotocol' } : undefined;
}
