import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { modelFor, payloadsOf, record, speak } from './helpers.js';

let fake: FakeGeminiLive;
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
});
afterEach(async () => {
  await fake.close();
});

/** Resolves once `count` callers have arrived: tools that only finish together prove they ran concurrently. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived += 1;
    if (arrived === count) release();
    return all;
  };
}

describe('GeminiRealtime tools', () => {
  it('runs a tool call and sends its result back, then the model answers', async () => {
    const seen: unknown[] = [];
    const tools = new ToolRegistry([
      {
        name: 'get_weather',
        description: 'Weather for a city.',
        parameters: z.object({ city: z.string() }),
        execute: (args) => {
          seen.push(args);
          return { tempC: 3, sky: 'clear' };
        },
      },
    ]);
    fake.script.turns.push({ userText: ['Weather in Oslo?'], toolCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }], answerText: ['Three degrees.'] });
    const session = await modelFor(fake).connect({ tools });
    const events = record(session);
    speak(session, 200);
    await session.next('turn.complete');

    expect(seen).toEqual([{ city: 'Oslo' }]);
    expect(fake.latest!.toolResponses).toEqual([
      [{ id: 'call-1', name: 'get_weather', response: { output: { tempC: 3, sky: 'clear' } } }],
    ]);
    const [call] = payloadsOf(events, 'tool.call');
    expect(call).toEqual({ call: { id: 'call-1', name: 'get_weather', arguments: { city: 'Oslo' } } });
    expect(payloadsOf(events, 'tool.result')).toEqual([{ call: call!.call, result: { ok: true, value: { tempC: 3, sky: 'clear' } } }]);
    expect(payloadsOf(events, 'turn.complete')[0]?.text).toBe('Three degrees.');
    // The tool call ended the user's turn before the answer started.
    const names = events.map((event) => event.name);
    expect(names.indexOf('user.speech.ended')).toBeLessThan(names.indexOf('tool.call'));
    await session.close();
  });

  it('runs the calls of one message concurrently and answers them together', async () => {
    const bothStarted = barrier(2);
    const tools = new ToolRegistry([
      { name: 'lookup_a', description: 'A', parameters: z.object({}), execute: async () => (await bothStarted(), 'a') },
      { name: 'lookup_b', description: 'B', parameters: z.object({}), execute: async () => (await bothStarted(), 'b') },
    ]);
    fake.script.turns.push({ toolCalls: [{ name: 'lookup_a' }, { name: 'lookup_b' }] });
    const session = await modelFor(fake).connect({ tools });
    speak(session, 200);
    await session.next('turn.complete');

    expect(fake.latest!.toolResponses).toEqual([
      [
        { id: 'call-1', name: 'lookup_a', response: { output: 'a' } },
        { id: 'call-2', name: 'lookup_b', response: { output: 'b' } },
      ],
    ]);
    await session.close();
  });

  it('answers failures and unknown tools with an error the model can read', async () => {
    const tools = new ToolRegistry([
      { name: 'flaky', description: 'Fails.', parameters: z.object({}), execute: () => Promise.reject(new Error('backend down')) },
    ]);
    fake.script.turns.push({ toolCalls: [{ name: 'flaky' }, { name: 'missing' }] });
    const session = await modelFor(fake).connect({ tools });
    speak(session, 200);
    await session.next('turn.complete');

    const [responses] = fake.latest!.toolResponses;
    expect(responses?.[0]).toMatchObject({ name: 'flaky', response: { error: expect.stringContaining('backend down') } });
    expect(responses?.[1]).toMatchObject({ name: 'missing', response: { error: expect.stringContaining('Unknown tool "missing"') } });
    await session.close();
  });

  it('waits for the caller to answer a tool without execute', async () => {
    const tools = new ToolRegistry([{ name: 'transfer_call', description: 'Transfers.', parameters: z.object({ to: z.string() }) }]);
    fake.script.turns.push({ toolCalls: [{ name: 'transfer_call', args: { to: 'sales' } }] });
    const session = await modelFor(fake).connect({ tools });
    const asked = session.next('tool.call');
    speak(session, 200);
    const { call } = await asked;
    expect(fake.latest!.toolResponses).toEqual([]);

    session.sendToolResult(call.id, { ok: true, value: 'transferred' });
    await session.next('turn.complete');
    expect(fake.latest!.toolResponses).toEqual([[{ id: call.id, name: 'transfer_call', response: { output: 'transferred' } }]]);
    await session.close();
  });

  it('aborts a call the server cancels and leaves it out of the response', async () => {
    let markAborted!: () => void;
    const aborted = new Promise<void>((resolve) => (markAborted = resolve));
    const tools = new ToolRegistry([
      {
        name: 'slow',
        description: 'Slow.',
        parameters: z.object({}),
        execute: (_args, { signal }) =>
          new Promise((resolve) => signal.addEventListener('abort', () => (markAborted(), resolve('late')), { once: true })),
      },
    ]);
    fake.script.turns.push({ toolCalls: [{ name: 'slow' }] });
    const session = await modelFor(fake).connect({ tools });
    const events = record(session);
    const asked = session.next('tool.call');
    speak(session, 200);
    const { call } = await asked;

    fake.latest!.send({ toolCallCancellation: { ids: [call.id] } });
    await aborted;
    // A later message proves the cancellation was handled before it, with nothing sent back.
    const usage = session.next('usage');
    fake.latest!.send({ usageMetadata: { promptTokenCount: 1, responseTokenCount: 1, totalTokenCount: 2 } });
    await usage;
    expect(fake.latest!.toolResponses).toEqual([]);
    expect(payloadsOf(events, 'tool.result')).toEqual([]);
    await session.close();
  });
});
