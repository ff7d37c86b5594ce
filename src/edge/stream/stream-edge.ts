/**
 * The Edge for Stream Video: users, calls and tokens through @stream-io/node-sdk (REST), media
 * through @stream-io/video-client on @roamhq/wrtc, the transcript in the call's chat channel.
 *
 *   const edge = new StreamEdge(streamEdgeOptions(loadConfig()));   // or new StreamEdge({ apiKey, apiSecret })
 *   await edge.authenticate({ id: 'gemini-agent', name: 'Gemini', custom: { provider: 'google', model } });
 *   const call = await edge.createCall('default', 'my-call');
 *   await edge.openDemo(call);
 *   const connection = await edge.join(call);
 *   ...
 *   await edge.close();   // the process can then end by itself (see wrtc-exit.ts)
 *
 * One edge is one agent user; it can be in several calls at once (one connection each), over
 * one coordinator connection.
 */
import type { StreamClient } from '@stream-io/node-sdk';
import { createStreamRestClient } from '../../conversation/stream/stream-rest-client.js';
import type { StreamVideoClient } from '@stream-io/video-client';
import open from 'open';
import { StreamConversation } from '../../conversation/stream/stream-conversation.js';
import { isRetryableStreamError, streamErrorStatus } from '../../conversation/stream/stream-errors.js';
import { invalidCallId, invalidCallType, isCallId, isCallType } from '../../core/call-ids.js';
import { EdgeError, ProviderError, ValidationError, toError } from '../../core/errors.js';
import { childLogger, createLogger, type Logger } from '../../core/logger.js';
import type { DemoLink, Edge, EdgeCall, EdgeUser, JoinOptions, OpenChatOptions } from '../edge.js';
import { StreamChatChannel } from './stream-chat-channel.js';
import { canOpenBrowser, demoUrl } from './demo-link.js';
import {
  resolveStreamEdgeOptions,
  type StreamEdgeInit,
  type StreamEdgeOptions,
} from './stream-edge-options.js';
import { StreamConnection } from './stream-connection.js';
import { loadVideoClient } from './webrtc-runtime.js';

/** Stream's rule for user ids, loosely (the server has the last word); call ids: src/core/call-ids.ts. */
const USER_ID = /^[^\s]{1,255}$/;
/** The video client's warnings about browser device features, which an agent never has. */
const NODE_HAS_NO_DEVICE = /not supported on this device/i;
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;

