/**
 * Stream Chat's client WebSocket (`/connect`), as the `stream-chat` client speaks it: the
 * upgrade's query carries `api_key`, `authorization` (the user's JWT, HS256 with the API
 * secret), `stream-auth-type=jwt` and `json` ({ user_id, user_details, client_request_id }).
 * A good handshake is answered with a `health.check` event carrying `connection_id` and `me`
 * (the client resolves `connectUser` on it); a bad one with a `connection.error` event and a
 * close with code 1000, which the client takes as final (`connectUser` rejects, no retry).
 * The client pings with `[{ type: 'health.check' }]` and is answered with a health check.
 *
 * A socket watches the channels its client queried with `watch: true` (passing its
 * `connection_id`); events of a channel go to the sockets watching it. Tests can drop every
 * socket abruptly (the client reconnects by itself, with backoff) and refuse new upgrades for a
 * while (answered with 503, as an unavailable edge does).
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyJwt } from '../stream-video/jwt.js';
import { chatError } from './chat-payloads.js';
import { clientEvent } from '../support/client-event.js';

/** An open chat connection, as the server sees it. */
export interface ChatSocket {
  /** The `connection_id` the client passes with its requests. */
  readonly connectionId: string;
  /** Whom the handshake's token is for. */
  readonly userId: string;
  /** The channels (cids) this connection watches. */
  readonly watching: ReadonlySet<string>;
}

export interface ChatSocketsContext {
  apiKey: string;
  apiSecret: string;
  /** Upserts the connecting user from its `user_details` and returns it as `me`. */
  connectUser(userId: string, details: Record<string, unknown>): Record<string, unknown>;
  /** Something a test may wait for changed (a socket opened, closed, or was refused). */
  changed(): void;
}

interface OpenSocket extends ChatSocket {
  readonly ws: WebSocket;
  readonly watching: Set<string>;
}

export class ChatSockets {
  /** While true, upgrades to `/connect` are refused with 503. */
  refusing = false;
  /** Upgrades refused while `refusing` was set. */
  refusedUpgrades = 0;
  readonly #context: ChatSocketsContext;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #open = new Map<string, OpenSocket>();
  #closed = false;

  constructor(context: ChatSocketsContext) {
    this.#context = context;
  }

  /** Open connections that passed the handshake, in the order they opened. */
  get list(): ChatSocket[] {
    return [...this.#open.values()].map(({ connectionId, userId, watching }) => ({ connectionId, userId, watching: new Set(watching) }));
  }

  /** Takes the upgrade when it is for `/connect`; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/connect') return false;
    if (this.refusing || this.#closed) {
      if (this.refusing) this.refusedUpgrades++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      this.#context.changed();
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, url));
    return true;
  }

  /** Makes the connection a watcher of `cid`; false when it is not an open connection of `userId`. */
  watch(connectionId: string, userId: string, cid: string): boolean {
    const open = this.#open.get(connectionId);
    if (!open || open.userId !== userId) return false;
    open.watching.add(cid);
    this.#context.changed();
    return true;
  }

  unwatch(connectionId: string, cid: string): void {
    this.#open.get(connectionId)?.watching.delete(cid);
    this.#context.changed();
  }

  /** User ids watching `cid`, one per user. */
  watchers(cid: string): string[] {
    return [...new Set([...this.#open.values()].filter((open) => open.watching.has(cid)).map((open) => open.userId))];
  }

  /** Sends `event` to every connection watching `cid` (only `userId`'s, when given). */
  broadcast(cid: string, event: Record<string, unknown>, userId?: string): void {
    const frame = JSON.stringify(event);
    for (const open of this.#open.values()) {
      if (open.watching.has(cid) && (userId === undefined || open.userId === userId)) open.ws.send(frame);
    }
  }

  /** Terminates every connection without a close frame, as a broken network does. */
  dropAll(): void {
    for (const open of this.#open.values()) open.ws.terminate();
    this.#open.clear();
    this.#context.changed();
  }

  /** Terminates every connection and refuses new ones. Idempotent. */
  close(): void {
    this.#closed = true;
    this.dropAll();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  #accept(ws: WebSocket, url: URL): void {
    const connectionId = randomUUID();
    const rejection = this.#authenticate(url);
    if ('error' in rejection) {
      ws.send(JSON.stringify({ type: 'connection.error', connection_id: '', created_at: new Date().toISOString(), error: rejection.error }));
      ws.close(1000, String(rejection.error.message));
      return;
    }
    const me = this.#context.connectUser(rejection.userId, rejection.details);
    const open: OpenSocket = { connectionId, userId: rejection.userId, watching: new Set(), ws };
    this.#open.set(connectionId, open);
    ws.on('message', (raw) => {
      if (clientEvent(raw)?.type === 'health.check') ws.send(JSON.stringify(healthCheck(connectionId)));
    });
    ws.on('close', () => {
      if (this.#open.get(connectionId)?.ws === ws) {
        this.#open.delete(connectionId);
        this.#context.changed();
      }
    });
    ws.send(JSON.stringify({ ...healthCheck(connectionId), me }));
    this.#context.changed();
  }

  #authenticate(url: URL): { userId: string; details: Record<string, unknown> } | { error: Record<string, unknown> } {
    const query = url.searchParams;
    if (query.get('api_key') !== this.#context.apiKey) return { error: chatError(401, 2, `api_key not found`) };
    if (query.get('stream-auth-type') !== 'jwt') return { error: chatError(401, 5, 'WS failed with error: "stream-auth-type must be jwt"') };
    let payload: { user_id?: unknown; user_details?: Record<string, unknown> };
    try {
      payload = JSON.parse(query.get('json') ?? '{}') as typeof payload;
    } catch {
      return { error: chatError(400, 4, 'WS failed with error: "json parameter is not valid JSON"') };
    }
    const verified = verifyJwt(query.get('authorization') ?? '', this.#context.apiSecret);
    if ('error' in verified) {
      const code = verified.error === 'token expired' ? 40 : verified.error === 'bad signature' ? 43 : 5;
      return { error: chatError(401, code, `WS failed with error: "JWTAuth error: ${verified.error}"`) };
    }
    const userId = typeof payload.user_id === 'string' ? payload.user_id : String(payload.user_details?.id ?? '');
    if (!userId || verified.claims.user_id !== userId) {
      return { error: chatError(401, 5, `WS failed with error: "JWTAuth error: the token's user_id does not match user_id ${userId}"`) };
    }
    return { userId, details: payload.user_details ?? {} };
  }
}

function healthCheck(connectionId: string): Record<string, unknown> {
  return { type: 'health.check', connection_id: connectionId, cid: '*', created_at: new Date().toISOString() };
}
