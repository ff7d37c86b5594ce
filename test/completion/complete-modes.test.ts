/** The three response modes, end to end: real GeminiLLM → fake Gemini, real sockets. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { minimal, readJsonl, readSse, startHarness, tokensOf, types, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { COMPLETE_PING_INTERVAL_MS: '40' } });
});
afterAll(() => harness.close());
beforeEach(() => {
  harness.fake.reset().script({ text: 'Hello there, friend', chunks: 3, usage: { promptTokenCount: 12, candidatesTokenCount: 4 } });
});

const ORDER = ['sendResult', 'token', 'token', 'token', 'usage', 'receiveResult', 'result'];
const RESULT = { text: 'Hello there, friend', usage: { token: 16 }, end: { reason: 'stop' } };

describe('response modes', () => {
  test('no Accept, */* and application/json answer one JSON object', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const response = await harness.complete(minimal(), accept === undefined ? {} : { accept });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(RESULT);
    }
  });

  test('application/jsonl streams one {type, data} object per line, in protocol order', async () => {
    const response = await harness.complete(minimal('Hi there'), { accept: 'application/jsonl' });
    expect(response.headers.get('content-type')).toMatch(/^application\/jsonl/);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const events = await readJsonl(response);
    expect(types(events)).toEqual(ORDER);
    expect(events[0]!.data).toEqual({ text: 'Hi there', entities: [], usage: { token: 2 } });
    expect(tokensOf(events)).toBe('Hello there, friend');
    expect(events[4]!.data).toEqual({ model: 'gemini-2.5-flash', inputTokensUsed: 12, outputTokensUsed: 4 });
    expect(events[5]!.data).toEqual(RESULT);
    expect(events[6]!.data).toEqual(RESULT);
  });

  test('text/event-stream sends event:/data: blocks', async () => {
    const response = await harness.complete(minimal(), { accept: 'text/event-stream' });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toMatch(/no-cache/);
    const events = await readSse(response);
    expect(types(events)).toEqual(ORDER);
    expect(events.at(-1)!.data).toEqual(RESULT);
  });

  test('the /v1 alias answers the same', async () => {
    const response = await harness.post('/v1/conversation/complete', minimal());
    expect(await response.json()).toEqual(RESULT);
  });

  test('long streams carry pings; JSON mode never shows them', async () => {
    harness.fake.script({ text: 'slow answer', chunks: 2, delayMs: 250 });
    const streamed = await readJsonl(await harness.complete(minimal(), { accept: 'application/jsonl' }));
    expect(types(streamed)).toContain('ping');
    expect(streamed.find((event) => event.type === 'ping')!.data).toEqual({});
    expect(streamed.at(-1)!.type).toBe('result');
    const json = await (await harness.complete(minimal())).json();
    expect(json.text).toBe('slow answer');
  });
});