export class StreamEdge implements Edge {
  readonly options: Readonly<StreamEdgeOptions>;
  /** The REST client (users, calls, chat); the conversation writes through it too. */
  readonly rest: StreamClient;
  readonly #log: Logger;
  readonly #connections = new Set<StreamConnection>();
  /** Chats opened, closed with the edge (the agent closes its own first; closing again is free). */
  readonly #chats = new Set<StreamChatChannel>();
  #user: EdgeUser | undefined;
  #videoClient: Promise<StreamVideoClient> | undefined;
  #demoUser: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(init: StreamEdgeInit) {
    this.options = Object.freeze(resolveStreamEdgeOptions(init));
    if (!this.options.apiKey || !this.options.apiSecret) {
      throw new ValidationError('apiKey', 'StreamEdge needs the Stream API key and secret (STREAM_API_KEY, STREAM_API_SECRET)');
    }
    this.#log = this.options.logger ?? createLogger('edge.stream');
    this.rest = createStreamRestClient(this.options);
  }


  /** The connections currently open. */
  get connections(): readonly StreamConnection[] {
    return [...this.#connections];
  }

  async authenticate(user: EdgeUser): Promise<void> {
    this.#assertOpen();
    if (typeof user?.id !== 'string' || !USER_ID.test(user.id)) {
      throw new ValidationError('user.id', `expected a non-empty Stream user id without spaces, got ${JSON.stringify(user?.id)}`);
    }
    if (this.#user && this.#user.id !== user.id) {
      throw new EdgeError(`This edge is already authenticated as ${this.#user.id}; create another StreamEdge for ${user.id}.`);
    }
    await this.#rest(`upsert the agent user ${user.id}`, () =>
      this.rest.upsertUsers([
        { id: user.id, name: user.name, image: user.imageUrl, custom: user.custom ?? {}, role: 'user' },
      ]),
    );
    this.#user = { ...user };
  }

  async createCall(type: string, id: string): Promise<EdgeCall> {
    this.#assertOpen();
    const agent = this.#requireUser('createCall');
    const call = toEdgeCall(type, id);
    await this.#rest(`get or create call ${call.cid}`, () =>
      this.rest.video.call(call.type, call.id).getOrCreate({ data: { created_by_id: agent.id } }),
    );
    return call;
  }

  async join(call: EdgeCall, options: JoinOptions = {}): Promise<StreamConnection> {
    this.#assertOpen();
    const agent = this.#requireUser('join');
    const target = toEdgeCall(call?.type, call?.id);
    if (this.connections.some((connection) => connection.call.cid === target.cid)) {
      throw new EdgeError(`This edge is already in call ${target.cid}; close that connection first.`, { code: 'EDGE_ALREADY_JOINED' });
    }
    options.signal?.throwIfAborted();
    const [sdk, client] = await Promise.all([loadVideoClient(), this.#connectVideoClient(agent)]);
    options.signal?.throwIfAborted();
    const sdkCall = client.call(target.type, target.id);

    const onAbort = () => {
      void sdkCall.leave({ message: 'join aborted' }).catch(() => undefined);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await sdkCall.join({ create: true });
      options.signal?.throwIfAborted();
    } catch (thrown) {
      if (sdkCall.state.callingState !== sdk.CallingState.LEFT) await sdkCall.leave().catch(() => undefined);
      if (options.signal?.aborted) throw options.signal.reason;
      throw new EdgeError(`Could not join call ${target.cid}: ${toError(thrown).message}`, {
        code: 'EDGE_JOIN',
        retryable: true,
        cause: thrown,
      });
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (this.#closing) {
      // close() ran while this join was in flight: it cannot own a connection it never saw.
      await sdkCall.leave().catch(() => undefined);
      throw new EdgeError('This StreamEdge was closed while joining; create a new one.', { code: 'EDGE_CLOSED' });
    }

    const connection: StreamConnection = new StreamConnection({
      call: target,
      sdkCall,
      sdk,
      agentUserId: agent.id,
      logger: childLogger(this.#log, { cid: target.cid }),
      onClosed: () => this.#connections.delete(connection),
    });
    this.#connections.add(connection);
    connection.start();
    this.#log.info({ cid: target.cid, userId: agent.id }, 'joined call');
    return connection;
  }

  async createConversation(call: EdgeCall): Promise<StreamConversation> {
    this.#assertOpen();
    const agent = this.#requireUser('createConversation');
    const target = toEdgeCall(call?.type, call?.id);
    await this.#ensureDemoUser();
    return new StreamConversation({
      client: this.rest,
      channelType: this.options.chatChannelType,
      channelId: target.id,
      agentUserId: agent.id,
      members: [this.options.demoUser.id],
    });
  }

  /**
   * Reads the call's chat as the agent: the channel (the conversation's: channel id = call id)
   * is created if need be, then watched over Stream Chat's WebSocket (see StreamChatChannel).
   */
  async openChat(call: EdgeCall, options: OpenChatOptions): Promise<StreamChatChannel> {
    this.#assertOpen();
    const agent = this.#requireUser('openChat');
    const target = toEdgeCall(call?.type, call?.id);
    await this.#rest(`get or create chat channel ${this.options.chatChannelType}:${target.id}`, () =>
      this.rest.chat.channel(this.options.chatChannelType, target.id).getOrCreate({
        data: { created_by_id: agent.id, members: [{ user_id: agent.id }] },
      }),
    );
    options.signal?.throwIfAborted();
    const channel = await StreamChatChannel.open({
      apiKey: this.options.apiKey,
      baseUrl: this.options.baseUrl,
      timeoutMs: this.options.timeoutMs,
      agentUser: agent,
      token: () => this.rest.generateUserToken({ user_id: agent.id, validity_in_seconds: this.options.agentTokenTtlS }),
      channelType: this.options.chatChannelType,
      channelId: target.id,
      historyMessages: options.historyMessages,
      botUserIds: this.options.chatBotUserIds,
      logger: childLogger(this.#log, { cid: target.cid, component: 'chat' }),
      signal: options.signal,
      onClosed: (closed) => this.#chats.delete(closed),
    }).catch((thrown: unknown) => {
      if (options.signal?.aborted) throw thrown;
      throw new EdgeError(`Could not read the chat of call ${target.cid}: ${toError(thrown).message}`, {
        code: 'EDGE_CHAT',
        retryable: true,
        cause: thrown,
      });
    });
    if (this.#closing) {
      await channel.close();
      throw new EdgeError('This StreamEdge was closed while opening the chat; create a new one.', { code: 'EDGE_CLOSED' });
    }
    this.#chats.add(channel);
    return channel;
  }

  async openDemo(call: EdgeCall): Promise<DemoLink> {
    this.#assertOpen();
    const target = toEdgeCall(call?.type, call?.id);
    await this.#ensureDemoUser();
    const url = demoUrl({
      baseUrl: this.options.demoBaseUrl,
      call: target,
      apiKey: this.options.apiKey,
      token: this.rest.generateUserToken({ user_id: this.options.demoUser.id, validity_in_seconds: this.options.demoTokenTtlS }),
      userName: this.options.demoUser.name,
      chatChannelType: this.options.chatChannelType,
    });
    // Printed, not logged: it is for the person at the terminal, whatever LOG_LEVEL says.
    console.log(`\nJoin the call in your browser: ${url}\n`);
    const opened = canOpenBrowser(this.options.openBrowser);
    if (opened) {
      await open(url).catch((thrown: unknown) => {
        this.#log.warn({ err: toError(thrown) }, 'could not open a browser; use the printed link');
      });
    }
    return { url, opened };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const open: Array<{ close(): Promise<void> }> = [...this.#connections, ...this.#chats];
    await Promise.all(open.map((component) => component.close()));
    const client = await this.#videoClient?.catch(() => undefined);
    await client?.disconnectUser().catch((thrown: unknown) => {
      this.#log.warn({ err: toError(thrown) }, 'disconnecting the video client failed');
    });
  }

  /** One video client per edge (the agent's user), connected on first join. */
  #connectVideoClient(agent: EdgeUser): Promise<StreamVideoClient> {
    const connecting = (this.#videoClient ??= this.#createVideoClient(agent));
    connecting.catch(() => {
      if (this.#videoClient === connecting) this.#videoClient = undefined; // the next join retries
    });
    return connecting;
  }

  async #createVideoClient(agent: EdgeUser): Promise<StreamVideoClient> {
    const { StreamVideoClient } = await loadVideoClient();
    const sdkLog = childLogger(this.#log, { sdk: 'video-client' });
    const client = new StreamVideoClient(this.options.apiKey, {
      ...(this.options.videoBaseUrl ? { baseURL: this.options.videoBaseUrl } : {}),
      ...(this.options.locationHintUrl ? { locationHintUrl: this.options.locationHintUrl } : {}),
      timeout: this.options.timeoutMs,
      // The coordinator socket's connect timeout. The client leaves that timer running after
      // it connects, so it is also how long a process that joined moments ago may take to end
      // by itself after closing: the SDK's default is 15 s.
      defaultWsTimeout: this.options.timeoutMs,
      // A server process connecting as a user is what an agent is.
      allowServerSideConnect: true,
      clientEventsReportingEnabled: false,
      logOptions: {
        default: {
          level: this.options.sdkLogLevel,
          // Only the message and any Error: the SDK's other arguments can carry tokens.
          sink: (level, message, ...data) => {
            const err = data.find((item): item is Error => item instanceof Error);
            // Camera and microphone features do not exist in Node; saying so is not a warning.
            const quiet = level === 'warn' && NODE_HAS_NO_DEVICE.test(message);
            // At trace level the SDK prints its auth message, token included.
            sdkLog[quiet ? 'debug' : level](err ? { err } : {}, message.replace(JWT, '[redacted token]'));
          },
        },
      },
    });
    const tokenProvider = async () =>
      this.rest.generateUserToken({ user_id: agent.id, validity_in_seconds: this.options.agentTokenTtlS });
    try {
      await client.connectUser({ id: agent.id, name: agent.name, image: agent.imageUrl, custom: agent.custom }, tokenProvider);
    } catch (thrown) {
      await client.disconnectUser().catch(() => undefined);
      throw new EdgeError(`Could not connect to Stream Video as ${agent.id}: ${toError(thrown).message}`, {
        code: 'EDGE_CONNECT',
        retryable: true,
        cause: thrown,
      });
    }
    return client;
  }

  #ensureDemoUser(): Promise<void> {
    const { id, name } = this.options.demoUser;
    const creating = (this.#demoUser ??= this.#rest(`upsert the demo user ${id}`, () =>
      this.rest.upsertUsers([{ id, name, role: 'user' }]),
    ).then(() => undefined));
    creating.catch(() => {
      if (this.#demoUser === creating) this.#demoUser = undefined;
    });
    return creating;
  }

  /** Runs a REST call; a failure becomes a ProviderError that says whether retrying can help. */
  async #rest<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (thrown) {
      throw new ProviderError(`Stream could not ${what}: ${toError(thrown).message}`, {
        provider: 'stream',
        status: streamErrorStatus(thrown),
        retryable: isRetryableStreamError(thrown),
        cause: thrown,
      });
    }
  }

  #requireUser(operation: string): EdgeUser {
    if (!this.#user) throw new EdgeError(`Call authenticate(user) before ${operation}().`, { code: 'EDGE_NOT_AUTHENTICATED' });
    return this.#user;
  }

  #assertOpen(): void {
    if (this.#closing) throw new EdgeError('This StreamEdge is closed; create a new one.', { code: 'EDGE_CLOSED' });
  }
}

function toEdgeCall(type: unknown, id: unknown): EdgeCall {
  if (!isCallType(type)) throw new ValidationError('call.type', invalidCallType(type));
  if (!isCallId(id)) throw new ValidationError('call.id', invalidCallId(id));
  return { type, id, cid: `${type}:${id}` };
}
