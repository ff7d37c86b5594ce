/**
 * A local fake of Stream's REST API (the routes @stream-io/node-sdk calls for users, calls and
 * chat), reached by the real SDK through its `basePath`. It checks the SDK's auth the way
 * Stream does (api_key query + server JWT), keeps channels and messages like Stream (message
 * ids are unique; a second send with the same id fails), and can misbehave on purpose:
 * latency, latency spikes, 429/503 failures (optionally after the change was applied, as when
 * a response is lost), scripted one-off failures, and requests held unanswered (`hold`). Like Stream, it refuses a channel whose
 * creator or members are not users, and a message whose author is not one (`addUser` or the
 * users route creates them).
 *
 *   const api = new FakeStreamApi({ apiKey, apiSecret });
 *   const server = await startFakeStreamApi(api);          // { url, close }
 *   new StreamClient(apiKey, apiSecret, { basePath: server.url });
 *   api.transcript('messaging:call-1')                      // [{ id, userId, text, ... }]
 *
 * It is also Stream Chat for the `stream-chat` client, at the same base URL: the `/connect`
 * WebSocket (chat-socket.ts) and the client's REST routes at the root path
 * (chat-client-routes.ts). Every message created (by the server API or a test's `postMessage`),
 * updated or deleted reaches the sockets watching its channel as `message.new`,
 * `message.updated` or `message.deleted`.
 *
 *   const chat = new StreamChat(apiKey, { baseURL: server.url, allowServerSideConnect: true });
 *   await chat.connectUser({ id: 'agent' }, userToken);
 *   await chat.channel('messaging', 'call-1').watch();
 *   api.postMessage('messaging:call-1', { userId: 'alice', text: 'hi' });   // message.new
 *   api.dropChatSockets();                                                    // the client reconnects
 *
 * `handle(req, res)` and `handleUpgrade(req, socket, head)` can also be mounted in another
 * fake's HTTP server; they return false for paths they do not serve.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ChangeWaiters } from '../support/change-waiters.js';
import { verifyJwt } from '../stream-video/jwt.js';
import { authorizeChatClient, isChatClientPath, routeChatClient, type ChatClientContext } from './chat-client-routes.js';
import {
  chatError,
  mergeUser,
  messageEvent,
  ownUser,
  SERVER_ONLY_USER_FIELDS,
  serverChannel,
  serverMessage,
  serverUser,
  type ChatMessageType,
  type StoredChannel,
  type StoredMessage,
  type StoredUser,
} from './chat-payloads.js';
import { ChatSockets, type ChatSocket } from './chat-socket.js';

export type { StoredMessage } from './chat-payloads.js';

/** A message as a person types it in the chat app (see `postMessage`). */
export interface PostedMessage {
  /** The author, a user of the app. */
  userId: string;
  text: string;
  /** Default `regular`, or `reply` when `parentId` is given. */
  type?: ChatMessageType;
  /** Not counted as unread, no push. */
  silent?: boolean;
  /** Makes it a thread reply to that message (left out of the channel's message list). */
  parentId?: string;
  /** Custom fields of the message. */
  custom?: Record<string, unknown>;
  /** Default: a fresh id. */
  id?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  atMs: number;
  /** The HTTP status answered. */
  status: number;
}

export interface Misbehaviour {
  /** Added to every request. */
  latencyMs?: number;
  /** Chance (0..1) that a request waits `spikeMs` more. */
  spikeProbability?: number;
  spikeMs?: number;
  /** Chance (0..1) that a request fails with 503 or 429 (even split). */
  failureRate?: number;
  /** Of those failures, the share that happen after the change was applied (response lost). */
  failAfterApplyShare?: number;
  /** Retry-After seconds on 429. */
  retryAfterS?: number;
}

/** A failure the fake answers with, for the next request that matches. */
export interface FailureScript {
  status: number;
  body: Record<string, unknown>;
  match?: (request: { method: string; path: string }) => boolean;
}

export interface FakeStreamApiOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Seed for the misbehaviour dice, so a failing run can be replayed. */
  seed?: number;
}

