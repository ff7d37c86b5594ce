/**
 * Which messages of a Stream Chat channel are a person's typed turn for the agent, and which are
 * not (and why). Not a typed turn:
 * - `own`: the agent's (its transcripts and its posts);
 * - `transcript`: a transcript of someone's speech, written for them by an agent (it carries the
 *   chunk fields `chunk_group`, see conversation/stream);
 * - `bot`: another bot's, one whose user has the custom field `bot: true` (agents of this package
 *   mark their users so), or whose id is listed in `botUserIds`;
 * - `system`: the chat's own messages (type system, error, ephemeral command replies, deleted),
 *   and silent ones (which do not notify either);
 * - `empty`: no text, as with an attachment alone.
 * Edits and deletions are not messages (they arrive as their own events) and are never turns.
 */
import type { ChatHistoryTurn, IgnoredChatMessageReason, TypedMessage } from '../edge.js';

/** The fields of a Stream Chat message (as the client receives it) that decide its kind. */
export interface StreamChatMessage {
  id: string;
  text?: string;
  type?: string;
  silent?: boolean;
  created_at?: string | Date;
  user?: { id: string; name?: string; bot?: unknown; role?: string; [field: string]: unknown } | null;
  /** Custom fields arrive at the message's top level; `custom` too, from some endpoints. */
  custom?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface MessageKindContext {
  agentUserId: string;
  botUserIds: ReadonlySet<string>;
}

/** Message types that a person writes; the rest are the chat's own. */
const PERSON_TYPES = new Set(['regular', 'reply']);
const NOT_BLANK = /\S/;

export type MessageKind = { typed: TypedMessage } | { ignored: IgnoredChatMessageReason };

export function messageKind(message: StreamChatMessage, context: MessageKindContext): MessageKind {
  const userId = message.user?.id;
  if (message.type === 'deleted') return { ignored: 'deletion' };
  if (userId === context.agentUserId) return { ignored: 'own' };
  if (isTranscript(message)) return { ignored: 'transcript' };
  if (!userId || isBot(message.user!, context)) return { ignored: 'bot' };
  if (!PERSON_TYPES.has(message.type ?? 'regular') || message.silent === true) return { ignored: 'system' };
  const text = message.text ?? '';
  if (!NOT_BLANK.test(text)) return { ignored: 'empty' };
  return {
    typed: {
      id: message.id,
      userId,
      ...(message.user?.name ? { userName: message.user.name } : {}),
      text,
      createdAt: new Date(message.created_at ?? Date.now()),
    },
  };
}

/**
 * The channel's messages as earlier turns, oldest first: transcripts put back together from
 * their chunks (at the place of their first chunk), the agent's own as `assistant`, the chat's
 * own messages and empty ones left out.
 */
export function historyTurns(messages: readonly StreamChatMessage[], agentUserId: string): ChatHistoryTurn[] {
  const turns: Array<ChatHistoryTurn & { chunks?: Array<{ index: number; text: string }> }> = [];
  const groups = new Map<string, Array<{ index: number; text: string }>>();
  for (const message of messages) {
    const user = message.user;
    if (!user?.id || message.type === 'deleted' || !PERSON_TYPES.has(message.type ?? 'regular')) continue;
    const text = message.text ?? '';
    const group = field(message, 'chunk_group');
    const chunk = { index: Number(field(message, 'chunk_index') ?? 0), text };
    if (typeof group === 'string') {
      const chunks = groups.get(group);
      if (chunks) {
        chunks.push(chunk);
        continue;
      }
      groups.set(group, [chunk]);
    }
    const role = user.id === agentUserId ? 'assistant' : 'user';
    turns.push({
      role,
      userId: user.id,
      ...(user.name ? { userName: user.name } : {}),
      text,
      ...(typeof group === 'string' ? { chunks: groups.get(group)! } : {}),
    });
  }
  return turns
    .map(({ chunks, ...turn }) => (chunks ? { ...turn, text: chunks.sort((a, b) => a.index - b.index).map((c) => c.text).join('') } : turn))
    .filter((turn) => NOT_BLANK.test(turn.text));
}

function isTranscript(message: StreamChatMessage): boolean {
  return field(message, 'chunk_group') !== undefined;
}

function isBot(user: NonNullable<StreamChatMessage['user']>, context: MessageKindContext): boolean {
  return context.botUserIds.has(user.id) || user.bot === true || (user.custom as Record<string, unknown> | undefined)?.bot === true;
}

/** A custom field, where the client has it: at the top level (Stream's client API) or under `custom`. */
function field(message: StreamChatMessage, name: string): unknown {
  return message[name] ?? message.custom?.[name];
}
