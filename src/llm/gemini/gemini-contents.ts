/**
 * The conversation in Gemini's shape: `LLMMessage[]` becomes `Content[]` with roles 'user' and
 * 'model'. Tool calls are model parts and tool results user parts, wherever they appear in a
 * message, and neighbouring parts of the same role share one Content, which is how Gemini
 * expects parallel calls and their answers.
 */
import type { Content, Part } from '@google/genai';
import { ValidationError } from '../../core/errors.js';
import type { ContentPart, LLMMessage } from '../llm.js';
import type { ToolCall, ToolResult } from '../tool.js';
import { wireCallId } from './call-ids.js';
import { UNKNOWN_THOUGHT_SIGNATURE, type ThoughtSignatures } from './thought-signatures.js';

type Role = 'user' | 'model';

/** Throws ValidationError naming the message or part that cannot be sent. */
export function toGeminiContents(messages: readonly LLMMessage[], signatures: ThoughtSignatures): Content[] {
  if (!Array.isArray(messages)) throw new ValidationError('messages', 'must be an array of { role, content } messages');
  const contents: Content[] = [];
  const append = (role: Role, part: Part) => {
    const last = contents.at(-1);
    if (last?.role === role) last.parts!.push(part);
    else contents.push({ role, parts: [part] });
  };

  messages.forEach((message, m) => {
    const path = `messages[${m}]`;
    if (message?.role !== 'user' && message?.role !== 'assistant') {
      throw new ValidationError(`${path}.role`, `must be 'user' or 'assistant', got ${JSON.stringify(message?.role)}`);
    }
    if (!Array.isArray(message.content)) throw new ValidationError(`${path}.content`, 'must be an array of content parts');
    const role: Role = message.role === 'user' ? 'user' : 'model';
    message.content.forEach((part: ContentPart, p: number) => {
      switch (part?.type) {
        case 'text':
          // Gemini rejects empty text parts; an empty message is simply not sent.
          if (part.text) append(role, { text: part.text });
          break;
        case 'inline_data':
          append(role, { inlineData: { mimeType: part.mimeType, data: part.data } });
          break;
        case 'tool_call':
          append('model', functionCallPart(part.call, signatures.get(part.call.id)));
          break;
        case 'tool_result':
          append('user', functionResponsePart(part.call, part.result));
          break;
        default:
          throw new ValidationError(
            `${path}.content[${p}].type`,
            `must be one of text, inline_data, tool_call, tool_result; got ${JSON.stringify((part as { type?: unknown } | undefined)?.type)}`,
          );
      }
    });
  });

  if (contents.length === 0) throw new ValidationError('messages', 'at least one message with content is required');
  for (const content of contents) signUnsignedCalls(content);
  return contents;
}

export function functionCallPart(call: ToolCall, thoughtSignature?: string): Part {
  const part: Part = { functionCall: { id: wireCallId(call.id), name: call.name, args: call.arguments } };
  if (thoughtSignature) part.thoughtSignature = thoughtSignature;
  return part;
}

/** Gemini reads a function's answer from `output`, or its failure from `error`. */
export function functionResponsePart(call: ToolCall, result: ToolResult): Part {
  return {
    functionResponse: {
      id: wireCallId(call.id),
      name: call.name,
      response: result.ok ? { output: result.value } : { error: result.error },
    },
  };
}

/**
 * Gemini signs only the first call of a turn (parallel calls share it). A replayed turn whose
 * signature we do not know gets the documented stand-in on its first call, so Gemini 3 accepts it.
 */
function signUnsignedCalls(content: Content): void {
  if (content.role !== 'model') return;
  const calls = content.parts!.filter((part) => part.functionCall);
  if (calls.length === 0 || calls.some((part) => part.thoughtSignature)) return;
  calls[0]!.thoughtSignature = UNKNOWN_THOUGHT_SIGNATURE;
}
