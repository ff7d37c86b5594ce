/**
 * The provider-neutral text LLM interface. A provider (GeminiLLM, …) turns these types into its
 * own wire format; nothing here knows about a provider.
 */
import type { ToolCall, ToolResult } from './tool.js';
import type { ToolRegistry } from './tool-registry.js';

/** One piece of a message's content. */
export type ContentPart =
  | { type: 'text'; text: string }
  /** Inline binary data such as an image: base64 in `data`. */
  | { type: 'inline_data'; mimeType: string; data: string }
  /** The model asked for a tool (a previous turn, replayed as history). */
  | { type: 'tool_call'; call: ToolCall }
  /** The answer to a tool call (a previous turn, replayed as history). */
  | { type: 'tool_result'; call: ToolCall; result: ToolResult };

/** A turn of the conversation given to the model. System context goes in `instructions`. */
export interface LLMMessage {
  role: 'user' | 'assistant';
  content: ContentPart[];
}

export type FinishReason =
  /** The model finished its answer. */
  | 'stop'
  /** The output token limit was reached. */
  | 'length'
  /** The model asked for tools that have no `execute` (the caller runs them): see `pendingToolCalls`. */
  | 'tool_calls'
  /** The tool loop reached `maxToolRounds`. */
  | 'tool_rounds'
  /** Content was blocked by safety settings or moderation. */
  | 'safety'
  /** The signal aborted the request. */
  | 'abort'
  | 'other';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface LLMOptions {
  /** Overrides the LLM's default model for this request. */
  model?: string;
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  /** 'strict' blocks anything flagged at the lowest threshold (used for moderation). */
  safety?: 'default' | 'strict';
  /** Rounds of model → tools → model before giving up; default 3. */
  maxToolRounds?: number;
  /** Per-tool timeout unless the tool sets its own; default 30 000. */
  toolTimeoutMs?: number;
}

export interface LLMRequest {
  instructions?: string;
  messages: LLMMessage[];
  tools?: ToolRegistry;
  signal?: AbortSignal;
  options?: LLMOptions;
}

/** What `stream()` yields, in order: deltas and tool activity, usage per model call, then `done`. */
export type LLMEvent =
  /** A text delta; `index` counts deltas from 0 across the whole request. */
  | { type: 'text'; index: number; text: string }
  /** The model asked for a tool. Emitted before the tool runs (or before the stream ends, for caller-run tools). */
  | { type: 'tool_call'; call: ToolCall }
  /** A tool the registry ran has answered; the result goes back to the model. */
  | { type: 'tool_result'; call: ToolCall; result: ToolResult }
  /** Tokens of one model call (a tool loop makes several). */
  | { type: 'usage'; model: string; usage: TokenUsage }
  /** Always last. `text` is the whole answer; `usage` sums every model call. */
  | {
      type: 'done';
      text: string;
      finishReason: FinishReason;
      usage: TokenUsage;
      /** Calls for tools without `execute`, when finishReason is 'tool_calls'. */
      pendingToolCalls: ToolCall[];
    };

export type LLMDone = Extract<LLMEvent, { type: 'done' }>;

export interface LLM {
  /** The provider's name, e.g. 'gemini'. */
  readonly provider: string;
  /** The default model. */
  readonly model: string;
  /** Streams one answer, running the tool loop. Throws ProviderError for provider failures. */
  stream(request: LLMRequest): AsyncIterable<LLMEvent>;
  /** Collects `stream()` into its final event. */
  complete(request: LLMRequest): Promise<LLMDone>;
}
