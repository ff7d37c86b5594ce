/**
 * The Conversations behind `/api/v1/conversation/{id}/…`, one per id, kept in memory with two
 * bounds: past `maxConversations`, or past `maxTotalChars` of text in all of them (as last
 * reported with `noteSize`), the least recently used idle ones are closed (their persistence
 * drained) and forgotten. One completion at a time per conversation, so turns never interleave.
 */
import { InMemoryConversation, type Conversation } from '../../conversation/index.js';
import { CALL_ID_PATTERN } from '../../core/call-ids.js';
import { createLogger } from '../../core/logger.js';

export type ConversationFactory = (conversationId: string) => Conversation;

/**
 * A conversation may be kept as the Stream chat channel of the same id, and a call's transcript
 * is the channel with the call's id: conversation ids follow the call id's rule, in every store.
 */
export const CONVERSATION_ID = CALL_ID_PATTERN;

const log = createLogger('server.conversations');

export class ConversationDirectory {
  readonly #create: ConversationFactory;
  readonly #maxConversations: number;
  readonly #maxTotalChars: number;
  readonly #conversations = new Map<string, Conversation>();
  /** Characters of text per conversation, as last noted, and their sum. */
  readonly #sizes = new Map<string, number>();
  #totalChars = 0;
  readonly #busy = new Set<string>();
  #closed = false;

  constructor(options: { create?: ConversationFactory | undefined; maxConversations?: number; maxTotalChars?: number } = {}) {
    this.#create = options.create ?? (() => new InMemoryConversation());
    this.#maxConversations = options.maxConversations ?? 1_000;
    this.#maxTotalChars = options.maxTotalChars ?? 64_000_000;
  }

  /** Characters of text held in all conversations, as last noted. */
  get totalChars(): number {
    return this.#totalChars;
  }

  /** Records how much text the conversation now holds, and evicts others if that is too much. */
  noteSize(id: string, chars: number): void {
    if (!this.#conversations.has(id)) return;
    this.#totalChars += chars - (this.#sizes.get(id) ?? 0);
    this.#sizes.set(id, chars);
    this.#evict();
  }

  get(id: string): Conversation | undefined {
    const conversation = this.#conversations.get(id);
    if (conversation) this.#touch(id, conversation);
    return conversation;
  }

  getOrCreate(id: string): Conversation {
    const existing = this.get(id);
    if (existing) return existing;
    const conversation = this.#create(id);
    this.#conversations.set(id, conversation);
    this.#evict();
    return conversation;
  }

  /** Marks the conversation busy; false when a completion already runs on it. */
  tryAcquire(id: string): boolean {
    if (this.#busy.has(id)) return false;
    this.#busy.add(id);
    return true;
  }

  release(id: string): void {
    this.#busy.delete(id);
  }

  /** Drains and closes every conversation; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const all = [...this.#conversations.values()];
    this.#conversations.clear();
    this.#sizes.clear();
    this.#totalChars = 0;
    await Promise.allSettled(all.map((conversation) => conversation.close()));
  }

  /** Map order is recency order: re-inserting moves an entry to the end. */
  #touch(id: string, conversation: Conversation): void {
    this.#conversations.delete(id);
    this.#conversations.set(id, conversation);
  }

  #evict(): void {
    for (const [id, conversation] of this.#conversations) {
      if (this.#conversations.size <= this.#maxConversations && this.#totalChars <= this.#maxTotalChars) return;
      if (this.#busy.has(id)) continue;
      this.#conversations.delete(id);
      this.#totalChars -= this.#sizes.get(id) ?? 0;
      this.#sizes.delete(id);
      conversation.close().catch((error: unknown) => log.warn({ err: error, conversationId: id }, 'closing an evicted conversation failed'));
    }
  }
}
