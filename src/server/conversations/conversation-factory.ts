/**
 * Which Conversation the stateful routes use: the Stream Chat channel of the conversation id
 * when Stream credentials are configured (one REST client shared by all of them), memory
 * otherwise.
 */
import { StreamClient } from '@stream-io/node-sdk';
import type { Config } from '../../config.js';
import { InMemoryConversation, StreamConversation } from '../../conversation/index.js';
import type { ConversationFactory } from './conversation-directory.js';

export function conversationFactoryFromConfig(config: Config): ConversationFactory {
  const { apiKey, apiSecret } = config.stream;
  if (!apiKey || !apiSecret) return () => new InMemoryConversation();
  const client = new StreamClient(apiKey, apiSecret, {
    timeout: config.stream.timeoutMs,
    ...(config.stream.baseUrl ? { basePath: config.stream.baseUrl } : {}),
  });
  return (conversationId) =>
    new StreamConversation({
      client,
      channelType: config.stream.chatChannelType,
      channelId: conversationId,
      agentUserId: config.agent.userId,
    });
}
