/**
 * The conversation the text LLM is given each turn in pipeline mode: the user's turns as the
 * STT settled them, the agent's as they were heard (a cut reply as far as it was heard), and
 * the tool calls and results between them. Bounded, keeping the newest: a call that lasts an
 * hour must not grow every request without end; what falls out is the oldest exchanges, whole
 * (a tool call never loses its result).
 */
import type { LLMMessage } from '../llm/llm.js';
import type { ToolCall } from '../llm/tool.js';

export const DEFAULT_HISTORY_CHARACTERS = 32_000;

export class ChatHistory {
  readonly #maxCharacters: number;
  readonly #messages: LLMMessage[] = [];

  constructor(maxCharacters = DEFAULT_HISTORY_CHARACTERS) {
    this.#maxCharacters = maxCharacters;
  }

  get messages(): LLMMessage[] {
    return [...this.#messages];
  }

  /** The model's call with this id, still in the history (a caller-run tool's call awaiting its result). */
  findToolCall(callId: string): ToolCall | undefined {
    for (const message of this.#messages) {
      for (const part of message.content) if (part.type === 'tool_call' && part.call.id === callId) return part.call;
    }
    return undefined;
  }

  addUser(text: string): void {
    this.#add({ role: 'user', content: [{ type: 'text', text }] });
  }

  /** Earlier turns (a rejoining agent's), before anything said in this session. */
  addEarlier(turns: readonly { role: 'user' | 'assistant'; text: string }[]): void {
    const earlier = turns
      .filter((turn) => turn.text.trim() !== '')
      .map((turn): LLMMessage => ({ role: turn.role, content: [{ type: 'text', text: turn.text }] }));
    this.#messages.unshift(...earlier);
    this.#trim();
  }

  addAssistant(text: string, toolMessages: LLMMessage[] = []): void {
    for (const message of toolMessages) this.#messages.push(message);
    if (text !== '') this.#add({ role: 'assistant', content: [{ type: 'text', text }] });
    this.#trim();
  }

  #add(message: LLMMessage): void {
    this.#messages.push(message);
    this.#trim();
  }

  /** Drops the oldest exchanges until the rest fits; the history always starts with a user's text. */
  #trim(): void {
    while (this.#size() > this.#maxCharacters && this.#messages.length > 1) {
      this.#messages.shift();
      while (this.#messages.length > 1 && !startsExchange(this.#messages[0]!)) this.#messages.shift();
    }
  }

  #size(): number {
    let size = 0;
    for (const message of this.#messages) {
      for (const part of message.content) size += part.type === 'text' ? part.text.length : JSON.stringify(part).length;
    }
    return size;
  }
}

/** A user's own words (not a tool result): where an exchange starts. */
function startsExchange(message: LLMMessage): boolean {
  return message.role === 'user' && message.content.some((part) => part.type === 'text');
}
