/**
 * The client-side REST routes of Stream Chat that the `stream-chat` client calls at the root
 * path (not under `/api/v2/`), authorized as a user: `api_key` query, `Authorization: <user
 * JWT>`, `stream-auth-type: jwt`, and `connection_id` when a query should watch.
 *
 *   POST /channels/{type}/{id}/query   channel.watch() / channel.query(): state + a page of messages
 *   POST /channels                      client.queryChannels() (also recoverState after a reconnect)
 *   POST /channels/{type}/{id}/stop-watching
 *   POST /channels/delivered            delivery receipts the client reports on its own
 *
 * Message pages follow Stream: `messages: { limit, id_gt, id_gte, id_lt, id_lte }`, the newest
 * `limit` without a cursor, always oldest first; `limit` defaults to 25 and above 300 is a 400.
 * Thread replies not shown in the channel are left out, and so are other users' ephemeral and
 * error messages. In a channel type other than livestream only members (and admins) may read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { verifyJwt } from '../stream-video/jwt.js';
import { chatError, clientChannelState, type StoredChannel, type StoredMessage, type StoredUser } from './chat-payloads.js';
import type { ChatSockets } from './chat-socket.js';

export interface ChatClientContext {
  apiKey: string;
  apiSecret: string;
  users: ReadonlyMap<string, StoredUser>;
  channels: Map<string, StoredChannel>;
  sockets: ChatSockets;
  /** Every stored message of the channel, in creation order. */
  channelMessages(cid: string): StoredMessage[];
}

export interface RouteResult {
  status: number;
  payload: unknown;
}

/** Stream's cap on messages per channel in one query. */
export const MAX_MESSAGE_LIMIT = 300;
const DEFAULT_MESSAGE_LIMIT = 25;
const DEFAULT_CHANNEL_LIMIT = 10;
const MAX_CHANNEL_LIMIT = 30;

/** Paths of the client API this module serves. */
export function isChatClientPath(path: string): boolean {
  return path === '/channels' || path.startsWith('/channels/');
}

/** The user a client request acts as, or why it is refused (401 body). */
export function authorizeChatClient(
  context: ChatClientContext,
  query: Record<string, string>,
  headers: IncomingHttpHeaders,
): { userId: string } | { error: Record<string, unknown> } {
  if (query.api_key !== context.apiKey) return { error: chatError(401, 2, 'api_key not found') };
  if (headers['stream-auth-type'] !== 'jwt') return { error: chatError(401, 5, 'stream-auth-type must be jwt') };
  const verified = verifyJwt(String(headers.authorization ?? ''), context.apiSecret);
  if ('error' in verified) {
    const code = verified.error === 'token expired' ? 40 : verified.error === 'bad signature' ? 43 : 5;
    return { error: chatError(401, code, `JWTAuth error: ${verified.error}`) };
  }
  const userId = typeof verified.claims.user_id === 'string' ? verified.claims.user_id : query.user_id;
  if (!userId) return { error: chatError(401, 5, 'JWTAuth error: the token has no user_id') };
  return { userId };
}

export function routeChatClient(
  context: ChatClientContext,
  request: { method: string; path: string; body: Record<string, unknown>; query: Record<string, string>; userId: string },
): RouteResult {
  const { method, path, body, query, userId } = request;
  let match: RegExpMatchArray | null;
  if (method === 'POST' && (match = path.match(/^\/channels\/([^/]+)\/([^/]+)\/query$/))) {
    return queryChannel(context, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!), body, query.connection_id, userId);
  }
  if (method === 'POST' && path === '/channels') return queryChannels(context, body, query.connection_id, userId);
  if (method === 'POST' && (match = path.match(/^\/channels\/([^/]+)\/([^/]+)\/stop-watching$/))) {
    if (query.connection_id) context.sockets.unwatch(query.connection_id, `${decodeURIComponent(match[1]!)}:${decodeURIComponent(match[2]!)}`);
    return ok({});
  }
  if (method === 'POST' && path === '/channels/delivered') return ok({});
  return { status: 404, payload: chatError(404, 4, `fake Stream API has no client route ${method} ${path}`) };
}

function queryChannel(
  context: ChatClientContext,
  type: string,
  id: string,
  body: Record<string, unknown>,
  connectionId: string | undefined,
  userId: string,
): RouteResult {
  const pageOptions = (body.messages ?? {}) as MessagePageOptions;
  const invalid = checkLimit(pageOptions.limit, 'messages.limit');
  if (invalid) return invalid;
  const cid = `${type}:${id}`;
  let channel = context.channels.get(cid);
  if (!channel) {
    const created = createChannel(context, type, id, (body.data ?? {}) as Record<string, unknown>, userId);
    if ('status' in created) return created;
    channel = created;
  }
  const forbidden = checkRead(context, channel, userId);
  if (forbidden) return forbidden;
  const page = messagePage(visibleMessages(context, cid, userId), pageOptions);
  if ('status' in page) return page;
  if (body.watch === true && connectionId) context.sockets.watch(connectionId, userId, cid);
  return ok(channelState(context, channel, page, userId));
}

