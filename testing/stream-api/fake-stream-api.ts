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
 * `handle(req, res)` can also be mounted in another fake's HTTP server; it returns false for
 * paths it does not serve.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyJwt } from '../stream-video/jwt.js';

export interface StoredMessage {
  id: string;
  cid: string;
  text: string;
  userId: string;
  custom: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** How many times a partial update stored new content. */
  storedUpdates: number;
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
  readonly users = new Map<string, Record<string, unknown>>();
  readonly calls = new Map<string, Record<string, unknown>>();
  readonly channels = new Map<string, { type: string; id: string; createdById?: string; members: Set<string> }>();
  readonly messages = new Map<string, StoredMessage>();
  /** Ephemeral updates as fanned out to clients, in order. */
  readonly ephemeralUpdates: Array<{ id: string; text: string; atMs: number }> = [];
  readonly events: Array<{ cid: string; event: Record<string, unknown> }> = [];
  misbehaviour: Misbehaviour = {};
  readonly #scripted: FailureScript[] = [];
  readonly #holds = new Set<{ match: (request: { method: string; path: string }) => boolean; released: Promise<void> }>();
  #random: () => number;

  constructor(options: FakeStreamApiOptions = {}) {
    this.apiKey = options.apiKey ?? 'fake-key';
    this.apiSecret = options.apiSecret ?? 'fake-secret';
    this.#random = mulberry32(options.seed ?? 1);
  }

  /** Creates or replaces a user of the app, as the users route does. */
  addUser(id: string, user: Record<string, unknown> = {}): void {
    this.users.set(id, { ...this.users.get(id), ...user, id });
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
   * `chunk_index`, their texts joined, in the order their first chunk was created.
   */
  transcript(cid: string): Array<{ id: string; userId: string; text: string; chunks: number; generating: boolean }> {
    const groups = new Map<string, StoredMessage[]>();
    for (const message of this.channelMessages(cid)) {
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
    if (!url.pathname.startsWith('/api/v2/')) return false;
    const body = await readJson(req);
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, body, atMs: performance.now(), status: 0 };
    this.requests.push(record);
    const reply = (status: number, payload: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': String(this.misbehaviour.retryAfterS ?? 0) } : {}) });
      res.end(JSON.stringify(payload));
    };

    const authError = this.#checkAuth(req, query);
    if (authError) {
      reply(401, { code: 2, message: authError, StatusCode: 401 });
      return true;
    }
    for (const hold of this.#holds) if (hold.match(record)) await hold.released;
    await this.#delay();
    const scripted = this.#takeScripted(record);
    if (scripted) {
      reply(scripted.status, scripted.body);
      return true;
    }
    const failure = this.#rollFailure();
    if (failure && !failure.afterApply) {
      reply(failure.status, { code: 9, message: 'injected failure', StatusCode: failure.status });
      return true;
    }
    let result: { status: number; payload: unknown };
    try {
      result = this.#route(record.method, url.pathname, body as Record<string, unknown>, query);
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
    let match: RegExpMatchArray | null;

    if (method === 'POST' && path === '/api/v2/users') {
      const users = (body.users ?? {}) as Record<string, Record<string, unknown>>;
      for (const [id, user] of Object.entries(users)) this.addUser(id, user);
      return ok({ users: Object.fromEntries([...this.users].map(([id, user]) => [id, fakeUser(id, user)])) });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/video\/call\/([^/]+)\/([^/]+)$/))) {
      const cid = `${match[1]}:${match[2]}`;
      const created = !this.calls.has(cid);
      const data = (body.data ?? {}) as Record<string, unknown>;
      if (created) this.calls.set(cid, { ...data, type: match[1], id: match[2] });
      return ok({ created, call: fakeCall(match[1]!, match[2]!, this.calls.get(cid)!), members: [], own_capabilities: [] });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/chat\/channels\/([^/]+)\/([^/]+)\/query$/))) {
      const cid = `${match[1]}:${match[2]}`;
      const data = (body.data ?? {}) as { created_by_id?: string; members?: Array<{ user_id: string }> };
      const involved = [data.created_by_id, ...(data.members ?? []).map((member) => member.user_id)].filter((id): id is string => Boolean(id));
      const unknown = involved.filter((id) => !this.users.has(id));
      if (unknown.length > 0) {
        return {
          status: 400,
          payload: { code: 4, message: `GetOrCreateChannel failed with error: "The following users are involved in channel create operation, but don't exist: [${unknown.join(' ')}]. Please create the user objects before setting up the channel."`, StatusCode: 400 },
        };
      }
      const channel = this.channels.get(cid) ?? { type: match[1]!, id: match[2]!, createdById: data.created_by_id, members: new Set<string>() };
      for (const member of data.members ?? []) channel.members.add(member.user_id);
      this.channels.set(cid, channel);
      return ok({ channel: fakeChannel(channel), members: [...channel.members].map((user_id) => ({ user_id })), messages: [] });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/chat\/channels\/([^/]+)\/([^/]+)\/message$/))) {
      const cid = `${match[1]}:${match[2]}`;
      if (!this.channels.has(cid)) return { status: 404, payload: { code: 16, message: `channel ${cid} does not exist`, StatusCode: 404 } };
      const request = (body.message ?? {}) as Record<string, unknown>;
      const id = typeof request.id === 'string' ? request.id : `msg-${this.messages.size + 1}`;
      if (this.messages.has(id)) {
        return { status: 400, payload: { code: 4, message: `SendMessage failed with error: "a message with ID ${id} already exists"`, StatusCode: 400 } };
      }
      if (!this.users.has(String(request.user_id ?? ''))) {
        return { status: 400, payload: { code: 4, message: `SendMessage failed with error: "user ${String(request.user_id)} doesn't exist"`, StatusCode: 400 } };
      }
      if (typeof request.text !== 'string' || request.text.length === 0) {
        return { status: 400, payload: { code: 4, message: 'SendMessage failed with error: "message text is empty"', StatusCode: 400 } };
      }
      const now = new Date();
      const stored: StoredMessage = {
        id,
        cid,
        text: request.text,
        userId: String(request.user_id ?? ''),
        custom: { ...((request.custom ?? {}) as Record<string, unknown>) },
        createdAt: now,
        updatedAt: now,
        storedUpdates: 0,
      };
      this.messages.set(id, stored);
      return ok({ message: messageResponse(stored) });
    }
    if ((match = path.match(/^\/api\/v2\/chat\/messages\/([^/]+)(\/ephemeral)?$/))) {
      const stored = this.messages.get(decodeURIComponent(match[1]!));
      if (!stored) return { status: 404, payload: { code: 4, message: `message ${match[1]} not found`, StatusCode: 404 } };
      if (method === 'DELETE') {
        this.messages.delete(stored.id);
        return ok({ message: { ...messageResponse(stored), type: 'deleted' } });
      }
      const set = (body.set ?? {}) as Record<string, unknown>;
      if (method === 'PATCH' && match[2]) {
        this.ephemeralUpdates.push({ id: stored.id, text: String(set.text ?? stored.text), atMs: performance.now() });
        return ok({ message: messageResponse({ ...stored, ...splitFields(set, stored) }) });
      }
      if (method === 'PUT') {
        Object.assign(stored, splitFields(set, stored), { updatedAt: new Date() });
        stored.storedUpdates++;
        return ok({ message: messageResponse(stored) });
      }
      if (method === 'GET') return ok({ message: messageResponse(stored) });
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v2\/chat\/channels\/([^/]+)\/([^/]+)\/event$/))) {
      this.events.push({ cid: `${match[1]}:${match[2]}`, event: (body.event ?? {}) as Record<string, unknown> });
      return ok({ event: body.event });
    }
    void query;
    return { status: 404, payload: { code: 4, message: `fake Stream API has no route ${method} ${path}`, StatusCode: 404 } };
  }
}

