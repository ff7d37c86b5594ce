/** GeminiLLM retries, errors and cancellation, against the local fake Gemini server. */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { GeminiLLM, type GeminiLLMOptions } from '../../src/llm/gemini/gemini-llm.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { FakeGemini } from '../../testing/gemini/index.js';
import { ofType, user } from './support.js';

const API_KEY = 'AIzaFakeKeyThatMustNeverLeak42';
let fake: FakeGemini;
let baseUrl: string;

beforeAll(async () => {
  fake = new FakeGemini();
  baseUrl = await fake.start();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset().script({ text: 'recovered' });
});

const gemini = (options: Partial<GeminiLLMOptions> = {}) =>
  new GeminiLLM({ apiKey: API_KEY, baseUrl, retryInitialDelayMs: 1, retryMaxDelayMs: 50, ...options });

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('GeminiLLM retries', () => {
  it.each([429, 503])('retries %i before the first token', async (status) => {
    fake.failFirst(2, { status, retryAfterS: 1 });
    const done = await gemini().complete({ messages: [user('hi')] });
    expect(done).toMatchObject({ text: 'recovered', finishReason: 'stop' });
    expect(fake.requests).toHaveLength(3);
  });

  it('waits the RetryInfo delay Gemini asks for, or fails at once when it is too long', async () => {
    fake.failFirst(1, { status: 429, retryDelayS: 0.01 });
    await expect(gemini().complete({ messages: [user('hi')] })).resolves.toMatchObject({ text: 'recovered' });
    expect(fake.requests).toHaveLength(2);

    fake.reset().failFirst(1, { status: 429, retryDelayS: 60 });
    const error = await providerError(gemini().complete({ messages: [user('hi')] }));
    expect(error).toMatchObject({ status: 429, retryable: true, code: 'RATE_LIMITED' });
    expect(error.message).toContain('asked to wait 60000 ms');
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up after maxRetries with a retryable error', async () => {
    fake.failFirst(5, { status: 503, message: 'The model is overloaded.' });
    const error = await providerError(gemini({ maxRetries: 2 }).complete({ messages: [user('hi')] }));
    expect(error).toMatchObject({ status: 503, retryable: true, provider: 'gemini', code: 'UNAVAILABLE' });
    expect(error.message).toMatch(/after 3 attempts: UNAVAILABLE: The model is overloaded/);
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry once a token was yielded', async () => {
    fake.script({ text: 'Half an answ', streamError: { status: 503, message: 'backend went away' } });
    const seen: string[] = [];
    const error = await providerError(
      (async () => {
        for await (const event of gemini().stream({ messages: [user('hi')] })) if (event.type === 'text') seen.push(event.text);
      })(),
    );
    expect(seen).toEqual(['Half an answ']);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(fake.requests).toHaveLength(1);
  });

  it('does not retry a rejected request', async () => {
    fake.failFirst(1, { status: 400, message: 'Invalid JSON payload: unknown field "foo".' });
    const error = await providerError(gemini().complete({ messages: [user('hi')] }));
    expect(error).toMatchObject({ status: 400, retryable: false, code: 'INVALID_REQUEST' });
    expect(error.message).toContain('unknown field "foo"');
    expect(fake.requests).toHaveLength(1);
  });

  it('retries network errors and then reports them as retryable', async () => {
    const closedPort = await freePort();
    const error = await providerError(gemini({ baseUrl: `http://127.0.0.1:${closedPort}`, maxRetries: 1 }).complete({ messages: [user('hi')] }));
    expect(error).toMatchObject({ retryable: true, code: 'NETWORK', status: undefined });
    expect(error.message).toMatch(/Could not reach Gemini after 2 attempts/);
  });
});

describe('GeminiLLM errors', () => {
  it('never puts the API key in the error, even when the server echoes it', async () => {
    fake.script((request) => ({ error: { status: 403, message: `API key ${String(request.apiKey)} has been suspended.` } }));
    const error = await providerError(gemini().complete({ messages: [user('hi')] }));
    expect(fake.requests[0]!.apiKey).toBe(API_KEY);
    expect(error).toMatchObject({ status: 403, code: 'UNAUTHORIZED' });
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(API_KEY);
    expect(String((error.cause as Error).message)).not.toContain(API_KEY);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(API_KEY);
  });
});

describe('GeminiLLM cancellation', () => {
  it('ends with abort and closes the HTTP stream when the signal aborts mid-answer', async () => {
    fake.script({ text: 'The first words', hold: true });
    const controller = new AbortController();
    const events = [];
    for await (const event of gemini().stream({ messages: [user('talk')], signal: controller.signal })) {
      events.push(event);
      if (event.type === 'text') {
        expect(fake.openStreams).toBe(1);
        controller.abort();
      }
    }
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort', text: 'The first words' });
    await fake.waitFor(() => fake.openStreams === 0);
  });

  it('closes the HTTP stream when the consumer stops reading', async () => {
    fake.script({ text: 'Something long', hold: true });
    const seen: string[] = [];
    for await (const event of gemini().stream({ messages: [user('talk')] })) {
      seen.push(event.type);
      if (event.type === 'text') {
        expect(fake.openStreams).toBe(1);
        break;
      }
    }
    expect(seen.at(-1)).toBe('text');
    // The fake holds its stream open until the client goes: only the LLM's abort closes it.
    await fake.waitFor(() => fake.openStreams === 0);
    expect(fake.openStreams).toBe(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('ends with abort, without a request, when the signal is already aborted', async () => {
    const done = await gemini().complete({ messages: [user('hi')], signal: AbortSignal.abort() });
    expect(done).toMatchObject({ finishReason: 'abort', text: '' });
    expect(fake.requests).toHaveLength(0);
  });

  it('ends with abort when the signal aborts during a retry pause', async () => {
    fake.failFirst(1, { status: 429, retryDelayS: 30 });
    const controller = new AbortController();
    const pending = gemini({ retryMaxDelayMs: 60_000 }).complete({ messages: [user('hi')], signal: controller.signal });
    await fake.waitFor(() => fake.requests.length === 1);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ finishReason: 'abort' });
    expect(fake.requests).toHaveLength(1);
  });

  it('ends with abort when the signal aborts while a tool runs, cancelling the tool', async () => {
    fake.script({ functionCalls: [{ name: 'slow', args: {} }] });
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const tools = new ToolRegistry([
      {
        name: 'slow',
        description: 'Never answers',
        parameters: { type: 'object' },
        execute: (_args, { signal }) => {
          toolSignal = signal;
          controller.abort();
          return new Promise(() => {});
        },
      },
    ]);
    const events = [];
    for await (const event of gemini().stream({ messages: [user('hi')], tools, signal: controller.signal })) events.push(event);
    expect(ofType(events, 'tool_call')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort' });
    expect(toolSignal?.aborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });
});

/** A port nothing listens on: bound, read, released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
