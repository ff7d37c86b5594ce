/**
 * A fake ElevenLabs text-to-speech WebSocket server on 127.0.0.1, for tests and benchmarks.
 * Code under test reaches it through its base-URL option; it speaks the stream-input protocol
 * (see connection.ts) on `/v1/text-to-speech/{voice_id}/stream-input`; other paths get 404.
 *
 *   const fake = await FakeElevenLabs.start();            // apiKey 'test-key'
 *   new ElevenLabsTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl })
 *   await fake.waitFor(() => fake.latest?.finalSent);
 *   fake.latest?.texts                                     // what the client sent
 *   await fake.close();
 *
 * `fake.options` (change them any time): `msPerChar` (60), `chunkMs` (100), `firstByteDelayMs`
 * (0), `chunkIntervalMs` (0). Per connection (`fake.connections`, `fake.latest`): what it
 * recorded (`voiceId`, `query`, `key`, `messages`, `texts`, `voiced`, `voiceSettings`,
 * `generationConfig`, `audioMsSent`, `ended`, `finalSent`, `open`, `closeCode`, `closedBy`),
 * `drop(code, reason)` (a close frame from the server) and `kill()` (the socket cut: 1006).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ChangeWaiters } from '../support/change-waiters.js';
import { FakeElevenLabsConnection, type FakeElevenLabsBehaviour, type FakeElevenLabsHost } from './connection.js';

const STREAM_INPUT_PATH = /^\/v1\/text-to-speech\/([^/]+)\/stream-input$/;

export interface FakeElevenLabsOptions extends Partial<FakeElevenLabsBehaviour> {
  /** The key clients must send. Default `test-key`. */
  apiKey?: string;
}

export class FakeElevenLabs implements FakeElevenLabsHost {
  readonly apiKey: string;
  /** `http://127.0.0.1:<port>`: what the client's `baseUrl` option takes. */
  readonly baseUrl: string;
  readonly options: FakeElevenLabsBehaviour;
  readonly connections: FakeElevenLabsConnection[] = [];

  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #waiters = new ChangeWaiters('FakeElevenLabs', 10_000);

  private constructor(server: http.Server, wss: WebSocketServer, options: FakeElevenLabsOptions) {
    this.#server = server;
    this.#wss = wss;
    this.apiKey = options.apiKey ?? 'test-key';
    this.options = {
      msPerChar: options.msPerChar ?? 60,
      chunkMs: options.chunkMs ?? 100,
      firstByteDelayMs: options.firstByteDelayMs ?? 0,
      chunkIntervalMs: options.chunkIntervalMs ?? 0,
    };
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
    const server = http.createServer((_request, response) => response.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeElevenLabs(server, wss, options);
    server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const match = STREAM_INPUT_PATH.exec(url.pathname);
      if (!match) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        const voiceId = decodeURIComponent(match[1] as string);
        fake.connections.push(new FakeElevenLabsConnection(ws, voiceId, url.searchParams, request.headers, fake));
        fake.changed();
      });
    });
    return fake;
  }

  /** The most recent connection. */
  get latest(): FakeElevenLabsConnection | undefined {
    return this.connections.at(-1);
  }

  /** Sockets open now. */
  get openCount(): number {
    return this.connections.filter((connection) => connection.open).length;
  }

  /** Resolves with the first truthy value of `condition`, re-checked whenever the fake records something. */
  waitFor<T>(condition: () => T | undefined | null | false | 0, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    return this.#waiters.waitFor(condition, options);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.kill();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  changed(): void {
    this.#waiters.changed();
  }
}
