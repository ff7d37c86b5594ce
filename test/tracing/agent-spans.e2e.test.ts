/**
 * The spans of an Agent in a call, end to end: the real StreamEdge against the Stream fakes and
 * the real GeminiRealtime against the Live API fake, as in test/agent/agent.e2e.test.ts.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { heardRatio } from '../../src/agent/agent-spans.js';
import { nextEvent } from '../edge/helpers.js';
import { startAgentHarness, type AgentHarness } from '../agent/agent-harness.js';
import { isChildOf, recordSpans, resetSpans, spanNamed, spansNamed } from './span-recorder.js';

beforeAll(recordSpans);
beforeEach(resetSpans);

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const getTime = {
  name: 'get_time',
  description: 'The current time in a city',
  parameters: z.object({ city: z.string() }),
  execute: ({ city }: { city: string }) => ({ city, time: '12:00' }),
};

describe('heardRatio', () => {
  it('is the share of the generated reply that was played, 1 for a reply not cut', () => {
    expect(heardRatio({ interrupted: false })).toBe(1);
    expect(heardRatio({ interrupted: true, playedMs: 50, generatedMs: 200 })).toBe(0.25);
    expect(heardRatio({ interrupted: true, playedMs: 220, generatedMs: 200 })).toBe(1);
    expect(heardRatio({ interrupted: true, generatedMs: 200 })).toBeUndefined();
  });
});

describe('agent spans', () => {
  it('a call: session, join by component, turns with latency and how much was heard, tools, reconnects', async () => {
    harness = await startAgentHarness({ tools: [getTime] });
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'traced');
    const frank = stream.video.call('traced').addParticipant({ userId: 'frank' });
    live.script.respondAfterAudioMs = 300;
    live.script.turns.push(
      { userText: ['Time in Oslo?'], toolCalls: [{ name: 'get_time', args: { city: 'Oslo' } }], answerText: ['Noon.'] },
      { userText: ['Tell me', ' a story'], answerText: ['Once', ' upon', ' a time'], answerAudioMs: 4000, interruptAfterChunks: 5 },
    );
    await agent.join(call);
    await harness.hearing('frank');
    const first = nextEvent(agent.events, 'agent.turn.ended');
    void frank.playTone(300, 400);
    await first;
    const second = nextEvent(agent.events, 'agent.turn.ended');
    void frank.playTone(300, 400);
    await expect(second).resolves.toMatchObject({ interrupted: true });
    // The model's socket drops: the session resumes on a new one.
    live.latest!.drop(1011);
    await spanNamed('gemini.live.reconnect');
    await harness.close();
    harness = undefined;

    const session = await spanNamed('agent.session');
    expect(session.attributes).toMatchObject({
      'agent.call_type': 'default',
      'agent.call_id': 'traced',
      'agent.user_id': 'agent',
      'gen_ai.provider.name': 'gcp.gemini',
      'agent.end_reason': 'closed',
      'agent.turns': 2,
      'agent.interruptions': 1,
    });
    expect(session.attributes['gen_ai.request.model']).toEqual(expect.any(String));

    const join = await spanNamed('agent.join');
    expect(isChildOf(join, session)).toBe(true);
    for (const component of ['call', 'model', 'conversation']) {
      const part = await spanNamed(`agent.join.${component}`);
      expect(isChildOf(part, join)).toBe(true);
      expect(part.attributes['agent.component']).toBe(component);
    }
    const connect = await spanNamed('gemini.live.connect', (span) => span.attributes['gemini.live.resumed'] === false);
    expect(isChildOf(connect, session)).toBe(true);
    expect(connect.attributes).toMatchObject({ 'gemini.live.attempt': 1 });

    const userTurns = spansNamed('user.turn');
    expect(userTurns.length).toBeGreaterThanOrEqual(2);
    expect(userTurns.every((span) => isChildOf(span, session) && span.attributes['agent.turn.speaker_id'] === 'frank')).toBe(true);

    const [answered, cut] = spansNamed('agent.turn').sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(isChildOf(answered!, session)).toBe(true);
    expect(answered!.attributes).toMatchObject({ 'agent.turn.interrupted': false, 'agent.turn.heard_ratio': 1 });
    expect(answered!.attributes['agent.turn.response_latency_ms']).toBeGreaterThanOrEqual(0);
    // Cut after 5 chunks of 40 ms: 200 ms were generated, of which what the pacer had played.
    expect(cut!.attributes).toMatchObject({ 'agent.turn.interrupted': true, 'agent.turn.generated_ms': 200, 'agent.turn.played_ms': expect.any(Number) });
    const played = cut!.attributes['agent.turn.played_ms'] as number;
    expect(cut!.attributes['agent.turn.heard_ratio']).toBe(Math.min(1, played / 200));

    const tool = await spanNamed('execute_tool get_time');
    expect(isChildOf(tool, session)).toBe(true);
    expect(tool.attributes).toMatchObject({ 'gen_ai.tool.name': 'get_time', 'agent.tool.ok': true });

    const reconnect = await spanNamed('gemini.live.reconnect');
    expect(isChildOf(reconnect, session)).toBe(true);
    expect(reconnect.attributes).toMatchObject({ 'gemini.live.outcome': 'reconnected', 'gemini.live.resumed': true, 'gemini.live.reason': expect.stringContaining('1011') });
    const resumed = await spanNamed('gemini.live.connect', (span) => span.attributes['gemini.live.resumed'] === true);
    expect(isChildOf(resumed, reconnect)).toBe(true);

    // The transcript's writes belong to the call's trace.
    const write = await spanNamed('conversation.sync', (span) => span.attributes['conversation.final'] === true);
    expect(write.spanContext().traceId).toBe(session.spanContext().traceId);
  });

  it('a join that fails names the component on the join span, and ends the session span as an error', async () => {
    harness = await startAgentHarness();
    const { agent, live } = harness;
    live.script.rejectSetups = { count: 100, code: 1008, reason: 'Policy violation' };
    const call = await agent.createCall('default', 'broken');
    await expect(agent.join(call)).rejects.toMatchObject({ component: 'model' });

    const join = await spanNamed('agent.join');
    expect(join.status.code).toBe(SpanStatusCode.ERROR);
    expect(join.attributes).toMatchObject({ 'agent.component': 'model', 'error.type': 'AGENT_JOIN' });
    expect((await spanNamed('agent.join.model')).status.code).toBe(SpanStatusCode.ERROR);
    expect((await spanNamed('agent.join.call')).status.code).not.toBe(SpanStatusCode.ERROR);
    const session = await spanNamed('agent.session');
    expect(session.status.code).toBe(SpanStatusCode.ERROR);
    expect(session.attributes['agent.end_reason']).toBe('join failed');
  });
});
