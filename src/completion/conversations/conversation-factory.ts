/**
 * Which Conversation the stateful routes use: the Stream Chat channel of the conversation id
 * when Stream credentials are configured (one REST client shared by all of them), memory
 * otherwise.
 */
import { createStreamRestClient } from '../../conversation/stream/stream-rest-client.js';
import type { Config } from '../../config.js';
import { InMemoryConversation } from '../../conversation/index.js';
import { StreamConversation } from '../../conversation/stream/stream-conversation.js';
import type { ConversationFactory } from './conversation-directory.js';

/** Who writes a stateful completion's user messages when the request names nobody. */
export const DEFAULT_CONVERSATION_USER_ID = 'user';

export function conversationFactoryFromConfig(config: Config): ConversationFactory {
  const { apiKey, apiSecret } = config.stream;
  if (!apiKey || !apiSecret) return () => new InMemoryConversation();
  const client = createStreamRestClient({ apiKey, apiSecret, baseUrl: config.stream.baseUrl, timeoutMs: config.stream.timeoutMs });
  return (conversationId) =>
    new StreamConversation({
      client,
      channelType: config.stream.chatChannelType,
      channelId: conversationId,
      agentUserId: config.agent.userId,
      // Chat messages need existing authors: the assistant and the default user are created
      // here; a request's own `userId` must be a user of the Stream app already.
      users: [
        { id: config.agent.userId, name: config.agent.name },
        { id: DEFAULT_CONVERSATION_USER_ID, name: 'User' },
      ],
    });
}
