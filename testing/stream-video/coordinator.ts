/**
 * The fake video coordinator: the client's WebSocket (`/video/connect`: auth → connection.ok,
 * health checks, call events) and the REST calls the video client makes under `/video/`
 * (join a call → SFU credentials, get a call). User tokens are checked against the API secret.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { clientEvent } from '../support/client-event.js';
import type { WebSocket } from 'ws';
import { callEndedEvent, connectionOk, getCallResponse, joinCallResponse, streamError, type UserInfo } from './call-payloads.js';
import type { FakeCall } from './fake-call.js';
import { verifyJwt } from './jwt.js';

export interface CoordinatorContext {
  apiKey: string;
  apiSecret: string;
  call(type: string, id: string): FakeCall;
  /** Signs the token the SFU will accept for this user in this call. */
  sfuToken(userId: string, call: FakeCall): string;
  sfuUrls(): { twirpUrl: string; wsUrl: string };
}

interface Connection {
  ws: WebSocket;
  user: UserInfo;
}

const CALL_PATH = /^\/video\/call\/([^/]+)\/([^/]+)(\/[a-z_]+)?$/;

export class Coordinator {
  /** Users as they introduced themselves on the WebSocket (name, image), by id. */
  readonly users = new Map<string, UserInfo>();
  readonly #connections = new Map<string, Connection>();
  /** Users who joined each call (by cid), to receive its call events. */
  readonly #members = new Map<string, Set<string>>();

  constructor(private readonly context: CoordinatorContext) {}

  handleSocket(ws: WebSocket): void {
    const connectionId = randomUUID();
    ws.on('message', (raw) => {
      const event = clientEvent(raw);
      if (event?.type === 'health.check') {
        ws.send(JSON.stringify({ type: 'health.check', connection_id: connectionId, created_at: new Date().toISOString() }));
        return;
      }
      if (typeof event?.token === 'string') this.#authenticate(ws, connectionId, event);
    });
    ws.on('close', () => this.#connections.delete(connectionId));
  }

  /** Returns false when the path is not the coordinator's. */
  handleHttp(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith('/video/')) return false;
    const match = CALL_PATH.exec(url.pathname);
    const userId = this.#authorize(req, url);
    if (typeof userId !== 'string') {
      send(res, 401, streamError(401, `JWTAuth error: ${userId.error}`));
      return true;
    }
    if (!match) {
      send(res, 200, { duration: '1ms' });
      return true;
    }
    const [, type = '', id = '', action] = match;
    const call = this.context.call(type, id);
    if (action === '/join' && req.method === 'POST') {
      call.createdBy ??= userId;
      let members = this.#members.get(call.cid);
      if (!members) this.#members.set(call.cid, (members = new Set()));
      members.add(userId);
      send(res, 200, joinCallResponse(call, { ...this.context.sfuUrls(), token: this.context.sfuToken(userId, call) }));
      return true;
    }
    if (action === undefined && (req.method === 'GET' || req.method === 'POST')) {
      call.createdBy ??= userId;
      send(res, 200, getCallResponse(call));
      return true;
    }
    send(res, 200, { duration: '1ms' });
    return true;
  }

  /** Sends `call.ended` to every connected user who joined the call. */
  callEnded(call: FakeCall): void {
    const members = this.#members.get(call.cid) ?? new Set<string>();
    const event = JSON.stringify(callEndedEvent(call));
    for (const { ws, user } of this.#connections.values()) {
      if (members.has(user.id)) ws.send(event);
    }
  }

  close(): void {
    for (const { ws } of this.#connections.values()) ws.terminate();
    this.#connections.clear();
  }

  #authenticate(ws: WebSocket, connectionId: string, auth: Record<string, unknown>): void {
    const details = (auth.user_details ?? {}) as UserInfo;
    const verified = verifyJwt(String(auth.token), this.context.apiSecret);
    if ('error' in verified || verified.claims.user_id !== details.id) {
      const reason = 'error' in verified ? verified.error : 'token is for another user';
      ws.send(JSON.stringify({ type: 'connection.error', error: streamError(401, `JWTAuth error: ${reason}`) }));
      ws.close(1000);
      return;
    }
    this.users.set(details.id, details);
    this.#connections.set(connectionId, { ws, user: details });
    ws.send(JSON.stringify(connectionOk(connectionId, details)));
  }

  /** The user id of a valid request, or why it is not valid. */
  #authorize(req: IncomingMessage, url: URL): string | { error: string } {
    if (url.searchParams.get('api_key') !== this.context.apiKey) return { error: 'unknown api_key' };
    const token = req.headers.authorization;
    if (!token) return { error: 'missing Authorization header' };
    const verified = verifyJwt(token, this.context.apiSecret);
    if ('error' in verified) return verified;
    return typeof verified.claims.user_id === 'string' ? verified.claims.user_id : { error: 'token without user_id' };
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
