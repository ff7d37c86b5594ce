/**
 * What joining a call starts, in parallel: the call connection (with the agent's published
 * voice), the model session and the conversation. If one fails, or the join is aborted, the
 * others are stopped (their starts are aborted) and whatever did start is closed before the
 * error is thrown, so a failed or cancelled join leaves nothing running.
 */
import { toError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Conversation } from '../conversation/index.js';
import type { AudioOutput, ChatChannel, Connection, Edge, EdgeCall } from '../edge/edge.js';
import type { AddressingSettings } from '../turns/addressing.js';
import type { RealtimeModel, RealtimeSession } from '../llm/realtime.js';
import type { ToolRegistry } from '../llm/tool-registry.js';
import { AgentJoinError } from './agent-errors.js';
import type { AgentSpans } from './agent-spans.js';

export interface StartComponentsInit {
  call: EdgeCall;
  edge: Edge;
  llm: RealtimeModel;
  instructions: string | undefined;
  tools: ToolRegistry;
  /** Group calls: which turns the model answers (RealtimeConnectOptions.addressing). */
  addressing?: AddressingSettings;
  /** The conversation the caller gave; else the edge's is created (and is the agent's to close). */
  conversation: Conversation | undefined;
  spans: AgentSpans;
  logger: Logger;
  /** Read the call's chat (typed turns and history), when the edge has one; its newest messages to load. */
  chat?: { historyMessages: number };
  /** Aborting gives up: what started is closed, and the signal's reason is thrown. */
  signal: AbortSignal;
}

export interface StartedComponents {
  connection: Connection;
  output: AudioOutput;
  session: RealtimeSession;
  conversation: Conversation;
  ownsConversation: boolean;
  /** The call's chat; absent when not asked for, the edge has none, or it could not be opened. */
  chat: ChatChannel | undefined;
}

/** How long a join waits for the chat; a chat later than that is not read, and the agent goes on without it. */
export const CHAT_OPEN_WAIT_MS = 5_000;

type Component = 'call' | 'model' | 'conversation';

export async function startComponents(init: StartComponentsInit): Promise<StartedComponents> {
  const { call, edge, llm, spans, signal } = init;
  // The first failure stops the starts still running, as an abort of the join does; their
  // rejections then are its consequence, and the error names the component that failed first.
  const failed = new AbortController();
  const stop = AbortSignal.any([signal, failed.signal]);
  let first: { component: Component; error: Error } | undefined;
  const start = <T>(component: Component, starting: Promise<T>): Promise<T> =>
    spans.component(component, starting, stop).catch((thrown: unknown) => {
      if (!stop.aborted) {
        first = { component, error: toError(thrown) };
        failed.abort(first.error);
      }
      throw thrown;
    });
  const [media, session, conversation, chat] = await Promise.allSettled([
    start('call', joinCall(edge, call, stop)),
    start('model', llm.connect({ instructions: init.instructions, tools: init.tools, addressing: init.addressing, signal: stop })),
    start('conversation', init.conversation ? Promise.resolve(init.conversation) : edge.createConversation(call)),
    openChat(init, stop),
  ]);
  if (first || signal.aborted) {
    await Promise.allSettled([
      chat.status === 'fulfilled' ? chat.value?.close() : undefined,
      media.status === 'fulfilled' ? media.value.connection.close() : undefined,
      session.status === 'fulfilled' ? session.value.close() : undefined,
      conversation.status === 'fulfilled' && !init.conversation ? conversation.value.close() : undefined,
    ]);
    signal.throwIfAborted();
    init.logger.error({ failed: first!.component, err: first!.error.message }, 'agent failed to join');
    throw new AgentJoinError(first!.component, first!.error);
  }
  const ready = <T>(result: PromiseSettledResult<T>) => (result as PromiseFulfilledResult<T>).value;
  return {
    ...ready(media),
    session: ready(session),
    conversation: ready(conversation),
    ownsConversation: !init.conversation,
    chat: ready(chat),
  };
}

/**
 * The call's chat, if asked for and the edge has one. Not a component the join depends on: a
 * voice agent is useful without its chat, so a chat that fails, or is not ready within
 * CHAT_OPEN_WAIT_MS, is reported and left out (one that opens later is closed).
 */
async function openChat(init: StartComponentsInit, signal: AbortSignal): Promise<ChatChannel | undefined> {
  if (!init.chat || !init.edge.openChat) return undefined;
  const opening = init.edge.openChat(init.call, { historyMessages: init.chat.historyMessages, signal });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    opening.then((chat) => ({ chat }), (error: unknown) => ({ error: toError(error) })),
    new Promise<{ late: true }>((resolve) => (timer = setTimeout(() => resolve({ late: true }), CHAT_OPEN_WAIT_MS))),
  ]);
  clearTimeout(timer);
  if ('chat' in outcome) return outcome.chat;
  if ('late' in outcome) {
    void opening.then((chat) => chat.close(), () => undefined);
    init.logger.warn({ waitedMs: CHAT_OPEN_WAIT_MS }, "the call's chat was not ready in time; the agent goes on without reading it");
  } else if (!signal.aborted) {
    init.logger.warn({ err: outcome.error.message }, "could not read the call's chat; the agent goes on without it");
  }
  return undefined;
}

/** Joins the call and publishes the agent's voice; a connection that cannot publish is closed. */
async function joinCall(edge: Edge, call: EdgeCall, signal: AbortSignal): Promise<{ connection: Connection; output: AudioOutput }> {
  const connection = await edge.join(call, { signal });
  try {
    signal.throwIfAborted();
    return { connection, output: await connection.publishAudio() };
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
