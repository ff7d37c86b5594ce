/**
 * The Conversations behind `/api/v1/conversation/{id}/…`, one per id, kept in memory with a
 * bound: past `maxConversations` the least recently used idle one is closed (its persistence
 * drained) and forgotten. One completion at a time per conversation, so turns never interleave.
 */
import { InMemoryConversation, type Conversation } from '../../conversation/index.js';
import { createLogger } from '../../core/logger.js';

export type ConversationFactory = (conversationId: string) => Conversation;

/** Stream channel ids allow letters, digits, `-` and `_`; we keep to that for every store. */
export const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

const log = createLogger('server.conversations');

export class ConversationDirectory {
  readonly #create: ConversationFactory;
  readonly #maxConversations: number;
  readonly #conversations = new Map<string, Conversation>();
  readonly #busy = new Set<string>();
  #closed = false;

  constructor(options: { create?: ConversationFactory | undefined; maxConversations?: number } = {}) {
    this.#create = options.create ?? (() => new InMemoryConversation());
    this.#maxConversations = options.maxConversations ?? 1_000;
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
    await Promise.allSettled(all.map((conversation) => conversation.close()));
  }

  /** Map order is recency order: re-inserting moves an entry to the end. */
  #touch(id: string, conversation: Conversation): void {
    this.#conversations.delete(id);
    this.#conversations.set(id, conversation);
  }

  #evict(): void {
    for (const [id, conversation] of this.#conversations) {
      if (this.#conversations.size <= this.#maxConversations) return;
      if (this.#busy.has(id)) continue;
      this.#conversations.delete(id);
      conversation.close().catch((error: unknown) => log.warn({ err: error, conversationId: id }, 'closing an evicted conversation failed'));
    }
  }
}
