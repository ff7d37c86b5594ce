/**
 * Who may use a stateful conversation: the API key that created it (its first request), and the
 * trusted key. Any other key is told the conversation does not exist, so ids cannot be probed.
 * Owners live in the KeyValueStore, so every node sharing a store agrees, also for conversations
 * another node holds or has forgotten.
 *
 * Access is never granted without the store: when it fails or does not answer in time, the
 * request gets the store's 503 (retry shortly), not the conversation.
 */
import { withDeadline } from '../../core/deadline.js';
import { AgentsError, toError } from '../../core/errors.js';
import type { KeyValueStore } from '../../store/store.js';
import type { Caller } from '../../http/api-keys.js';

export class ConversationOwners {
  readonly #store: KeyValueStore;
  readonly #storeTimeoutMs: number;

  /** `storeTimeoutMs`: a store slower than this (default 1 000) counts as unavailable. */
  constructor(store: KeyValueStore, options: { storeTimeoutMs?: number } = {}) {
    this.#store = store;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 1_000;
  }

  /** True when `caller` may use the conversation; an unowned one becomes the caller's. */
  async claim(conversationId: string, caller: Caller): Promise<boolean> {
    const key = ownerKey(conversationId);
    if (await this.#ask(this.#store.setIfAbsent(key, caller.keyId))) return true;
    return caller.trusted || (await this.#ask(this.#store.get(key))) === caller.keyId;
  }

  /** True when `caller` may read the conversation: it owns it, or it is the trusted key. */
  async mayRead(conversationId: string, caller: Caller): Promise<boolean> {
    if (caller.trusted) return true;
    return (await this.#ask(this.#store.get(ownerKey(conversationId)))) === caller.keyId;
  }

  async #ask<T>(operation: Promise<T>): Promise<T> {
    try {
      return await withDeadline(operation, this.#storeTimeoutMs, 'the store');
    } catch (thrown) {
      const error = toError(thrown);
      if (error instanceof AgentsError && error.code === 'STORE_UNAVAILABLE') throw error;
      throw new AgentsError(`The store could not say who owns the conversation: ${error.message}.`, { code: 'STORE_UNAVAILABLE', retryable: true, cause: error });
    }
  }
}

function ownerKey(conversationId: string): string {
  return `conversation:${conversationId}:owner`;
}
