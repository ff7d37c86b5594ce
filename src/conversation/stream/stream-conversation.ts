/**
 * A Conversation persisted to a Stream Chat channel (by default `messaging:<callId>`), so the
 * people in a call see the transcript in its chat.
 *
 * Each message is stored as one or more chat messages (chunks of at most `maxChunkChars`,
 * custom fields `chunk_group`, `chunk_index`, `total_chunks`, `generating`). While a message
 * is generating, changed chunks are fanned out with the ephemeral update endpoint (clients see
 * them, nothing is stored); when it completes, each chunk's final text is stored with a partial
 * update. Chunk ids are derived from the message id, so a retried create can never make a
 * second copy.
 */
import type { StreamClient } from '@stream-io/node-sdk';
import { Conversation, type ConversationOptions, type IndicatorState, type PersistRequest } from '../conversation.js';
import type { RetryVerdict } from '../sync-worker.js';
import { DEFAULT_CHUNK_CHARS, splitIntoChunks } from './chunking.js';
import { classifyStreamError, isDuplicateMessageError, isMissingMessageError } from './stream-errors.js';

export interface StreamConversationOptions extends ConversationOptions {
  client: StreamClient;
  /** The channel id: the call id. */
  channelId: string;
  /** Default 'messaging'. */
  channelType?: string;
  /** The agent's user id: the channel's creator and the author of assistant messages. */
  agentUserId: string;
  /** Other members of the channel, e.g. the demo user. */
  members?: string[];
  /**
   * Users to create (or update) before the channel, for authors that may not exist in Stream
   * yet, such as the stateful completion API's default user. Call participants and the
   * agent (upserted by the edge) need not be listed.
   */
  users?: Array<{ id: string; name?: string }>;
  /** Default 1000. */
  maxChunkChars?: number;
}

/** What we know has reached Stream for one chunk. */
interface ChunkState {
  id: string;
  /** Text last fanned out or stored; what clients show. */
  shownText: string;
  /** Text stored for good (by create or partial update). */
  storedText: string;
  storedGenerating: boolean;
  storedTotal: number;
}

const INDICATOR_STATES: Record<Exclude<IndicatorState, 'idle'>, string> = {
  thinking: 'AI_STATE_THINKING',
  generating: 'AI_STATE_GENERATING',
};

export class StreamConversation extends Conversation {
  readonly channelType: string;
  readonly channelId: string;
  readonly #client: StreamClient;
  readonly #agentUserId: string;
  readonly #members: string[];
  readonly #users: Array<{ id: string; name?: string }>;
  readonly #maxChunkChars: number;
  readonly #chunks = new Map<string, ChunkState[]>();
  #channelReady = false;

  constructor(options: StreamConversationOptions) {
    super(options);
    this.#client = options.client;
    this.channelType = options.channelType ?? 'messaging';
    this.channelId = options.channelId;
    this.#agentUserId = options.agentUserId;
    this.#members = [...new Set([options.agentUserId, ...(options.members ?? [])])];
    this.#users = options.users ?? [];
    this.#maxChunkChars = options.maxChunkChars ?? DEFAULT_CHUNK_CHARS;
    splitIntoChunks('', this.#maxChunkChars); // validates maxChunkChars up front
  }

  protected override classifyError(error: Error): RetryVerdict {
    return classifyStreamError(error);
  }

  protected override async persist({ message, final }: PersistRequest): Promise<void> {
    const texts = splitIntoChunks(message.content, this.#maxChunkChars);
    const known = this.#chunks.get(message.id) ?? [];
    // Chat messages need text: an empty message waits for its first words, and one that
    // ends empty is never stored.
    if (known.length === 0 && message.content.length === 0) return;
    await this.#ensureChannel();
    this.#chunks.set(message.id, known);
    const total = texts.length;
    for (let index = 0; index < total; index++) {
      const text = texts[index]!;
      const fields = { generating: !final, chunk_group: message.id, chunk_index: index, total_chunks: total };
      const chunk = (known[index] ??= await this.#createChunk(chunkId(message.id, index), message.userId, text, fields));
      if (final) {
        if (chunk.storedText !== text || chunk.storedGenerating || chunk.storedTotal !== total) {
          await this.#client.chat.updateMessagePartial({ id: chunk.id, user_id: message.userId, set: { text, ...fields } });
          Object.assign(chunk, { shownText: text, storedText: text, storedGenerating: false, storedTotal: total });
        }
      } else if (chunk.shownText !== text) {
        await this.#client.chat.ephemeralMessageUpdate({ id: chunk.id, user_id: message.userId, set: { text, ...fields } });
        chunk.shownText = text;
      }
    }
    while (known.length > total) {
      const extra = known.at(-1)!;
      await this.#client.chat.deleteMessage({ id: extra.id, hard: true }).catch((error: unknown) => {
        if (!isMissingMessageError(error)) throw error;
      });
      known.pop();
    }
    if (final) this.#chunks.delete(message.id);
  }

  protected override async persistIndicator(state: IndicatorState, messageId: string | undefined): Promise<void> {
    await this.#ensureChannel();
    const channel = this.#client.chat.channel(this.channelType, this.channelId);
    if (state === 'idle') {
      await channel.sendEvent({ event: { type: 'ai_indicator.clear', user_id: this.#agentUserId } });
      return;
    }
    await channel.sendEvent({
      event: {
        type: 'ai_indicator.update',
        user_id: this.#agentUserId,
        custom: { ai_state: INDICATOR_STATES[state], ...(messageId ? { message_id: messageId } : {}) },
      },
    });
  }

  async #createChunk(
    id: string,
    userId: string,
    text: string,
    fields: { generating: boolean; total_chunks: number },
  ): Promise<ChunkState> {
    const channel = this.#client.chat.channel(this.channelType, this.channelId);
    try {
      await channel.sendMessage({ message: { id, text, user_id: userId, custom: { ...fields } } });
    } catch (error) {
      if (!isDuplicateMessageError(error)) throw error;
      // An earlier attempt was stored but its answer lost; what it holds is unknown, so the
      // next write re-sends the text and fields in full.
      return { id, shownText: '', storedText: '', storedGenerating: true, storedTotal: 0 };
    }
    return { id, shownText: text, storedText: text, storedGenerating: fields.generating, storedTotal: fields.total_chunks };
  }

  async #ensureChannel(): Promise<void> {
    if (this.#channelReady) return;
    if (this.#users.length > 0) await this.#client.upsertUsers(this.#users.map((user) => ({ ...user, role: 'user' })));
    await this.#client.chat.channel(this.channelType, this.channelId).getOrCreate({
      data: { created_by_id: this.#agentUserId, members: this.#members.map((user_id) => ({ user_id })) },
    });
    this.#channelReady = true;
  }
}

/** The first chunk keeps the message's own id; later ones derive theirs from it. */
function chunkId(messageId: string, index: number): string {
  return index === 0 ? messageId : `${messageId}-${index}`;
}
