/**
 * A Conversation that appends every persisted state of a message to a JSON Lines file: the
 * example of a custom store. It implements the one hook, `persist`; ordering, coalescing,
 * throttling and retries come from the base class.
 */
import { appendFile } from 'node:fs/promises';
import { Conversation, type ConversationOptions, type PersistRequest } from './conversation.js';

export class JsonlFileConversation extends Conversation {
  constructor(
    readonly path: string,
    options: ConversationOptions = {},
  ) {
    super(options);
  }

  protected override async persist({ message, final }: PersistRequest): Promise<void> {
    const line = { ...message, timestamp: message.timestamp.toISOString(), final };
    await appendFile(this.path, `${JSON.stringify(line)}\n`, 'utf8');
  }
}
