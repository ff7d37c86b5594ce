/**
 * A local Stream Video for tests and benchmarks: one HTTP server on 127.0.0.1 that is the
 * video coordinator (`/video/connect` WebSocket, `/video/call/...` REST, the location hint),
 * the SFU (`/sfu/ws` protobuf WebSocket, `/sfu/twirp/...` Twirp JSON, wrtc peers on the
 * server side) and, when given a FakeStreamApi, the REST API under `/api/v2/` and Stream Chat
 * for the `stream-chat` client (its `/connect` WebSocket and root-path routes).
 *
 *   const fake = await FakeStreamVideo.start({ apiKey, apiSecret, api });
 *   // point the code under test at fake.baseUrl (REST), fake.videoBaseUrl, fake.locationHintUrl
 *   const human = fake.call('c1').addParticipant({ userId: 'alice' });
 *   void human.playTone(440, 1000);
 *   await fake.call('c1').recording('agent').waitFor((r) => r.frames.length > 100);
 *   await fake.close();
 *
 * Several calls and several joined clients per call are supported. The SFU does not forward
 * one client's media to another: clients hear the scripted participants, and what clients
 * publish is recorded per user.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AudioClock } from './audio-clock.js';
import { Coordinator, send } from './coordinator.js';
import { FakeCall } from './fake-call.js';
import { signJwt } from './jwt.js';
import { SfuSignal } from './sfu-signal.js';

/** The part of testing/stream-api's FakeStreamApi this server delegates to. */
export interface RestApiHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Registers a user of the app (a scripted participant), as connecting to Stream does. */
  addUser?(id: string, user?: { name?: string }): void;
  /** Takes a WebSocket upgrade it serves (Stream Chat's `/connect`); false for other paths. */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Terminates the sockets it holds, when the server closes. */
  closeSockets?(): void;
}

export interface FakeStreamVideoOptions {
  apiKey: string;
  apiSecret: string;
  /** Serves the REST routes (`/api/v2/...`: users, calls, chat) when given. */
  api?: RestApiHandler;
  /** How long a session whose signal socket dropped can be resumed. Default 30 s (the SFU's). */
  fastReconnectDeadlineSeconds?: number;
}

export class FakeStreamVideo {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** `METHOD /path` of every HTTP request and WebSocket upgrade, in order. */
  readonly requests: string[] = [];
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<Socket>();
  readonly #calls = new Map<string, FakeCall>();
  readonly #clock = new AudioClock();
  readonly #coordinator: Coordinator;
  readonly #sfu: SfuSignal;
  readonly #api: RestApiHandler | undefined;
  readonly #sfuSecret = randomUUID();
  #baseUrl = '';
  #closed = false;

  private constructor(options: FakeStreamVideoOptions) {
    this.apiKey = options.apiKey;
    this.apiSecret = options.apiSecret;
    this.#api = options.api;
    this.#coordinator = new Coordinator({
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      call: (type, id) => this.call(id, type),
      sfuToken: (userId, call) => signJwt({ user_id: userId, call_cid: call.cid, iat: Math.floor(Date.now() / 1000) }, this.#sfuSecret),
      sfuUrls: () => ({ twirpUrl: `${this.#baseUrl}/sfu/twirp`, wsUrl: `${this.#wsBaseUrl()}/sfu/ws` }),
    });
    this.#sfu = new SfuSignal({
      sfuSecret: this.#sfuSecret,
      fastReconnectDeadlineSeconds: options.fastReconnectDeadlineSeconds ?? 30,
      findCall: (cid) => this.#calls.get(cid),
      user: (userId) => this.#coordinator.users.get(userId),
    });
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { message: String(error) });
        else res.destroy();
      });
    });
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket as Socket, head));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(options: FakeStreamVideoOptions): Promise<FakeStreamVideo> {
    const fake = new FakeStreamVideo(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#baseUrl = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** REST base for @stream-io/node-sdk's `basePath` (served by the FakeStreamApi, if any). */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The video client's `baseURL` (coordinator); its WebSocket URL is derived from it. */
  get videoBaseUrl(): string {
    return `${this.#baseUrl}/video`;
  }

  get locationHintUrl(): string {
    return `${this.#baseUrl}/hint`;
  }

  /** WebSocket connections (coordinator and SFU) open right now, as the server sees them. */
  get openWebSockets(): number {
    return this.#wss.clients.size;
  }

  /** The call `type:id`, created on first use (by a test or by a client joining). */
  call(id: string, type = 'default'): FakeCall {
    const cid = `${type}:${id}`;
    let call = this.#calls.get(cid);
    if (!call) {
      call = new FakeCall(type, id, {
        clock: this.#clock,
        onEnded: (ended) => this.#coordinator.callEnded(ended),
        onUser: (user) => this.#api?.addUser?.(user.id, { name: user.name }),
      });
      this.#calls.set(cid, call);
    }
    return call;
  }

  /** Closes every session, peer, socket and timer of the fake, then the server. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.close();
    for (const call of this.#calls.values()) call.close();
    this.#sfu.close();
    this.#coordinator.close();
    this.#api?.closeSockets?.();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #wsBaseUrl(): string {
    return this.#baseUrl.replace(/^http/, 'ws');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/hint') {
      // The client reads its edge location from this CloudFront header.
      res.writeHead(200, { 'x-amz-cf-pop': 'FAKE1-P1' });
      res.end();
      return;
    }
    if (url.pathname.startsWith('/video/')) {
      await readBody(req);
      this.#coordinator.handleHttp(req, res, url);
      return;
    }
    if (url.pathname.startsWith('/sfu/twirp/')) {
      const body = (await readBody(req)) as Record<string, unknown>;
      await this.#sfu.handleTwirp(req, res, url, body);
      return;
    }
    if (this.#api && (await this.#api.handle(req, res))) return;
    send(res, 404, { message: `the fake does not serve ${req.method} ${url.pathname}` });
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`WS ${url.pathname}`);
    // Stream Chat's client socket is served by the REST fake, which holds the chat state.
    if (url.pathname === '/connect' && !this.#closed && this.#api?.handleUpgrade?.(req, socket, head)) return;
    const route: ((ws: WebSocket) => void) | undefined =
      url.pathname === '/video/connect'
        ? (ws) => this.#coordinator.handleSocket(ws)
        : url.pathname === '/sfu/ws'
          ? (ws) => this.#sfu.handleSocket(ws)
          : undefined;
    if (!route || this.#closed) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, route);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
