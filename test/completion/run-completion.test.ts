/** runCompletion against tiny in-test LLMs, for the paths a real provider rarely takes. */
import { describe, expect, test } from 'vitest';
import type { LLM, LLMEvent, LLMRequest } from '../../src/llm/llm.js';
import type { ProtocolEvent } from '../../src/completion/events.js';
import type { PreparedCompletion } from '../../src/completion/prepare-completion.js';
import { runCompletion } from '../../src/completion/run-completion.js';

const prepared: PreparedCompletion = {
  model: 'test-model',
  options: {},
  instructions: undefined,
  turns: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  tools: undefined,
  continuations: 0,
  input: { text: 'Hi', entities: [] },
  contact: undefined,
};

function llmOf(stream: (request: LLMRequest) => AsyncGenerator<LLMEvent>): LLM {
  return { provider: 'test', model: 'test-model', stream, complete: () => Promise.reject(new Error('unused')) };
}

async function run(llm: LLM, signal = new AbortController().signal) {
  const events: ProtocolEvent[] = [];
  const errors: unknown[] = [];
  const outcome = await runCompletion(prepared, llm, {
    signal,
    requestId: 'req-1',
    emit: (event) => void events.push(event),
    onInternalError: (error) => errors.push(error),
  });
  return { events, errors, outcome };
}

describe('runCompletion', () => {
  test('an LLM that throws when aborted ends like an abort, with the text so far', async () => {
    const controller = new AbortController();
    const llm = llmOf(async function* () {
      yield { type: 'text', index: 0, text: 'Par' };
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    const { events, errors, outcome } = await run(llm, controller.signal);
    expect(events.at(-1)).toEqual({ type: 'result', data: { text: 'Par', usage: { token: 0 }, end: { reason: 'abort' } } });
    expect(errors).toEqual([]);
    expect(outcome.endReason).toBe('abort');
  });

  test('a provider failure is reported, masked, and ends the turn', async () => {
    const failure = new Error('socket hang up at 10.0.0.3');
    const llm = llmOf(async function* () {
      yield { type: 'text', index: 0, text: 'Hel' };
      throw failure;
    });
    const { events, errors, outcome } = await run(llm);
    expect(events.map((event) => event.type)).toEqual(['sendResult', 'token', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', data: { code: 'GENERIC_ERROR', message: expect.stringContaining('req-1') } });
    expect(JSON.stringify(events)).not.toContain('10.0.0.3');
    expect(errors).toEqual([failure]);
    expect(outcome).toMatchObject({ endReason: 'error', errorCode: 'GENERIC_ERROR', text: 'Hel' });
  });

  test('a finish the protocol has no name for ends with end.reason error', async () => {
    const llm = llmOf(async function* () {
      yield { type: 'done', text: '', finishReason: 'other', usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 }, pendingToolCalls: [] };
    });
    const { events } = await run(llm);
    expect(events.at(-1)).toEqual({ type: 'result', data: { text: '', usage: { token: 1 }, end: { reason: 'error' } } });
  });
});