/** Starts `api` alone on 127.0.0.1 with a free port. */
export async function startFakeStreamApi(api: FakeStreamApi): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    api.handle(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
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

function messageResponse(message: StoredMessage): Record<string, unknown> {
  const now = message.updatedAt.toISOString();
  return {
    id: message.id,
    cid: message.cid,
    text: message.text,
    type: 'regular',
    user: fakeUser(message.userId, {}),
    custom: message.custom,
    ...message.custom,
    created_at: message.createdAt.toISOString(),
    updated_at: now,
    attachments: [],
    latest_reactions: [],
    own_reactions: [],
    mentioned_users: [],
    reaction_counts: {},
    reaction_scores: {},
    reply_count: 0,
    silent: false,
    shadowed: false,
    html: '',
    pinned: false,
  };
}

function fakeUser(id: string, user: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  return { role: 'user', custom: {}, teams: [], banned: false, online: false, language: '', ...user, id, created_at: now, updated_at: now };
}

function fakeChannel(channel: { type: string; id: string; createdById?: string }): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    cid: `${channel.type}:${channel.id}`,
    type: channel.type,
    id: channel.id,
    created_at: now,
    updated_at: now,
    disabled: false,
    frozen: false,
    custom: {},
    config: {},
    created_by: channel.createdById ? fakeUser(channel.createdById, {}) : undefined,
  };
}

function fakeCall(type: string, id: string, data: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    cid: `${type}:${id}`,
    type,
    id,
    created_by: fakeUser(String(data.created_by_id ?? 'unknown'), {}),
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
