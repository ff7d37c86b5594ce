/**
 * Runs a prepared completion and turns the LLM's events into the protocol's events:
 * `sendResult`, `token`s, `message`s (function activity), `usage` per model call, then
 * `receiveResult` and `result` — or a final `error`.
 *
 * - Functions the server answers appear as activity `message`s (request, then response) as they
 *   happen; functions the client runs end the turn with one activity request `message` per call
 *   and `end.reason: 'activity'`.
 * - A reply cut by the output-token limit is continued up to `continuations` times: the model
 *   gets its partial answer back and is asked to go on; the continuation streams as more tokens.
 * - An aborted signal (request deadline) ends with `end.reason: 'abort'` and the text so far.
 * - Content blocked by safety settings ends with `error` `MODERATION_FLAGGED`.
 * - Any other failure ends with `error` `GENERIC_ERROR`; the real error goes to `onInternalError`
 *   (logged with the request id), never to the client.
 */
import type { FinishReason, LLM, LLMDone, LLMMessage } from '../llm/llm.js';
import type { ToolCall, ToolResult } from '../llm/tool.js';
import type { EndReason, ProtocolEvent, ProtocolMessage } from './events.js';
import type { PreparedCompletion } from './prepare-completion.js';

export interface RunOptions {
  signal: AbortSignal;
  requestId: string;
  /** Receives each event in order; a returned promise (a backed-up socket) is awaited. */
  emit: (event: ProtocolEvent) => Promise<void> | undefined;
  /** Receives an internal error before it is masked for the client. */
  onInternalError: (error: unknown) => void;
}

export interface CompletionOutcome {
  endReason: EndReason;
  text: string;
  /** Every model call's tokens, input and output. */
  tokens: number;
  /** An error event ended the turn. */
  errorCode?: string;
}

const END_REASONS: Record<Exclude<FinishReason, 'safety'>, EndReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'activity',
  tool_rounds: 'iteration',
  abort: 'abort',
  other: 'error',
};

const CONTINUE_PROMPT = 'Continue your previous answer exactly where it stopped, without repeating anything.';

/** A rough count (≈4 characters a token) for text no model has counted. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export async function runCompletion(prepared: PreparedCompletion, llm: LLM, options: RunOptions): Promise<CompletionOutcome> {
  const { signal, emit } = options;
  await emit({
    type: 'sendResult',
    data: { text: prepared.input.text, entities: prepared.input.entities, usage: { token: estimateTokens(prepared.input.text) } },
  });

  let text = '';
  let tokens = 0;
  let continuationsLeft = prepared.continuations;
  let turns: LLMMessage[] = prepared.turns;
  let done: LLMDone;
  for (;;) {
    let streamed = '';
    let last: LLMDone | undefined;
    try {
      for await (const event of llm.stream({
        instructions: prepared.instructions,
        messages: turns,
        tools: prepared.tools,
        signal,
        options: prepared.options,
      })) {
        switch (event.type) {
          case 'text': {
            streamed += event.text;
            // The hot path: only a backed-up socket costs an await.
            const backedUp = emit({ type: 'token', data: { token: event.text } });
            if (backedUp) await backedUp;
            break;
          }
          case 'tool_call':
            // Calls the client runs are announced once, at the end of the turn.
            if (prepared.tools?.isExecutable(event.call.name)) await emit({ type: 'message', data: activityRequest(event.call) });
            break;
          case 'tool_result':
            await emit({ type: 'message', data: activityResponse(event.call, event.result) });
            break;
          case 'usage':
            await emit({
              type: 'usage',
              data: { model: event.model, inputTokensUsed: event.usage.inputTokens, outputTokensUsed: event.usage.outputTokens },
            });
            break;
          case 'done':
            last = event;
            break;
        }
      }
    } catch (thrown) {
      if (!signal.aborted) {
        options.onInternalError(thrown);
        const message = `The reply could not be completed; try again (request ${options.requestId}).`;
        await emit({ type: 'error', data: { code: 'GENERIC_ERROR', message } });
        return { endReason: 'error', text: text + streamed, tokens, errorCode: 'GENERIC_ERROR' };
      }
    }
    // An LLM that throws on abort instead of ending with 'abort' is treated the same.
    done = last ?? {
      type: 'done',
      text: streamed,
      finishReason: 'abort',
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      pendingToolCalls: [],
    };
    text += done.text;
    tokens += done.usage.totalTokens;
    if (done.finishReason !== 'length' || continuationsLeft <= 0 || signal.aborted) break;
    continuationsLeft -= 1;
    turns = [...prepared.turns, { role: 'assistant', content: [{ type: 'text', text }] }, { role: 'user', content: [{ type: 'text', text: CONTINUE_PROMPT }] }];
  }

  if (done.finishReason === 'safety') {
    const message = 'The conversation was flagged by content moderation and the reply was stopped. Rephrase the request.';
    await emit({ type: 'error', data: { code: 'MODERATION_FLAGGED', message } });
    return { endReason: 'error', text, tokens, errorCode: 'MODERATION_FLAGGED' };
  }
  for (const call of done.pendingToolCalls) await emit({ type: 'message', data: activityRequest(call) });
  const result = { text, usage: { token: tokens }, end: { reason: END_REASONS[done.finishReason] } };
  await emit({ type: 'receiveResult', data: result });
  await emit({ type: 'result', data: result });
  return { endReason: result.end.reason, text, tokens };
}

function activityRequest(call: ToolCall): ProtocolMessage {
  return {
    type: 'activity',
    text: `${call.name}(${JSON.stringify(call.arguments)})`,
    meta: { activity: { type: 'request', function: { name: call.name, arguments: call.arguments } } },
  };
}

function activityResponse(call: ToolCall, result: ToolResult): ProtocolMessage {
  const value = result.ok ? result.value : { error: result.error };
  return {
    type: 'activity',
    text: JSON.stringify(value) ?? 'null',
    meta: { activity: { type: 'response', function: { name: call.name, arguments: call.arguments, result: value } } },
  };
}
