/** Spans of a Gemini Live session's connections: a goAway handover, and reconnects that run out. */
import { context, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contextOf, startSpan } from '../../src/core/tracing.js';
import type { GeminiRealtimeSession } from '../../src/llm/gemini/realtime-session.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { modelFor } from '../realtime/helpers.js';
import { isChildOf, recordSpans, resetSpans, spanNamed, spansNamed } from './span-recorder.js';

let fake: FakeGeminiLive;
beforeAll(recordSpans);
beforeEach(async () => {
  resetSpans();
  fake = await FakeGeminiLive.start();
});
afterEach(() => fake.close());

/** Opens a session inside a `call` span, as the Agent does: its spans take that span as parent. */
async function connectInCall(options: Parameters<typeof modelFor>[1] = {}): Promise<{ session: GeminiRealtimeSession; call: ReturnType<typeof startSpan> }> {
  const call = startSpan('call');
  const session = await context.with(contextOf(call), () => modelFor(fake, options).connect());
  return { session, call };
}

describe('gemini.live spans', () => {
  it('a goAway handover is a reconnect that resumes, with its connection attempt beneath', async () => {
    const { session, call } = await connectInCall();
    const reconnected = session.next('reconnected');
    fake.latest!.goAway(10_000);
    await reconnected;
    await session.close();
    call.end();

    const reconnect = await spanNamed('gemini.live.reconnect');
    expect(reconnect.attributes).toMatchObject({
      'gemini.live.reason': 'server goAway',
      'gemini.live.outcome': 'reconnected',
      'gemini.live.resumed': true,
      'gemini.live.attempts': 1,
    });
    const callSpan = await spanNamed('call');
    expect(isChildOf(reconnect, callSpan)).toBe(true);
    const [first, second] = spansNamed('gemini.live.connect');
    expect(isChildOf(first!, callSpan)).toBe(true);
    expect(first!.attributes).toMatchObject({ 'gemini.live.attempt': 1, 'gemini.live.resumed': false, 'gen_ai.request.model': 'gemini-live-test' });
    expect(isChildOf(second!, reconnect)).toBe(true);
    expect(second!.attributes['gemini.live.resumed']).toBe(true);
  });

  it('reconnects that run out of attempts: a failed reconnect, each refused setup an error', async () => {
    const { session, call } = await connectInCall({ maxReconnectAttempts: 3 });
    const closed = session.next('closed');
    fake.script.rejectSetups = { count: 100, code: 1011, reason: 'Internal error encountered.' };
    fake.latest!.drop(1011);
    await closed;
    call.end();

    const reconnect = await spanNamed('gemini.live.reconnect');
    expect(reconnect.attributes).toMatchObject({ 'gemini.live.outcome': 'failed', 'gemini.live.attempts': 3, 'error.type': 'LIVE_RECONNECT_FAILED' });
    expect(reconnect.status.code).toBe(SpanStatusCode.ERROR);
    const attempts = spansNamed('gemini.live.connect').filter((span) => isChildOf(span, reconnect));
    expect(attempts.map((span) => span.attributes['gemini.live.attempt'])).toEqual([1, 2, 3]);
    expect(attempts.every((span) => span.status.code === SpanStatusCode.ERROR)).toBe(true);
  });
});
