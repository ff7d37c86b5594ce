/**
 * The shapes Stream Chat answers with, built from the fake's stored state. Stream speaks two
 * dialects: the server API under `/api/v2/` (what @stream-io/node-sdk reads) keeps a user's and
 * a message's custom fields in a `custom` object, while the client API at the root path and the
 * client WebSocket (what the `stream-chat` client reads) flatten them into the object itself.
 */

/** Stream's message types; `reply` is a thread reply, `deleted` a soft-deleted message. */
export type ChatMessageType = 'regular' | 'system' | 'reply' | 'deleted' | 'error' | 'ephemeral';

export interface StoredMessage {
  id: string;
  cid: string;
  text: string;
  userId: string;
  custom: Record<string, unknown>;
  type: ChatMessageType;
  /** A silent message does not count as unread and sends no push. */
  silent: boolean;
  /** The thread's first message, for a reply. */
  parentId?: string;
  /** A thread reply that is also shown in the channel. */
  showInChannel?: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Set by a soft delete (the message stays, with type `deleted`). */
  deletedAt?: Date;
  /** How many times a partial update stored new content. */
  storedUpdates: number;
}

export interface StoredChannel {
  type: string;
  id: string;
  createdById?: string;
  members: Set<string>;
  createdAt?: Date;
}

/** A user as the fake stores it: standard fields at the top, custom ones under `custom`. */
export type StoredUser = Record<string, unknown> & { id: string };

/** Fields of a user that Stream keeps at the top level; anything else is custom data. */
export const STANDARD_USER_FIELDS = new Set([
  'id', 'name', 'image', 'role', 'teams', 'teams_role', 'language', 'invisible', 'banned', 'shadow_banned', 'online',
  'created_at', 'updated_at', 'last_active', 'deactivated_at', 'deleted_at', 'privacy_settings', 'blocked_user_ids',
  'revoke_tokens_issued_before', 'push_notifications', 'username', 'custom',
]);

/** Fields a client may not set about itself when it connects (Stream ignores them there). */
export const SERVER_ONLY_USER_FIELDS = new Set(['role', 'teams', 'teams_role', 'banned', 'shadow_banned', 'online', 'created_at', 'updated_at', 'last_active', 'deactivated_at', 'deleted_at', 'revoke_tokens_issued_before']);

/** Merges `input` (flat or with `custom`) into `existing`, as an upsert stores it. */
export function mergeUser(id: string, existing: StoredUser | undefined, input: Record<string, unknown>): StoredUser {
  const now = new Date().toISOString();
  const merged: StoredUser = { role: 'user', created_at: now, ...existing, id, custom: { ...((existing?.custom ?? {}) as Record<string, unknown>) } };
  for (const [key, value] of Object.entries(input)) {
    if (key === 'id') continue;
    if (key === 'custom' && typeof value === 'object' && value) Object.assign(merged.custom as Record<string, unknown>, value);
    else if (STANDARD_USER_FIELDS.has(key)) merged[key] = value;
    else (merged.custom as Record<string, unknown>)[key] = value;
  }
  merged.updated_at = now;
  return merged;
}

function userBase(id: string, user: StoredUser | undefined): Record<string, unknown> {
  const now = new Date().toISOString();
  const { custom: _custom, ...standard } = user ?? { id };
  return { role: 'user', teams: [], banned: false, online: false, language: '', created_at: now, updated_at: now, ...standard, id };
}

/** A user in the server API's shape (custom fields under `custom`). */
export function serverUser(id: string, user: StoredUser | undefined): Record<string, unknown> {
  return { ...userBase(id, user), custom: { ...((user?.custom ?? {}) as Record<string, unknown>) } };
}

/** A user in the client API's shape (custom fields flattened). */
export function clientUser(id: string, user: StoredUser | undefined, online = false): Record<string, unknown> {
  return { ...((user?.custom ?? {}) as Record<string, unknown>), ...userBase(id, user), online };
}

/** The connected user, as the first `health.check` carries it (`me`). */
export function ownUser(id: string, user: StoredUser | undefined): Record<string, unknown> {
  return {
    ...clientUser(id, user, true),
    devices: [],
    mutes: [],
    channel_mutes: [],
    blocked_user_ids: [],
    total_unread_count: 0,
    unread_channels: 0,
    unread_count: 0,
    unread_threads: 0,
    invisible: false,
  };
}

function messageBase(message: StoredMessage): Record<string, unknown> {
  return {
    id: message.id,
    cid: message.cid,
    text: message.text,
    html: message.text ? `<p>${escapeHtml(message.text)}</p>\n` : '',
    type: message.type,
    silent: message.silent,
    ...(message.parentId ? { parent_id: message.parentId, show_in_channel: message.showInChannel ?? false } : {}),
    created_at: message.createdAt.toISOString(),
    updated_at: message.updatedAt.toISOString(),
    ...(message.deletedAt ? { deleted_at: message.deletedAt.toISOString() } : {}),
    attachments: [],
    latest_reactions: [],
    own_reactions: [],
    mentioned_users: [],
    reaction_counts: {},
    reaction_scores: {},
    reply_count: 0,
    deleted_reply_count: 0,
    shadowed: false,
    pinned: false,
    pinned_at: null,
    pin_expires: null,
    pinned_by: null,
    restricted_visibility: [],
  };
}

