/**
 * The provider-neutral tool loop: call the model, run the tools it asks for, give it the results,
 * call it again, at most `maxToolRounds` times. A provider supplies one `ToolLoopModel` per
 * request (it keeps the conversation in its own wire format); this file turns its events into
 * the public `LLMEvent` stream with delta indices, summed usage and one final `done`.
 */
import { ValidationError } from '../core/errors.js';
import type { FinishReason, LLMEvent, TokenUsage } from './llm.js';
import { ToolRegistry } from './tool-registry.js';
import type { ToolCall, ToolResult } from './tool.js';

export const DEFAULT_MAX_TOOL_ROUNDS = 3;

/** What one model call yields, in order: deltas and calls as they stream, then usage and finish. */
export type ModelEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'usage'; model: string; usage: TokenUsage }
  | { type: 'finish'; reason: FinishReason };

export interface ToolLoopModel {
  /**
   * Calls the model with the conversation so far and, once it has answered, records its turn.
   * Stops, by throwing, when `signal` aborts.
   */
  generate(signal: AbortSignal): AsyncIterable<ModelEvent>;
  /** Adds the results for the calls of the last turn, ready for the next `generate`. */
  addToolResults(results: ReadonlyArray<{ call: ToolCall; result: ToolResult }>): void;
}

export interface ToolLoopOptions {
  tools?: ToolRegistry | undefined;
  /** Aborting ends the stream with finishReason 'abort' (not an exception). */
  signal: AbortSignal;
  /** Rounds of tools run before the loop gives up with 'tool_rounds'; default 3. */
  maxToolRounds?: number | undefined;
  /** Timeout for tools that do not set their own. */
  toolTimeoutMs?: number | undefined;
}

const NO_TOOLS = new ToolRegistry();

/**
 * Drives `model` through the tool loop. Tools with `execute` run concurrently and their results
 * go back to the model; calls for declared tools without `execute` end the stream with
 * 'tool_calls' and `pendingToolCalls` (the runnable calls of the same turn still run, so the
 * caller sees their `tool_result` events and only answers the pending ones). Calls to unknown
 * tools are answered with an error so the model can recover.
 */
export async function* runToolLoop(model: ToolLoopModel, options: ToolLoopOptions): AsyncGenerator<LLMEvent, void, undefined> {
  const maxToolRounds = checkRounds(options.maxToolRounds);
  const tools = options.tools ?? NO_TOOLS;
  const { signal } = options;
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  let text = '';
  let index = 0;
  const done = (finishReason: FinishReason, pendingToolCalls: ToolCall[] = []): LLMEvent => ({
    type: 'done',
    text,
    finishReason,
    usage: { ...usage },
    pendingToolCalls,
  });

  for (let round = 0; ; round++) {
    if (signal.aborted) return yield done('abort');
    const calls: ToolCall[] = [];
    let finishReason: FinishReason = 'other';
    try {
      for await (const event of model.generate(signal)) {
        if (event.type === 'text') {
          text += event.text;
          yield { type: 'text', index: index++, text: event.text };
        } else if (event.type === 'tool_call') {
          // Announced as soon as the model asks, so a UI can show it while the answer streams.
          calls.push(event.call);
          yield event;
        } else if (event.type === 'usage') {
          usage.inputTokens += event.usage.inputTokens;
          usage.outputTokens += event.usage.outputTokens;
          usage.totalTokens += event.usage.totalTokens;
          yield event;
        } else {
          finishReason = event.reason;
        }
      }
    } catch (error) {
      if (signal.aborted) return yield done('abort');
      throw error;
    }
    if (signal.aborted) return yield done('abort');
    if (calls.length === 0) return yield done(finishReason);
    // Past the limit the calls are announced but not run: the model asked for more than allowed.
    if (round >= maxToolRounds) return yield done('tool_rounds');

    const pending = calls.filter((call) => tools.has(call.name) && !tools.isExecutable(call.name));
    const runnable = calls.filter((call) => !pending.includes(call));
    const results = await tools.executeAll(runnable, { signal, timeoutMs: options.toolTimeoutMs });
    if (signal.aborted) return yield done('abort');
    const answered = runnable.map((call, i) => ({ call, result: results[i]! }));
    for (const { call, result } of answered) yield { type: 'tool_result', call, result };
    if (pending.length > 0) return yield done('tool_calls', pending);
    model.addToolResults(answered);
  }
}

function checkRounds(rounds: number | undefined): number {
  if (rounds === undefined) return DEFAULT_MAX_TOOL_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 0) {
    throw new ValidationError('options.maxToolRounds', `must be a whole number of rounds (0 or more), got ${String(rounds)}`);
  }
  return rounds;
}
