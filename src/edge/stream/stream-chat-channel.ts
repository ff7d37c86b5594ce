/**
 * The call's chat channel as the agent reads it: Stream Chat's WebSocket, through the official
 * `stream-chat` client connected as the agent user (the way a person's chat app reads it).
 *
 * `open` connects, watches the channel and loads its newest messages (the history); then each
 * new message is sorted (chat-message-kind.ts) into a typed turn (`message`) or not (`ignored`).
 * The client reconnects a dropped socket by itself; on its return the channel is watched again
 * with the messages since the last one seen, so what was typed while the socket was down is
 * delivered then, once (ids already seen are skipped).
 */
import { StreamChat, type Channel, type Event, type LogLevel } from 'stream-chat';
import { toError } from '../../core/errors.js';
import { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import type { ChatChannel, ChatChannelEvents, ChatHistoryTurn, EdgeUser } from '../edge.js';
import { historyTurns, messageKind, type MessageKindContext, type StreamChatMessage } from './chat-message-kind.js';

/** Stream's bound on the messages one channel query returns. */
export const MAX_CHAT_QUERY_MESSAGES = 300;
/** Messages asked for per catch-up query, and how many such pages one reconnection reads at most. */
const CATCH_UP_PAGE = 100;
const CATCH_UP_MAX_PAGES = 10;
/** Ids remembered to deliver each message once; older ones are forgotten first. */
const SEEN_IDS = 2_000;
/** The client keeps every message it sees; past this many its copy is dropped (the agent reads events, not that state). */
const CLIENT_STATE_MESSAGES = 500;

export interface StreamChatChannelInit {
  apiKey: string;
  /** Stream's API base (the client derives its WebSocket URL from it); default: Stream's own. */
  baseUrl?: string;
  timeoutMs: number;
  /** The agent's user, as the edge registered it. */
  agentUser: EdgeUser;
  /** A fresh token for the agent's user (asked again when one expires). */
  token: () => string;
  channelType: string;
  channelId: string;
  /** Newest messages loaded as the history, at most MAX_CHAT_QUERY_MESSAGES. */
  historyMessages: number;
  /** Users whose messages are a bot's (besides users marked `bot: true`). */
  botUserIds?: readonly string[];
  logger: Logger;
  signal?: AbortSignal;
  /** Called once it is closed (by whoever closed it). */
  onClosed?: (channel: StreamChatChannel) => void;
}

export class StreamChatChannel implements ChatChannel {
  readonly events = new EventBus<ChatChannelEvents>();
  readonly #client: StreamChat;
  readonly #init: StreamChatChannelInit;
  /** Made once the user is connected (the client wants it so). */
  #channel!: Channel;
  readonly #kind: MessageKindContext;
  readonly #log: Logger;
  readonly #onClosed: ((channel: StreamChatChannel) => void) | undefined;
  readonly #seen = new Set<string>();
  readonly #unsubscribe: Array<() => void> = [];
  #history: ChatHistoryTurn[] = [];
  #lastSeenId: string | undefined;
  #catchingUp: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  private constructor(init: StreamChatChannelInit) {
    this.#log = init.logger;
    this.#onClosed = init.onClosed;
    this.#kind = { agentUserId: init.agentUser.id, botUserIds: new Set(init.botUserIds ?? []) };
    this.#client = new StreamChat(init.apiKey, {
      ...(init.baseUrl ? { baseURL: init.baseUrl } : {}),
      timeout: init.timeoutMs,
      // The agent is a user of the chat on purpose: it reads the channel as a person's app does.
      allowServerSideConnect: true,
      // The channel is watched again by this class, with the messages missed, not by the client.
      recoverStateOnReconnect: false,
      logger: (level: LogLevel, message: string) => clientLog(this.#log, level, message),
    });
    this.#init = init;
  }

  get history(): readonly ChatHistoryTurn[] {
    return this.#history;
  }

  /** Connects as the agent, watches the channel and loads its history; throws what the client throws. */
  static async open(init: StreamChatChannelInit): Promise<StreamChatChannel> {
    const channel = new StreamChatChannel(init);
    try {
      init.signal?.throwIfAborted();
      await channel.#start(init);
      init.signal?.throwIfAborted();
    } catch (error) {
      await channel.close();
      throw init.signal?.aborted ? init.signal.reason : error;
    }
    return channel;
  }

  async #start(init: StreamChatChannelInit): Promise<void> {
    const { agentUser } = init;
    // The user as the edge registered it, custom fields included: connecting updates the user
    // with what it is given, and the agent's `bot: true` must stay.
    await this.#client.connectUser(
      {
        ...agentUser.custom,
        id: agentUser.id,
        ...(agentUser.name ? { name: agentUser.name } : {}),
        ...(agentUser.imageUrl ? { image: agentUser.imageUrl } : {}),
      },
      () => Promise.resolve(init.token()),
    );
    this.#channel = this.#client.channel(init.channelType, init.channelId);
    const limit = Math.min(Math.max(0, Math.floor(init.historyMessages)), MAX_CHAT_QUERY_MESSAGES);
    const state = await this.#channel.watch({ messages: { limit } });
    const earlier = state.messages as unknown as StreamChatMessage[];
    for (const message of earlier) this.#remember(message.id);
    this.#history = historyTurns(earlier, this.#kind.agentUserId);
    this.#listen();
  }

  #listen(): void {
    const on = (event: string, handler: (event: Event) => void) => {
      const subscription = this.#channel.on(event as Event['type'], handler);
      this.#unsubscribe.push(() => subscription.unsubscribe());
    };
    on('message.new', (event) => event.message && this.#onMessage(event.message as unknown as StreamChatMessage));
    on('message.updated', (event) => event.message && this.#ignore(event.message as unknown as StreamChatMessage, 'edit'));
    on('message.deleted', (event) => event.message && this.#ignore(event.message as unknown as StreamChatMessage, 'deletion'));
    const changed = this.#client.on('connection.changed', (event) => {
      if (event.online === false) this.events.emit('disconnected', { reason: 'the chat socket dropped' });
    });
    const recovered = this.#client.on('connection.recovered', () => void this.#catchUp());
    this.#unsubscribe.push(() => changed.unsubscribe(), () => recovered.unsubscribe());
  }

  /** Delivers a new message once; returns whether it was a typed turn. */
  #onMessage(message: StreamChatMessage): boolean {
    if (this.#closing || this.#seen.has(message.id)) return false;
    this.#remember(message.id);
    this.#trimClientState();
    const kind = messageKind(message, this.#kind);
    if ('ignored' in kind) {
      this.events.emit('ignored', { messageId: message.id, userId: message.user?.id, reason: kind.ignored });
      return false;
    }
    this.events.emit('message', { message: kind.typed });
    return true;
  }

  /**
   * Edits and deletions are said only of messages a person typed: transcripts change many times
   * a second while they are spoken, and were never turns.
   */
  #ignore(message: StreamChatMessage, reason: 'edit' | 'deletion'): void {
    if (this.#closing) return;
    const kind = messageKind({ ...message, type: message.type === 'deleted' ? 'regular' : message.type }, this.#kind);
    if ('typed' in kind) this.events.emit('ignored', { messageId: message.id, userId: message.user?.id, reason });
  }

  /** The socket is back: watch the channel again, delivering what was typed while it was down. */
  #catchUp(): Promise<void> {
    this.#catchingUp ??= this.#readMissed().finally(() => (this.#catchingUp = undefined));
    return this.#catchingUp;
  }

  async #readMissed(): Promise<void> {
    let caughtUp = 0;
    try {
      for (let page = 0; page < CATCH_UP_MAX_PAGES && !this.#closing; page++) {
        const after = this.#lastSeenId;
        const state = await this.#channel.watch({ messages: { limit: CATCH_UP_PAGE, ...(after ? { id_gt: after } : {}) } });
        const messages = state.messages as unknown as StreamChatMessage[];
        for (const message of messages) if (this.#onMessage(message)) caughtUp++;
        // Without a cursor the newest page is all there is to go on.
        if (messages.length < CATCH_UP_PAGE || !after) break;
      }
    } catch (error) {
      if (this.#closing) return;
      this.#log.warn({ err: toError(error).message }, 'reading the chat messages missed while disconnected failed');
      this.events.emit('error', { error: toError(error) });
      return;
    }
    if (!this.#closing) this.events.emit('reconnected', { caughtUp });
  }

  #remember(id: string): void {
    this.#seen.add(id);
    this.#lastSeenId = id;
    if (this.#seen.size > SEEN_IDS) this.#seen.delete(this.#seen.values().next().value!);
  }

  #trimClientState(): void {
    if (this.#channel?.state.messages.length > CLIENT_STATE_MESSAGES) this.#channel.state.clearMessages();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // A catch-up in flight sees the close and delivers nothing more.
      for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
      await this.#client.disconnectUser().catch((error: unknown) => {
        this.#log.warn({ err: toError(error).message }, 'disconnecting from the chat failed');
      });
      this.#onClosed?.(this);
    })();
    return this.#closing;
  }
}

/** The client's own log lines, at warn and above, into ours (its info lines are per event). */
function clientLog(log: Logger, level: LogLevel, message: string): void {
  if (level === 'error') log.error({ source: 'stream-chat' }, message);
  else if (level === 'warn') log.warn({ source: 'stream-chat' }, message);
}