/** A message in the server API's shape (MessageResponse of node-sdk). */
export function serverMessage(message: StoredMessage, author: StoredUser | undefined): Record<string, unknown> {
  return { ...message.custom, ...messageBase(message), custom: { ...message.custom }, user: serverUser(message.userId, author) };
}

/** A message in the client API's shape (custom fields flattened, as the stream-chat client reads it). */
export function clientMessage(message: StoredMessage, author: StoredUser | undefined): Record<string, unknown> {
  return { ...message.custom, ...messageBase(message), user: clientUser(message.userId, author) };
}

/** The messaging type's default configuration, as Stream sends it with a channel. */
export function channelConfig(type: string): Record<string, unknown> {
  const now = new Date(0).toISOString();
  return {
    name: type,
    created_at: now,
    updated_at: now,
    typing_events: true,
    read_events: true,
    delivery_events: true,
    connect_events: true,
    search: true,
    reactions: true,
    replies: true,
    quotes: true,
    mutes: true,
    uploads: true,
    url_enrichment: true,
    custom_events: true,
    push_notifications: true,
    reminders: false,
    polls: false,
    shared_locations: false,
    mark_messages_pending: false,
    message_retention: 'infinite',
    max_message_length: 5000,
    automod: 'disabled',
    automod_behavior: 'flag',
    commands: [],
  };
}

/** What a channel member may do in a messaging channel. */
const MEMBER_CAPABILITIES = [
  'connect-events', 'delete-own-message', 'delivery-events', 'flag-message', 'mute-channel', 'pin-message', 'quote-message',
  'read-events', 'search-messages', 'send-links', 'send-message', 'send-reaction', 'send-reply', 'send-typing-events',
  'typing-events', 'update-own-message', 'upload-file',
];

export function serverChannel(channel: StoredChannel, users: ReadonlyMap<string, StoredUser>): Record<string, unknown> {
  const now = (channel.createdAt ?? new Date()).toISOString();
  return {
    cid: `${channel.type}:${channel.id}`,
    type: channel.type,
    id: channel.id,
    created_at: now,
    updated_at: now,
    disabled: false,
    frozen: false,
    custom: {},
    config: channelConfig(channel.type),
    member_count: channel.members.size,
    created_by: channel.createdById ? serverUser(channel.createdById, users.get(channel.createdById)) : undefined,
  };
}

export interface ClientChannelStateInput {
  channel: StoredChannel;
  users: ReadonlyMap<string, StoredUser>;
  /** The page of messages, oldest first. */
  messages: StoredMessage[];
  lastMessageAt?: Date;
  watcherIds: string[];
  /** Who asks: their membership and capabilities are in the answer. */
  userId?: string;
}

/** One channel's state in the client API's shape (QueryChannelAPIResponse without `duration`). */
export function clientChannelState(input: ClientChannelStateInput): Record<string, unknown> {
  const { channel, users } = input;
  const created = (channel.createdAt ?? new Date()).toISOString();
  const member = (userId: string) => ({
    user_id: userId,
    user: clientUser(userId, users.get(userId)),
    role: userId === channel.createdById ? 'owner' : 'member',
    channel_role: 'channel_member',
    created_at: created,
    updated_at: created,
    banned: false,
    shadow_banned: false,
    notifications_muted: false,
  });
  const members = [...channel.members].map(member);
  const isMember = input.userId !== undefined && channel.members.has(input.userId);
  return {
    channel: {
      id: channel.id,
      type: channel.type,
      cid: `${channel.type}:${channel.id}`,
      created_at: created,
      updated_at: created,
      ...(input.lastMessageAt ? { last_message_at: input.lastMessageAt.toISOString() } : {}),
      created_by: channel.createdById ? clientUser(channel.createdById, users.get(channel.createdById)) : null,
      frozen: false,
      disabled: false,
      member_count: channel.members.size,
      config: channelConfig(channel.type),
      own_capabilities: isMember ? MEMBER_CAPABILITIES : [],
      hidden: false,
    },
    messages: input.messages.map((message) => clientMessage(message, users.get(message.userId))),
    pinned_messages: [],
    members,
    ...(isMember ? { membership: member(input.userId!) } : {}),
    read: [...channel.members].map((userId) => ({
      user: clientUser(userId, users.get(userId)),
      last_read: created,
      unread_messages: 0,
    })),
    watcher_count: input.watcherIds.length,
    watchers: input.watcherIds.map((userId) => clientUser(userId, users.get(userId), true)),
    threads: [],
  };
}

/** Stream's error body. */
export function chatError(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, StatusCode: status, duration: '0.1ms', more_info: 'https://getstream.io/chat/docs/api_errors_response', details: [] };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;');
}

/** A `message.new` / `message.updated` / `message.deleted` event as the client WebSocket carries it. */
export function messageEvent(
  type: 'message.new' | 'message.updated' | 'message.deleted',
  message: StoredMessage,
  users: ReadonlyMap<string, StoredUser>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const [channelType = '', channelId = ''] = splitCid(message.cid);
  return {
    type,
    cid: message.cid,
    channel_id: channelId,
    channel_type: channelType,
    message_id: message.id,
    message: clientMessage(message, users.get(message.userId)),
    user: clientUser(message.userId, users.get(message.userId)),
    created_at: new Date().toISOString(),
    ...extra,
  };
}

function splitCid(cid: string): [string, string] {
  const colon = cid.indexOf(':');
  return [cid.slice(0, colon), cid.slice(colon + 1)];
}