const STANDARD_MESSAGE_FIELDS = new Set(['text', 'user_id', 'id', 'type', 'attachments', 'parent_id', 'html', 'mml']);

export class FakeStreamApi {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly requests: RecordedRequest[] = [];
  readonly users = new Map<string, StoredUser>();
  readonly calls = new Map<string, Record<string, unknown>>();
  readonly channels = new Map<string, StoredChannel>();
  readonly messages = new Map<string, StoredMessage>();
  /** Ephemeral updates as fanned out to clients, in order. */
  readonly ephemeralUpdates: Array<{ id: string; text: string; atMs: number }> = [];
  readonly events: Array<{ cid: string; event: Record<string, unknown> }> = [];
  /**
   * Injected misbehaviour. Random failures (`failureRate`) hit the server API under `/api/v2/`
   * only; latency, scripted failures and holds hit the chat client's routes too.
   */
  misbehaviour: Misbehaviour = {};
  readonly #scripted: FailureScript[] = [];
  readonly #holds = new Set<{ match: (request: { method: string; path: string }) => boolean; released: Promise<void> }>();
  readonly #waiters = new ChangeWaiters('FakeStreamApi');
  readonly #sockets: ChatSockets;
  readonly #chatContext: ChatClientContext;
  #random: () => number;
  #nextMessage = 1;

