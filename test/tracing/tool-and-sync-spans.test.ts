/** Spans of tool calls (ToolRegistry.execute) and of conversation writes (the sync worker). */
import { SpanStatusCode } from '@opentelemetry/api';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Conversation, type PersistRequest } from '../../src/conversation/conversation.js';
import { inSpan } from '../../src/core/tracing.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { exportedText, isChildOf, recordSpans, resetSpans, spanNamed, spansNamed } from './span-recorder.js';

beforeAll(recordSpans);
beforeEach(resetSpans);

const SECRET = 'AIzaSyD-secret-key-0123456789abcdefghij';

describe('tool spans', () => {
  const tools = new ToolRegistry([
    { name: 'get_weather', description: 'Weather.', parameters: z.object({ city: z.string() }), execute: ({ city }) => ({ city, tempC: 3 }) },
    {
      name: 'fetch_page',
      description: 'Fails.',
      parameters: z.object({}),
      execute: () => {
        throw new Error(`GET https://example.com/?key=${SECRET} answered 500`);
      },
    },
  ]);

  it('records each call with its name, call id and outcome, under the active span', async () => {
    await inSpan('request', {}, () => tools.execute({ id: 'call-1', name: 'get_weather', arguments: { city: 'Oslo' } }));
    const span = await spanNamed('execute_tool get_weather');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': 'call-1',
      'agent.tool.ok': true,
    });
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(isChildOf(span, await spanNamed('request'))).toBe(true);
  });

  it('marks a failing tool as an error, without the secret its message carried', async () => {
    const result = await tools.execute({ id: 'call-2', name: 'fetch_page', arguments: {} });
    expect(result.ok).toBe(false);
    const span = await spanNamed('execute_tool fetch_page');
    expect(span.attributes).toMatchObject({ 'agent.tool.ok': false, 'error.type': 'tool_error' });
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('answered 500') });
    expect(exportedText()).not.toContain(SECRET);
  });

  it('does not name a span after a tool the model made up', async () => {
    await tools.execute({ id: 'call-3', name: 'no_such_tool', arguments: {} });
    const span = await spanNamed('execute_tool');
    expect(span.attributes).toMatchObject({ 'gen_ai.tool.name': 'no_such_tool', 'agent.tool.ok': false });
  });
});

/** A store that fails its first `failures` writes with a retryable error. */
class FlakyConversation extends Conversation {
  failures: number;
  constructor(failures: number) {
    super({ backoffBaseMs: 1, backoffMaxMs: 5, minUpdateIntervalMs: 0 });
    this.failures = failures;
  }
  protected override async persist(_request: PersistRequest): Promise<void> {
    if (this.failures-- > 0) throw Object.assign(new Error(`Stream answered 503 (token=${SECRET})`), { retryable: true });
  }
}

describe('conversation sync spans', () => {
  it('records each persistence write with the message id, whether it is final, and the attempt', async () => {
    const conversation = new FlakyConversation(1);
    const message = conversation.send('user', 'alice', 'Hello');
    await conversation.flush();
    const writes = spansNamed('conversation.sync').filter((span) => span.attributes['conversation.write'] === 'message');
    expect(writes.map((span) => span.attributes)).toEqual([
      expect.objectContaining({ 'conversation.message_id': message.id, 'conversation.final': true, 'conversation.attempt': 1 }),
      expect.objectContaining({ 'conversation.message_id': message.id, 'conversation.final': true, 'conversation.attempt': 2 }),
    ]);
    expect(writes[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(writes[1]!.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(exportedText()).not.toContain(SECRET);
    await conversation.close();
  });
});
