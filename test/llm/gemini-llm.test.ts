/** GeminiLLM through the real @google/genai SDK against the local fake Gemini server. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { ConfigError, ValidationError } from '../../src/core/errors.js';
import { DEFAULT_GEMINI_MODEL, GeminiLLM } from '../../src/llm/gemini/gemini-llm.js';
import { geminiLLMOptions } from '../../src/presets.js';
import { UNKNOWN_THOUGHT_SIGNATURE } from '../../src/llm/gemini/thought-signatures.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { FakeGemini } from '../../testing/gemini/index.js';
import { drain, ofType, user } from './support.js';

const API_KEY = 'test-key-not-secret-1234';
let fake: FakeGemini;
let baseUrl: string;
let llm: GeminiLLM;

beforeAll(async () => {
  fake = new FakeGemini({ apiKey: API_KEY });
  baseUrl = await fake.start();
  llm = new GeminiLLM({ apiKey: API_KEY, baseUrl, model: 'gemini-test-flash' });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset().script({ text: 'ok' });
});

const weatherTool = (onRun: (city: string) => void = () => {}) => ({
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: z.object({ city: z.string().describe('City name') }),
  execute: ({ city }: { city: string }) => {
    onRun(city);
    return { city, celsius: 21 };
  },
});

describe('GeminiLLM streaming', () => {
  it('streams indexed deltas and ends with the full text', async () => {
    fake.script({ text: 'Hello from the fake model', chunks: 4, usage: { promptTokenCount: 7, candidatesTokenCount: 5 } });
    const events = await drain(llm.stream({ messages: [user('hi')] }));

    const deltas = ofType(events, 'text');
    expect(deltas.map((delta) => delta.index)).toEqual([0, 1, 2, 3]);
    expect(deltas.map((delta) => delta.text).join('')).toBe('Hello from the fake model');
    expect(events.at(-1)).toEqual({
      type: 'done',
      text: 'Hello from the fake model',
      finishReason: 'stop',
      usage: { inputTokens: 7, outputTokens: 5, totalTokens: 12 },
      pendingToolCalls: [],
    });
    expect(ofType(events, 'usage')).toEqual([{ type: 'usage', model: 'gemini-test-flash', usage: { inputTokens: 7, outputTokens: 5, totalTokens: 12 } }]);
  });

  it('sends the model, key, system instruction, history, options and declarations on the wire', async () => {
    await llm.complete({
      instructions: 'You are terse.',
      messages: [
        user('What is in this picture?'),
        { role: 'user', content: [{ type: 'inline_data', mimeType: 'image/png', data: 'iVBORw0KGgo=' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] },
        user('And the weather?'),
      ],
      tools: new ToolRegistry([weatherTool()]),
      options: { model: 'gemini-other', temperature: 0.2, topP: 0.9, topK: 20, maxOutputTokens: 64, stopSequences: ['END'], safety: 'strict' },
    });

    const [request] = fake.requests;
    expect(request).toMatchObject({ path: '/v1beta/models/gemini-other:streamGenerateContent', query: { alt: 'sse' }, apiKey: API_KEY });
    expect(request!.body.systemInstruction).toEqual({ role: 'user', parts: [{ text: 'You are terse.' }] });
    expect(request!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'What is in this picture?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
      { role: 'model', parts: [{ text: 'A cat.' }] },
      { role: 'user', parts: [{ text: 'And the weather?' }] },
    ]);
    expect(request!.body.generationConfig).toEqual({ temperature: 0.2, topP: 0.9, topK: 20, maxOutputTokens: 64, stopSequences: ['END'] });
    expect(request!.body.safetySettings).toHaveLength(4);
    expect(request!.body.safetySettings.every((setting: { threshold: string }) => setting.threshold === 'BLOCK_LOW_AND_ABOVE')).toBe(true);
    expect(request!.body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            parametersJsonSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
          },
        ],
      },
    ]);
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'safety'],
    ['RECITATION', 'safety'],
    ['PROHIBITED_CONTENT', 'safety'],
    ['MALFORMED_FUNCTION_CALL', 'other'],
  ] as const)('maps finish reason %s to %s', async (gemini, ours) => {
    fake.script({ text: 'partial', finishReason: gemini });
    await expect(llm.complete({ messages: [user('hi')] })).resolves.toMatchObject({ finishReason: ours, text: 'partial' });
  });

  it('maps a blocked prompt to safety', async () => {
    fake.script({ blockReason: 'SAFETY' });
    await expect(llm.complete({ messages: [user('something bad')] })).resolves.toMatchObject({ finishReason: 'safety', text: '' });
  });

  it('rejects bad input before any request', async () => {
    await expect(llm.complete({ messages: [] })).rejects.toThrow(ValidationError);
    await expect(llm.complete({ messages: [{ role: 'system' as 'user', content: [] }] })).rejects.toThrow(/messages\[0\]\.role/);
    await expect(llm.complete({ messages: [user('hi')], options: { maxToolRounds: -1 } })).rejects.toThrow(/maxToolRounds/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('GeminiLLM tool loop', () => {
  it('runs a function call and sends its response back, keeping the thought signature', async () => {
    const cities: string[] = [];
    fake.script([
      { functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' }, thoughtSignature: 'c2lnLTE=' }], usage: { promptTokenCount: 10, candidatesTokenCount: 3 } },
      { text: 'It is 21 degrees in Oslo.', chunks: 2, usage: { promptTokenCount: 20, candidatesTokenCount: 8 } },
    ]);
    const events = await drain(llm.stream({ messages: [user('Weather in Oslo?')], tools: new ToolRegistry([weatherTool((city) => cities.push(city))]) }));

    expect(cities).toEqual(['Oslo']);
    const [toolCall] = ofType(events, 'tool_call');
    expect(toolCall!.call).toMatchObject({ name: 'get_weather', arguments: { city: 'Oslo' } });
    expect(ofType(events, 'tool_result')).toEqual([{ type: 'tool_result', call: toolCall!.call, result: { ok: true, value: { city: 'Oslo', celsius: 21 } } }]);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      text: 'It is 21 degrees in Oslo.',
      finishReason: 'stop',
      usage: { inputTokens: 30, outputTokens: 11, totalTokens: 41 },
    });

    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Oslo?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'c2lnLTE=' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: { city: 'Oslo', celsius: 21 } } } }] },
    ]);
  });

  it('answers invalid arguments and unknown tools with errors the model sees', async () => {
    fake.script([
      { functionCalls: [{ name: 'get_weather', args: { city: 5 }, id: 'fc-1' }, { name: 'get_time', args: {}, id: 'fc-2' }] },
      { text: 'Sorry.' },
    ]);
    const done = await llm.complete({ messages: [user('hi')], tools: new ToolRegistry([weatherTool()]) });
    expect(done.text).toBe('Sorry.');
    const responses = fake.requests[1]!.body.contents.at(-1).parts.map((part: { functionResponse: unknown }) => part.functionResponse);
    expect(responses).toEqual([
      { id: 'fc-1', name: 'get_weather', response: { error: expect.stringMatching(/^Invalid arguments for tool "get_weather": city:/) } },
      { id: 'fc-2', name: 'get_time', response: { error: 'Unknown tool "get_time". Available tools: get_weather.' } },
    ]);
  });

  it('stops after maxToolRounds with tool_rounds', async () => {
    let runs = 0;
    fake.script({ functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] });
    const events = await drain(
      llm.stream({ messages: [user('loop forever')], tools: new ToolRegistry([weatherTool(() => runs++)]), options: { maxToolRounds: 2 } }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'tool_rounds', pendingToolCalls: [] });
    expect(runs).toBe(2);
    // The third call is announced but not run.
    expect(ofType(events, 'tool_call')).toHaveLength(3);
    expect(ofType(events, 'tool_result')).toHaveLength(2);
    expect(fake.requests).toHaveLength(3);
  });

  it('ends with tool_calls for caller-run tools, and replays them as history', async () => {
    const tools = new ToolRegistry([
      weatherTool(),
      { name: 'open_door', description: 'Opens the door (the app does it)', parameters: { type: 'object', properties: { room: { type: 'string' } } } },
    ]);
    fake.script({
      functionCalls: [
        { name: 'open_door', args: { room: 'hall' }, thoughtSignature: 'c2lnLTI=' },
        { name: 'get_weather', args: { city: 'Rome' } },
      ],
    });
    const events = await drain(llm.stream({ messages: [user('Open the hall door and check Rome')], tools }));
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'done', finishReason: 'tool_calls', pendingToolCalls: [{ name: 'open_door', arguments: { room: 'hall' } }] });
    // The runnable call of the same turn still ran.
    expect(ofType(events, 'tool_result').map((event) => event.call.name)).toEqual(['get_weather']);
    expect(fake.requests).toHaveLength(1);

    // The caller answers and replays the turn; Gemini gets the call back with its signature.
    const pending = done.type === 'done' ? done.pendingToolCalls[0]! : undefined;
    const weather = ofType(events, 'tool_result')[0]!;
    fake.script({ text: 'Door open; Rome is sunny.' });
    await llm.complete({
      messages: [
        user('Open the hall door and check Rome'),
        { role: 'assistant', content: [{ type: 'tool_call', call: pending! }, { type: 'tool_call', call: weather.call }] },
        { role: 'user', content: [{ type: 'tool_result', call: pending!, result: { ok: true, value: 'opened' } }, { type: 'tool_result', call: weather.call, result: weather.result }] },
      ],
      tools,
    });
    expect(fake.requests[1]!.body.contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'open_door', args: { room: 'hall' } }, thoughtSignature: 'c2lnLTI=' },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'open_door', response: { output: 'opened' } } },
          { functionResponse: { name: 'get_weather', response: { output: { city: 'Rome', celsius: 21 } } } },
        ],
      },
    ]);
  });

  it('gives a replayed call with an unknown signature the documented stand-in, and keeps Gemini ids', async () => {
    const call = { id: 'fc-from-elsewhere', name: 'get_weather', arguments: { city: 'Lima' } };
    await llm.complete({
      messages: [
        user('Weather in Lima?'),
        { role: 'assistant', content: [{ type: 'tool_call', call }] },
        { role: 'user', content: [{ type: 'tool_result', call, result: { ok: false, error: 'offline' } }] },
      ],
    });
    expect(fake.requests[0]!.body.contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { id: 'fc-from-elsewhere', name: 'get_weather', args: { city: 'Lima' } }, thoughtSignature: UNKNOWN_THOUGHT_SIGNATURE }] },
      { role: 'user', parts: [{ functionResponse: { id: 'fc-from-elsewhere', name: 'get_weather', response: { error: 'offline' } } }] },
    ]);
  });
});

describe('geminiLLMOptions (configuration preset)', () => {
  it('takes the key, model and base URL from the configuration', async () => {
    const config = loadConfig({ GOOGLE_API_KEY: API_KEY, GEMINI_MODEL: 'gemini-from-env', GOOGLE_GEMINI_BASE_URL: baseUrl });
    const done = await new GeminiLLM(geminiLLMOptions(config)).complete({ messages: [user('hi')] });
    expect(done.text).toBe('ok');
    expect(fake.requests[0]).toMatchObject({ model: 'gemini-from-env', apiKey: API_KEY });
    expect(() => geminiLLMOptions(loadConfig({}))).toThrow(ConfigError);
    // Unset, the provider's own default model applies.
    expect(new GeminiLLM(geminiLLMOptions(loadConfig({ GOOGLE_API_KEY: API_KEY }))).model).toBe(DEFAULT_GEMINI_MODEL);
  });
});