  constructor(options: FakeStreamApiOptions = {}) {
    this.apiKey = options.apiKey ?? 'fake-key';
    this.apiSecret = options.apiSecret ?? 'fake-secret';
    this.#random = mulberry32(options.seed ?? 1);
    this.#sockets = new ChatSockets({
      apiKey: this.apiKey,
      apiSecret: this.apiSecret,
      connectUser: (userId, details) => this.#connectUser(userId, details),
      changed: () => this.#waiters.changed(),
    });
    this.#chatContext = {
      apiKey: this.apiKey,
      apiSecret: this.apiSecret,
      users: this.users,
      channels: this.channels,
      sockets: this.#sockets,
      channelMessages: (cid) => this.channelMessages(cid),
    };
  }

  /** Creates or updates a user of the app, as the users route does (custom fields flat or under `custom`). */
  addUser(id: string, user: Record<string, unknown> = {}): void {
    this.users.set(id, mergeUser(id, this.users.get(id), user));
    this.#waiters.changed();
  }

  /**
   * A message typed by `userId` in the chat app, stored in channel `cid` and sent as
   * `message.new` to the sockets watching it. The user and the channel must exist.
   */
  postMessage(cid: string, message: PostedMessage): StoredMessage {
    if (!this.channels.has(cid)) throw new Error(`postMessage: channel ${cid} does not exist`);
    if (!this.users.has(message.userId)) throw new Error(`postMessage: user ${message.userId} does not exist`);
    const id = message.id ?? `msg-${this.#nextMessage++}`;
    if (this.messages.has(id)) throw new Error(`postMessage: a message with id ${id} already exists`);
    return this.#storeMessage({
      id,
      cid,
      text: message.text,
      userId: message.userId,
      custom: { ...message.custom },
      type: message.type ?? (message.parentId ? 'reply' : 'regular'),
      silent: message.silent ?? false,
      parentId: message.parentId,
    });
  }

  /** The author edits message `id` to `text`: stored, and sent as `message.updated`. */
  editMessage(id: string, text: string): StoredMessage {
    const stored = this.messages.get(id);
    if (!stored) throw new Error(`editMessage: no message ${id}`);
    Object.assign(stored, { text, updatedAt: new Date() });
    this.#fanOut('message.updated', stored);
    return stored;
  }

  /** A soft delete, as in the chat app: the message stays with type `deleted`; `message.deleted` is sent. */
  removeMessage(id: string): StoredMessage {
    const stored = this.messages.get(id);
    if (!stored) throw new Error(`removeMessage: no message ${id}`);
    this.#softDelete(stored);
    return stored;
  }

  /** Open chat WebSocket connections (past the handshake) with their users and watched channels. */
  get chatSockets(): ChatSocket[] {
    return this.#sockets.list;
  }

  /** Upgrades to `/connect` refused while `refuseChatSockets(true)` held. */
  get refusedChatUpgrades(): number {
    return this.#sockets.refusedUpgrades;
  }

  /** Terminates every chat socket abruptly (no close frame); clients reconnect by themselves. */
  dropChatSockets(): void {
    this.#sockets.dropAll();
  }

  /** While `refuse` is true, new `/connect` upgrades are answered with 503. */
  refuseChatSockets(refuse: boolean): void {
    this.#sockets.refusing = refuse;
  }

  /**
   * Resolves with the first truthy value of `condition`, checked whenever the fake records
   * something (a request, a message, a user, a chat socket opening or closing):
   * `await api.waitFor(() => api.chatSockets.find((s) => s.watching.has(cid)))`.
   */
  waitFor<T>(condition: () => T | undefined | null | false | 0, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    return this.#waiters.waitFor(condition, options);
  }

  /** Takes a WebSocket upgrade for the chat socket (`/connect`); false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.#sockets.handleUpgrade(req, socket, head);
  }

  /** Terminates every chat socket and refuses new ones, for the server's close. Idempotent. */
  closeSockets(): void {
    this.#sockets.close();
  }

  /** The next matching request fails with `status` (and nothing is applied). */
  failNext(status: number, options: { code?: number; message?: string; match?: FailureScript['match'] } = {}): void {
    this.#scripted.push({
      status,
      body: { code: options.code ?? 4, message: options.message ?? `scripted failure ${status}`, StatusCode: status },
      match: options.match,
    });
  }

  /**
   * Matching requests get no answer (the connection stays open) until the returned function
   * is called; then they are handled as usual. A Stream that hangs, for tests of what must not
   * wait for it. Each request is recorded when it arrives, held or not.
   */
  hold(match: (request: { method: string; path: string }) => boolean): () => void {
    let release!: () => void;
    const hold = { match, released: new Promise<void>((resolve) => (release = resolve)) };
    this.#holds.add(hold);
    return () => {
      this.#holds.delete(hold);
      release();
    };
  }

  /** Stored messages of a channel in creation order. */
  channelMessages(cid: string): StoredMessage[] {
    return [...this.messages.values()].filter((message) => message.cid === cid);
  }

  /**
   * The channel's logical messages: chunks grouped by `chunk_group`, ordered by
   * `chunk_index`, their texts joined, in the order their first chunk was created. Deleted
   * messages are left out, as a chat shows them.
   */
  transcript(cid: string): Array<{ id: string; userId: string; text: string; chunks: number; generating: boolean }> {
    const groups = new Map<string, StoredMessage[]>();
    for (const message of this.channelMessages(cid)) {
      if (message.type === 'deleted') continue;
      const group = String(message.custom.chunk_group ?? message.id);
      groups.set(group, [...(groups.get(group) ?? []), message]);
    }
    return [...groups.entries()].map(([id, chunks]) => {
      chunks.sort((a, b) => Number(a.custom.chunk_index ?? 0) - Number(b.custom.chunk_index ?? 0));
      return {
        id,
        userId: chunks[0]!.userId,
        text: chunks.map((chunk) => chunk.text).join(''),
        chunks: chunks.length,
        generating: chunks.some((chunk) => chunk.custom.generating === true),
      };
    });
  }

  /** Requests that reached a route (including failed ones), optionally filtered. */
  count(filter: (request: RecordedRequest) => boolean = () => true): number {
    return this.requests.filter(filter).length;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const server = url.pathname.startsWith('/api/v2/');
    if (!server && !isChatClientPath(url.pathname)) return false;
    const body = await readJson(req);
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, body, atMs: performance.now(), status: 0 };
    this.requests.push(record);
    const reply = (status: number, payload: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': String(this.misbehaviour.retryAfterS ?? 0) } : {}) });
      res.end(JSON.stringify(payload));
      this.#waiters.changed();
    };

    const client = server ? undefined : authorizeChatClient(this.#chatContext, query, req.headers);
    const authError = server ? this.#checkAuth(req, query) : client && 'error' in client ? String(client.error.message) : undefined;
    if (authError) {
      reply(401, client && 'error' in client ? client.error : { code: 2, message: authError, StatusCode: 401 });
      return true;
    }
    for (const hold of this.#holds) if (hold.match(record)) await hold.released;
    await this.#delay();
    const scripted = this.#takeScripted(record);
    if (scripted) {
      reply(scripted.status, scripted.body);
      return true;
    }
    const failure = server ? this.#rollFailure() : undefined;
    if (failure && !failure.afterApply) {
      reply(failure.status, { code: 9, message: 'injected failure', StatusCode: failure.status });
      return true;
    }
    let result: { status: number; payload: unknown };
    try {
      result =
        client && 'userId' in client
          ? routeChatClient(this.#chatContext, { method: record.method, path: url.pathname, body: body as Record<string, unknown>, query, userId: client.userId })
          : this.#route(record.method, url.pathname, body as Record<string, unknown>, query);
    } catch (error) {
      result = { status: 500, payload: { code: -1, message: String(error) } };
    }
    if (failure && result.status < 300) reply(failure.status, { code: 9, message: 'injected failure after apply', StatusCode: failure.status });
    else reply(result.status, result.payload);
    return true;
  }

  #checkAuth(req: IncomingMessage, query: Record<string, string>): string | undefined {
    if (query.api_key !== this.apiKey) return 'api_key is missing or wrong';
    if (req.headers['stream-auth-type'] !== 'jwt') return 'stream-auth-type must be jwt';
    const token = String(req.headers.authorization ?? '');
    return 'claims' in verifyJwt(token, this.apiSecret) ? undefined : 'invalid server token';
  }

  async #delay(): Promise<void> {
    const { latencyMs = 0, spikeProbability = 0, spikeMs = 0 } = this.misbehaviour;
    const extra = spikeProbability > 0 && this.#random() < spikeProbability ? spikeMs : 0;
    if (latencyMs + extra > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs + extra));
  }

  #takeScripted(request: RecordedRequest): FailureScript | undefined {
    const index = this.#scripted.findIndex((script) => !script.match || script.match(request));
    return index === -1 ? undefined : this.#scripted.splice(index, 1)[0];
  }

  #rollFailure(): { status: number; afterApply: boolean } | undefined {
    const { failureRate = 0, failAfterApplyShare = 0 } = this.misbehaviour;
    if (failureRate <= 0 || this.#random() >= failureRate) return undefined;
    return { status: this.#random() < 0.5 ? 503 : 429, afterApply: this.#random() < failAfterApplyShare };
  }

  #route(method: string, path: string, body: Record<string, unknown>, query: Record<string, string>): { status: number; payload: unknown } {
    const ok = (payload: Record<string, unknown> = {}) => ({ status: 201, payload: { duration: '0.1ms', ...payload } });
    const fail = (status: number, code: number, message: string) => ({ status, payload: chatError(status, code, message) });
    let match: RegExpMatchArray | null;

    if (method === 'POST' && path === '/api/v2/users') {
      const users = (body.users ?? {}) as Record<string, Record<string, unknown>>;
      for (const [id, user] of Object.entries(users)) this.addUser(id, user);
      return ok({ users: Object.fromEntries([...this.users].map(([id, user]) => [id, serverUser(id, user)])) });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/video\/call\/([^/]+)\/([^/]+)$/))) {
      const cid = `${match[1]}:${match[2]}`;
      const created = !this.calls.has(cid);
      const data = (body.data ?? {}) as Record<string, unknown>;
      if (created) this.calls.set(cid, { ...data, type: match[1], id: match[2] });
      return ok({ created, call: fakeCall(match[1]!, match[2]!, this.calls.get(cid)!, this.users), members: [], own_capabilities: [] });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/chat\/channels\/([^/]+)\/([^/]+)\/query$/))) {
      const cid = `${match[1]}:${match[2]}`;
      const data = (body.data ?? {}) as { created_by_id?: string; members?: Array<{ user_id: string }> };
      const involved = [data.created_by_id, ...(data.members ?? []).map((member) => member.user_id)].filter((id): id is string => Boolean(id));
      const unknown = involved.filter((id) => !this.users.has(id));
      if (unknown.length > 0) {
        return fail(400, 4, `GetOrCreateChannel failed with error: "The following users are involved in channel create operation, but don't exist: [${unknown.join(' ')}]. Please create the user objects before setting up the channel."`);
      }
      const channel = this.channels.get(cid) ?? { type: match[1]!, id: match[2]!, createdById: data.created_by_id, members: new Set<string>(), createdAt: new Date() };
      for (const member of data.members ?? []) channel.members.add(member.user_id);
      this.channels.set(cid, channel);
      return ok({
        channel: serverChannel(channel, this.users),
        members: [...channel.members].map((user_id) => ({ user_id, user: serverUser(user_id, this.users.get(user_id)) })),
        messages: [],
      });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/chat\/channels\/([^/]+)\/([^/]+)\/message$/))) {
      const cid = `${match[1]}:${match[2]}`;
      if (!this.channels.has(cid)) return fail(404, 16, `channel ${cid} does not exist`);
      const request = (body.message ?? {}) as Record<string, unknown>;
      const id = typeof request.id === 'string' ? request.id : this.#freshMessageId();
      if (this.messages.has(id)) return fail(400, 4, `SendMessage failed with error: "a message with ID ${id} already exists"`);
      if (!this.users.has(String(request.user_id ?? ''))) return fail(400, 4, `SendMessage failed with error: "user ${String(request.user_id)} doesn't exist"`);
      if (typeof request.text !== 'string' || request.text.length === 0) return fail(400, 4, 'SendMessage failed with error: "message text is empty"');
      const parentId = typeof request.parent_id === 'string' ? request.parent_id : undefined;
      const stored = this.#storeMessage({
        id,
        cid,
        text: request.text,
        userId: String(request.user_id),
        custom: { ...((request.custom ?? {}) as Record<string, unknown>) },
        type: request.type === 'system' ? 'system' : parentId ? 'reply' : 'regular',
        silent: request.silent === true,
        parentId,
        showInChannel: request.show_in_channel === true,
      });
      return ok({ message: serverMessage(stored, this.users.get(stored.userId)) });
    }
    if ((match = path.match(/^\/api\/v2\/chat\/messages\/([^/]+)(\/ephemeral)?$/))) {
      const stored = this.messages.get(decodeURIComponent(match[1]!));
      if (!stored) return fail(404, 4, `message ${match[1]} not found`);
      const response = (message: StoredMessage) => ok({ message: serverMessage(message, this.users.get(message.userId)) });
      if (method === 'DELETE') {
        if (query.hard !== 'true') return response(this.#softDelete(stored));
        this.messages.delete(stored.id);
        this.#fanOut('message.deleted', { ...stored, type: 'deleted', deletedAt: new Date() }, { hard_delete: true });
        return response({ ...stored, type: 'deleted', deletedAt: new Date() });
      }
      const set = (body.set ?? {}) as Record<string, unknown>;
      if (method === 'PATCH' && match[2]) {
        this.ephemeralUpdates.push({ id: stored.id, text: String(set.text ?? stored.text), atMs: performance.now() });
        const shown = { ...stored, ...splitFields(set, stored), updatedAt: new Date() };
        this.#fanOut('message.updated', shown);
        return response(shown);
      }
      if (method === 'PUT') {
        Object.assign(stored, splitFields(set, stored), { updatedAt: new Date() });
        stored.storedUpdates++;
        this.#fanOut('message.updated', stored);
        return response(stored);
      }
      if (method === 'POST' && !match[2]) {
        // A full update: the message's text and custom fields are replaced.
        const message = (body.message ?? {}) as Record<string, unknown>;
        Object.assign(stored, { text: String(message.text ?? ''), custom: { ...((message.custom ?? {}) as Record<string, unknown>) }, updatedAt: new Date() });
        stored.storedUpdates++;
        this.#fanOut('message.updated', stored);
        return response(stored);
      }
      if (method === 'GET') return response(stored);
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/chat\/channels\/([^/]+)\/([^/]+)\/event$/))) {
      this.events.push({ cid: `${match[1]}:${match[2]}`, event: (body.event ?? {}) as Record<string, unknown> });
      return ok({ event: body.event });
    }
    return fail(404, 4, `fake Stream API has no route ${method} ${path}`);
  }

  #freshMessageId(): string {
    let id = `msg-${this.#nextMessage++}`;
    while (this.messages.has(id)) id = `msg-${this.#nextMessage++}`;
    return id;
  }

  /** Stores a new message and sends `message.new` to the watchers of its channel. */
  #storeMessage(fields: Omit<StoredMessage, 'createdAt' | 'updatedAt' | 'storedUpdates'>): StoredMessage {
    const now = new Date();
    const stored: StoredMessage = { ...fields, createdAt: now, updatedAt: now, storedUpdates: 0 };
    this.messages.set(stored.id, stored);
    this.#fanOut('message.new', stored, { watcher_count: this.#sockets.watchers(stored.cid).length, channel_last_message_at: now.toISOString() });
    return stored;
  }

  #softDelete(stored: StoredMessage): StoredMessage {
    Object.assign(stored, { type: 'deleted', deletedAt: new Date(), updatedAt: new Date() });
    this.#fanOut('message.deleted', stored, { hard_delete: false });
    return stored;
  }

  /** Ephemeral and error messages reach only their author's sockets, as in Stream. */
  #fanOut(type: 'message.new' | 'message.updated' | 'message.deleted', message: StoredMessage, extra: Record<string, unknown> = {}): void {
    const privateTo = message.type === 'ephemeral' || message.type === 'error' ? message.userId : undefined;
    this.#sockets.broadcast(message.cid, messageEvent(type, message, this.users, extra), privateTo);
    this.#waiters.changed();
  }

  /** The connecting user is upserted from its `user_details`, as Stream does; `me` is the result. */
  #connectUser(userId: string, details: Record<string, unknown>): Record<string, unknown> {
    const allowed = Object.fromEntries(Object.entries(details).filter(([key]) => !SERVER_ONLY_USER_FIELDS.has(key)));
    this.addUser(userId, allowed);
    return ownUser(userId, this.users.get(userId));
  }
}