function queryChannels(context: ChatClientContext, body: Record<string, unknown>, connectionId: string | undefined, userId: string): RouteResult {
  const invalid = checkLimit(body.message_limit, 'message_limit') ?? checkLimit(body.limit, 'limit', MAX_CHANNEL_LIMIT);
  if (invalid) return invalid;
  const filter = (body.filter_conditions ?? {}) as Record<string, unknown>;
  const limit = typeof body.limit === 'number' ? body.limit : DEFAULT_CHANNEL_LIMIT;
  const offset = typeof body.offset === 'number' ? body.offset : 0;
  const matching = [...context.channels.values()]
    .filter((channel) => matchesFilter(channel, filter) && !checkRead(context, channel, userId))
    .slice(offset, offset + limit);
  const channels = matching.map((channel) => {
    const cid = `${channel.type}:${channel.id}`;
    const page = messagePage(visibleMessages(context, cid, userId), { limit: typeof body.message_limit === 'number' ? body.message_limit : undefined });
    if (body.watch === true && connectionId) context.sockets.watch(connectionId, userId, cid);
    return channelState(context, channel, 'status' in page ? [] : page, userId);
  });
  return ok({ channels });
}

function channelState(context: ChatClientContext, channel: StoredChannel, messages: StoredMessage[], userId: string): Record<string, unknown> {
  const cid = `${channel.type}:${channel.id}`;
  const all = context.channelMessages(cid);
  return clientChannelState({
    channel,
    users: context.users,
    messages,
    lastMessageAt: all.at(-1)?.createdAt,
    watcherIds: context.sockets.watchers(cid),
    userId,
  });
}

function createChannel(context: ChatClientContext, type: string, id: string, data: Record<string, unknown>, userId: string): StoredChannel | RouteResult {
  const requested = Array.isArray(data.members) ? data.members : [];
  const members = requested.map((member) => (typeof member === 'string' ? member : String((member as { user_id?: unknown }).user_id ?? '')));
  const unknown = [userId, ...members].filter((member) => !context.users.has(member));
  if (unknown.length > 0) {
    return {
      status: 400,
      payload: chatError(400, 4, `GetOrCreateChannel failed with error: "The following users are involved in channel create operation, but don't exist: [${unknown.join(' ')}]. Please create the user objects before setting up the channel."`),
    };
  }
  const channel: StoredChannel = { type, id, createdById: userId, members: new Set([userId, ...members]), createdAt: new Date() };
  context.channels.set(`${type}:${id}`, channel);
  return channel;
}

function checkRead(context: ChatClientContext, channel: StoredChannel, userId: string): RouteResult | undefined {
  if (channel.type === 'livestream' || channel.members.has(userId) || context.users.get(userId)?.role === 'admin') return undefined;
  const role = String(context.users.get(userId)?.role ?? 'user');
  return {
    status: 403,
    payload: chatError(403, 17, `GetOrCreateChannel failed with error: "User '${userId}' with role '${role}' is not allowed to perform action ReadChannel in scope '${channel.type}'"`),
  };
}

function checkLimit(limit: unknown, name: string, max = MAX_MESSAGE_LIMIT): RouteResult | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) return { status: 400, payload: chatError(400, 4, `QueryChannel failed with error: "${name} must be a non-negative integer"`) };
  if (limit > max) return { status: 400, payload: chatError(400, 4, `QueryChannel failed with error: "${name} must be ${max} or less"`) };
  return undefined;
}

interface MessagePageOptions {
  limit?: number;
  id_gt?: string;
  id_gte?: string;
  id_lt?: string;
  id_lte?: string;
}

/** What `userId` sees in the channel's message list. */
function visibleMessages(context: ChatClientContext, cid: string, userId: string): StoredMessage[] {
  return context
    .channelMessages(cid)
    .filter((message) => (!message.parentId || message.showInChannel) && ((message.type !== 'ephemeral' && message.type !== 'error') || message.userId === userId));
}

function messagePage(messages: StoredMessage[], options: MessagePageOptions): StoredMessage[] | RouteResult {
  const limit = options.limit ?? DEFAULT_MESSAGE_LIMIT;
  const position = (id: string) => messages.findIndex((message) => message.id === id);
  const cursor = options.id_gt ?? options.id_gte ?? options.id_lt ?? options.id_lte;
  if (cursor === undefined) return messages.slice(Math.max(0, messages.length - limit));
  const at = position(cursor);
  if (at === -1) return { status: 400, payload: chatError(400, 4, `QueryChannel failed with error: "message ${cursor} used as a pagination cursor does not exist"`) };
  if (options.id_gt !== undefined) return messages.slice(at + 1, at + 1 + limit);
  if (options.id_gte !== undefined) return messages.slice(at, at + limit);
  const end = options.id_lt !== undefined ? at : at + 1;
  return messages.slice(Math.max(0, end - limit), end);
}

function matchesFilter(channel: StoredChannel, filter: Record<string, unknown>): boolean {
  const values: Record<string, string> = { cid: `${channel.type}:${channel.id}`, type: channel.type, id: channel.id };
  for (const [key, condition] of Object.entries(filter)) {
    if (key === 'members') {
      const wanted = inValues(condition);
      if (!wanted.some((member) => channel.members.has(member))) return false;
    } else if (key in values) {
      if (!inValues(condition).includes(values[key]!)) return false;
    }
  }
  return true;
}

/** The values of `x`, `{ $eq: x }` or `{ $in: [...] }`. */
function inValues(condition: unknown): string[] {
  if (typeof condition === 'string') return [condition];
  if (condition && typeof condition === 'object') {
    const operators = condition as { $in?: unknown[]; $eq?: unknown };
    if (Array.isArray(operators.$in)) return operators.$in.map(String);
    if (operators.$eq !== undefined) return [String(operators.$eq)];
  }
  return [];
}

function ok(payload: Record<string, unknown>): RouteResult {
  return { status: 201, payload: { ...payload, duration: '0.1ms' } };
}
