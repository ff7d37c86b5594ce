/**
 * The built-in tool that lets the model write to the call's chat what reads better than it
 * sounds: links, code, lists, addresses, a name spelled out. The post is an agent message of the
 * conversation, so it lands in the chat like the agent's transcripts (and in memory when the
 * conversation is not a chat).
 */
import { z } from 'zod';
import type { Conversation } from '../conversation/index.js';
import { defineTool } from '../llm/define-tool.js';
import type { ToolDefinition } from '../llm/tool.js';

export const POST_TO_CHAT_TOOL = 'post_to_chat';

/** A post is a message, not a document. */
export const MAX_POST_CHARS = 4_000;

/** The tool, writing as `agentUserId` into the conversation `conversation()` returns (the joined call's). */
export function postToChatTool(conversation: () => Conversation | undefined, agentUserId: string): ToolDefinition<any> {
  return defineTool({
    name: POST_TO_CHAT_TOOL,
    description: "Posts a message to the call's chat, where everyone in the call can read it. For links, code, lists, addresses and other text that reads better than it sounds.",
    parameters: z.object({
      text: z.string().trim().min(1, 'text must not be empty').max(MAX_POST_CHARS, `text must be at most ${MAX_POST_CHARS} characters`),
    }),
    execute: ({ text }) => {
      const target = conversation();
      if (!target) throw new Error('the agent is not in a call');
      const message = target.send('assistant', agentUserId, text);
      return { posted: true, messageId: message.id };
    },
  });
}
