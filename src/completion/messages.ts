/**
 * Protocol messages → model turns and system context.
 *
 * The rule for each type:
 * - `user` / `bot`: user / assistant turns.
 * - `backstory`, `instruction`, `context`: system context (in that order of sections), never turns.
 * - `activity`: `request` → the assistant's function call; `response` → its result (a call is
 *   synthesised when the request is missing, since a model needs the call before the result);
 *   a request never answered is dropped (the model would otherwise wait for it); `trigger` →
 *   a user turn describing the event.
 * - `reasoning`: dropped. It is the model's earlier thinking, which the model cannot take
 *   back as input (Gemini's thoughts are tied to signatures this protocol does not carry).
 * - `checkpoint`: a summary of everything before it. Turns before the last checkpoint are
 *   dropped and its text becomes system context ("the conversation so far"); system messages
 *   before it are kept.
 * Consecutive turns of one role are merged into one model turn.
 */
import type { ContentPart, LLMMessage } from '../llm/llm.js';
import type { ToolCall, ToolResult } from '../llm/tool.js';
import { parseArguments, type Activity, type RequestMessage } from './request-schema.js';

export interface MappedMessages {
  turns: LLMMessage[];
  backstory: string[];
  instructions: string[];
  context: string[];
  /** The last checkpoint's text, if any. */
  summary?: string;
}

type TurnPart = { role: LLMMessage['role']; part: ContentPart };

export function mapMessages(messages: readonly RequestMessage[], options: { interactionMaxMessages?: number } = {}): MappedMessages {
  const mapped: MappedMessages = { turns: [], backstory: [], instructions: [], context: [] };
  let lastCheckpoint = -1;
  messages.forEach((message, index) => {
    if (message.type === 'checkpoint') lastCheckpoint = index;
  });
  if (lastCheckpoint >= 0) mapped.summary = messages[lastCheckpoint]!.text;

  const parts: TurnPart[] = [];
  // Calls waiting for their response, by function name, oldest first.
  const pending = new Map<string, Array<{ call: ToolCall; at: number }>>();
  const unanswered = new Set<number>();
  messages.forEach((message, index) => {
    switch (message.type) {
      case 'backstory':
        return void mapped.backstory.push(message.text);
      case 'instruction':
        return void mapped.instructions.push(message.text);
      case 'context':
        return void mapped.context.push(message.text);
      case 'reasoning':
      case 'checkpoint':
        return;
    }
    if (index < lastCheckpoint) return;
    if (message.type === 'user') return void parts.push({ role: 'user', part: { type: 'text', text: message.text } });
    if (message.type === 'bot') return void parts.push({ role: 'assistant', part: { type: 'text', text: message.text } });
    const activity = message.meta!.activity as Activity;
    const name = activity.function.name;
    const args = parseArguments(activity.function.arguments);
    if (activity.type === 'request') {
      const call: ToolCall = { id: `activity-${index}`, name, arguments: args };
      const queue = pending.get(name) ?? [];
      queue.push({ call, at: parts.length });
      pending.set(name, queue);
      unanswered.add(parts.length);
      parts.push({ role: 'assistant', part: { type: 'tool_call', call } });
      return;
    }
    if (activity.type === 'response') {
      const request = pending.get(name)?.shift();
      let call = request?.call;
      if (request) unanswered.delete(request.at);
      else {
        call = { id: `activity-${index}`, name, arguments: args };
        parts.push({ role: 'assistant', part: { type: 'tool_call', call } });
      }
      parts.push({ role: 'user', part: { type: 'tool_result', call: call!, result: toToolResult(activity.function.result) } });
      return;
    }
    // trigger: something outside the conversation happened; the model hears it as a user turn.
    const described = [`[event] ${name} was triggered`, Object.keys(args).length ? `with ${JSON.stringify(args)}` : ''];
    if (activity.function.result !== undefined) described.push(`; result: ${JSON.stringify(activity.function.result)}`);
    const text = [message.text, described.join(' ').trim()].filter(Boolean).join('\n');
    parts.push({ role: 'user', part: { type: 'text', text } });
  });

  let kept = parts.filter((_, position) => !unanswered.has(position));
  if (options.interactionMaxMessages !== undefined && kept.length > options.interactionMaxMessages) {
    kept = kept.slice(kept.length - options.interactionMaxMessages);
    // A result whose call was cut off would reach the model orphaned.
    while (kept[0]?.part.type === 'tool_result') kept.shift();
  }
  mapped.turns = mergeTurns(kept);
  return mapped;
}

/** Consecutive parts of one role become one turn, but text and tool parts are not mixed. */
function mergeTurns(parts: readonly TurnPart[]): LLMMessage[] {
  const turns: LLMMessage[] = [];
  for (const { role, part } of parts) {
    const last = turns.at(-1);
    if (last && last.role === role && isToolPart(last.content[0]!) === isToolPart(part)) last.content.push(part);
    else turns.push({ role, content: [part] });
  }
  return turns;
}

function isToolPart(part: ContentPart): boolean {
  return part.type === 'tool_call' || part.type === 'tool_result';
}

function toToolResult(result: unknown): ToolResult {
  return { ok: true, value: result ?? null };
}