/** Starts `api` alone on 127.0.0.1 with a free port (REST and the chat WebSocket). */
export async function startFakeStreamApi(api: FakeStreamApi): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    api.handle(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!api.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        api.closeSockets();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function splitFields(set: Record<string, unknown>, stored: StoredMessage): Pick<StoredMessage, 'text' | 'custom'> {
  const custom = { ...stored.custom };
  let text = stored.text;
  for (const [key, value] of Object.entries(set)) {
    if (key === 'text') text = String(value);
    else if (key === 'custom' && typeof value === 'object' && value) Object.assign(custom, value);
    else if (!STANDARD_MESSAGE_FIELDS.has(key)) custom[key] = value;
  }
  return { text, custom };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  if (parts.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return {};
  }
}

function fakeCall(type: string, id: string, data: Record<string, unknown>, users: ReadonlyMap<string, StoredUser>): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    cid: `${type}:${id}`,
    type,
    id,
    created_by: serverUser(String(data.created_by_id ?? 'unknown'), users.get(String(data.created_by_id))),
    custom: data.custom ?? {},
    created_at: now,
    updated_at: now,
    backstage: false,
    blocked_user_ids: [],
    recording: false,
    transcribing: false,
    captioning: false,
    current_session_id: '',
    egress: { broadcasting: false, hls: { playlist_url: '' }, rtmps: [] },
    ingress: { rtmp: { address: '' } },
    settings: {},
  };
}

/** A tiny seeded PRNG, so injected failures can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
