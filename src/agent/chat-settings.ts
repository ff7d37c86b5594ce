/**
 * How an agent uses its call's chat, beside its voice: what people type is their turn, answers
 * to typed turns go where `chatReplies` says, the model can post to the chat (the
 * `post_to_chat` tool), and a joining agent reads the chat's recent history first. Declared once
 * here with their defaults, and checked.
 */
import { ValidationError } from '../core/errors.js';
import { POST_TO_CHAT_TOOL } from './post-to-chat-tool.js';

/**
 * Where the answer to a typed turn goes:
 * - `voice`: spoken, like any answer (its transcript lands in the chat as every answer's does,
 *   cut where the voice was cut);
 * - `text`: written to the chat, not spoken;
 * - `both`: spoken, and the chat keeps the whole answer even when speech over it cuts the voice.
 */
export type ChatReplies = 'voice' | 'text' | 'both';
export const CHAT_REPLIES: readonly ChatReplies[] = ['voice', 'text', 'both'];

/** The chat's earlier messages given to the model on join: the newest, within both bounds. */
export interface ChatHistoryLimits {
  maxMessages: number;
  maxChars: number;
}

/** Each person's typed turns: `burst` at once, then one more per `60 000 / perMinute` ms. */
export interface ChatRateLimit {
  burst: number;
  perMinute: number;
}

export interface ChatOptions {
  /** Read what people type into the call's chat as their turns. Default true. */
  chatInput?: boolean;
  /** Where answers to typed turns go. Default 'voice'. */
  chatReplies?: ChatReplies;
  /** The built-in `post_to_chat` tool (links, code, lists, addresses). Default true. */
  chatTool?: boolean;
  /** The chat history a joining agent reads; false: none. Default 50 messages, 8 000 characters. */
  chatHistory?: Partial<ChatHistoryLimits> | false;
  /** Each person's typed turns. Default a burst of 5, then 12 a minute. */
  chatRateLimit?: Partial<ChatRateLimit>;
}

export interface ChatSettings {
  input: boolean;
  replies: ChatReplies;
  tool: boolean;
  history: ChatHistoryLimits | undefined;
  rateLimit: ChatRateLimit;
}

export const CHAT_DEFAULTS = {
  history: { maxMessages: 50, maxChars: 8_000 },
  rateLimit: { burst: 5, perMinute: 12 },
} as const;

/** Stream's bound on the messages one query returns. */
const MAX_HISTORY_MESSAGES = 300;

export function resolveChatSettings(options: ChatOptions): ChatSettings {
  const { chatInput, chatReplies, chatTool, chatHistory, chatRateLimit } = options;
  for (const [name, value] of [['chatInput', chatInput], ['chatTool', chatTool]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new ValidationError(name, `must be true or false, got ${JSON.stringify(value)}`);
  }
  if (chatReplies !== undefined && !CHAT_REPLIES.includes(chatReplies)) {
    throw new ValidationError('chatReplies', `must be one of ${CHAT_REPLIES.join(', ')}, got ${JSON.stringify(chatReplies)}`);
  }
  const history =
    chatHistory === false
      ? undefined
      : {
          maxMessages: integer('chatHistory.maxMessages', chatHistory?.maxMessages ?? CHAT_DEFAULTS.history.maxMessages, 0, MAX_HISTORY_MESSAGES),
          maxChars: integer('chatHistory.maxChars', chatHistory?.maxChars ?? CHAT_DEFAULTS.history.maxChars, 0, 1_000_000),
        };
  return {
    input: chatInput ?? true,
    replies: chatReplies ?? 'voice',
    tool: chatTool ?? true,
    history: history && history.maxMessages > 0 && history.maxChars > 0 ? history : undefined,
    rateLimit: {
      burst: integer('chatRateLimit.burst', chatRateLimit?.burst ?? CHAT_DEFAULTS.rateLimit.burst, 1, 1_000),
      perMinute: integer('chatRateLimit.perMinute', chatRateLimit?.perMinute ?? CHAT_DEFAULTS.rateLimit.perMinute, 1, 6_000),
    },
  };
}

function integer(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(path, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** What the instructions add so that the model knows the chat: typed turns, and the tool to post. */
export function chatInstructions(settings: Pick<ChatSettings, 'input'>, tool: boolean): string | undefined {
  const lines = [
    settings.input ? "People in this call can also type in the call's chat; their messages reach you as “Name typed in the chat: …”." : undefined,
    tool
      ? `Use the ${POST_TO_CHAT_TOOL} tool for what reads better than it sounds: links, code, lists, addresses, numbers, names to spell. Say briefly that you posted it instead of reading it out.`
      : undefined,
  ].filter((line): line is string => line !== undefined);
  return lines.length > 0 ? lines.join(' ') : undefined;
}
