/**
 * Spans of the completion API, through the real server, the real GeminiLLM and the Gemini fake:
 * a `completion` span per request with a `generate_content` child per model call (and the
 * tools and conversation writes of the request beneath it).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readJsonl, startHarness, userTurn, type Harness } from '../completion/harness.js';
import { API_KEY } from '../completion/harness.js';
import { exportedText, isChildOf, recordSpans, resetSpans, spanNamed, spansNamed } from './span-recorder.js';

let harness: Harness;
beforeAll(async () => {
  recordSpans();
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => {
  harness.fake.reset();
  resetSpans();
});

describe('completion spans', () => {
  it('a stateless completion: model, tokens, end reason and mode, with a model call beneath', async () => {
    harness.fake.script({ text: 'It is noon.', usage: { promptTokenCount: 12, candidatesTokenCount: 4, totalTokenCount: 16 } });
    const response = await harness.complete({ backstory: 'B.', messages: [userTurn('Time?')] }, { accept: 'application/jsonl' });
    await readJsonl(response);

    const request = await spanNamed('completion');
    expect(request.kind).toBe(SpanKind.SERVER);
    expect(request.attributes).toMatchObject({
      'completion.route': 'stateless',
      'completion.mode': 'jsonl',
      'completion.end_reason': 'stop',
      'completion.tokens': 16,
      'completion.request_id': response.headers.get('x-request-id'),
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.system': 'gcp.gemini',
    });
    expect(request.attributes['completion.key_id']).toMatch(/^key_/);
    expect(request.status.code).not.toBe(SpanStatusCode.ERROR);

    const call = await spanNamed('generate_content gemini-2.5-flash');
    expect(isChildOf(call, request)).toBe(true);
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.response.finish_reasons': ['stop'],
      'gemini.attempts': 1,
    });
    // Neither the worker's key nor Gemini's reaches a span.
    expect(exportedText()).not.toContain(API_KEY);
    expect(exportedText()).not.toContain('fake-gemini-key');
  });

  it('a function the server answers: two model calls and the tool, all under the request', async () => {
    harness.fake.script([{ functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] }, { text: 'Three degrees.' }]);
    const weather = { name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
    await (await harness.complete({ backstory: 'B.', messages: [userTurn('Oslo?')], functions: [{ ...weather, result: { data: { temp: 3 } } }] })).json();

    const request = await spanNamed('completion');
    const calls = spansNamed(/^generate_content /);
    expect(calls).toHaveLength(2);
    expect(calls.every((call) => isChildOf(call, request))).toBe(true);
    const tool = await spanNamed('execute_tool get_weather');
    expect(isChildOf(tool, request)).toBe(true);
    expect(tool.attributes).toMatchObject({ 'agent.tool.ok': true });
  });

  it('a model that fails: the request and the model call are errors', async () => {
    harness.fake.script({ error: { status: 400, message: 'API key not valid. key=AIzaSyA-not-a-real-key-0123456789abcdef' } });
    await (await harness.complete({ backstory: 'B.', messages: [userTurn('Hi')] })).text();
    const request = await spanNamed('completion');
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    expect(request.attributes).toMatchObject({ 'completion.end_reason': 'error', 'completion.error_code': 'GENERIC_ERROR' });
    const call = await spanNamed(/^generate_content /);
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.events.map((event) => event.name)).toContain('exception');
    expect(exportedText()).not.toContain('AIzaSyA-not-a-real-key');
  });

  it('a refused request says its status and code, and is not a failure of the server', async () => {
    const response = await harness.complete({ messages: [{ type: 'nonsense', text: 'x' }] });
    expect(response.status).toBe(400);
    const request = await spanNamed('completion');
    expect(request.attributes).toMatchObject({ 'http.response.status_code': 400, 'completion.error_code': 'INVALID_REQUEST' });
    expect(request.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it("continues the caller's trace from its traceparent header", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await (await harness.post('/api/v1/conversation/complete', { backstory: 'B.', messages: [userTurn('Hi')] }, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })).json();
    const request = await spanNamed('completion');
    expect(request.spanContext().traceId).toBe(traceId);
    expect(request.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('a completion on a conversation: its id, and the transcript writes beneath the request', async () => {
    harness.fake.script({ text: 'Hello Ada.' });
    const response = await harness.post('/api/v1/conversation/traced-1/complete', { text: 'I am Ada.' }, { accept: 'application/jsonl' });
    await readJsonl(response);
    const request = await spanNamed('completion', (span) => span.attributes['completion.route'] === 'conversation');
    expect(request.attributes).toMatchObject({ 'gen_ai.conversation.id': 'traced-1', 'completion.end_reason': 'stop', 'completion.mode': 'jsonl' });
    const write = await spanNamed('conversation.sync', (span) => span.attributes['conversation.final'] === true);
    expect(write.spanContext().traceId).toBe(request.spanContext().traceId);
  });
});
