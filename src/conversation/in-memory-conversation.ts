import { Conversation, type ConversationOptions } from './conversation.js';

/** Keeps the transcript in memory only: no external services. The default for development and tests. */
export class InMemoryConversation extends Conversation {
  constructor(options: ConversationOptions = {}) {
    // Nothing leaves the process, so there is nothing to throttle.
    super({ minUpdateIntervalMs: 0, ...options });
  }

  protected override persist(): Promise<void> {
    return Promise.resolve();
  }
}
