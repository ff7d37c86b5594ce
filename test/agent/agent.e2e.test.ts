/**
 * The Agent end to end: the real StreamEdge (video-client + wrtc) against the Stream fakes,
 * the real GeminiRealtime (@google/genai) against the Live API fake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentJoinError } from '../../src/agent/index.js';
import { nextEvent, waitUntil } from '../edge/helpers.js';
import { isSilent } from '../../testing/stream-video/index.js';
import type { RecordedFrame } from '../../testing/stream-video/index.js';
import { startAgentHarness, type AgentHarness } from './agent-harness.js';

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});


const audible = (frames: readonly RecordedFrame[]) => frames.filter((frame) => !isSilent(frame.samples));

describe('Agent', () => {
  it('hears a person, answers in the call, and keeps both turns in the chat in order', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'talk');
    const fakeCall = stream.video.call('talk');
    const alice = fakeCall.addParticipant({ userId: 'alice', name: 'Alice' });
    live.script.respondAfterAudioMs = 300;
    live.script.turns.push({ userText: ['What time', ' is it?'], answerText: ['It is', ' noon.'], answerAudioMs: 600 });
    await agent.join(call);
    expect(stream.api.users.get('agent')?.custom).toMatchObject({ provider: 'gemini' });

    const transcripts: string[] = [];
    agent.on('transcript', ({ role, userId, text, final }) => void (final && transcripts.push(`${role}:${userId}:${text}`)));
    const turnEnded = nextEvent(agent.events, 'agent.turn.ended');
    await harness.hearing('alice');
    void alice.playTone(300, 400);
    await expect(turnEnded).resolves.toMatchObject({ text: 'It is noon.', interrupted: false });

    // What the model heard is the person's audio, at 16 kHz.
    expect(live.latest!.audioMs).toBeGreaterThanOrEqual(200);
    // The model's answer (a 440 Hz tone) reached the call on the agent's track.
    const recording = fakeCall.recording('agent');
    await recording.waitFor((r) => audible(r.frames).length >= 50, 10_000, '500 ms of the agent speaking');
    // It is the answer (sent by the model after the question), not the question echoed, and
    // about as long as the model's 600 ms (the receiving jitter buffer stretches it a little).
    const answerSentAtMs = live.latest!.turns[0]!.firstAudioAtMs!;
    expect(audible(recording.frames).every((frame) => frame.receivedAtMs > answerSentAtMs)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(audible(recording.frames).length * 10).toBeGreaterThanOrEqual(500);
    expect(audible(recording.frames).length * 10).toBeLessThanOrEqual(900);

    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:talk').map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'alice', text: 'What time is it?' },
      { userId: 'agent', text: 'It is noon.' },
    ]);
    expect(transcripts.sort()).toEqual(['assistant:agent:It is noon.', 'user:alice:What time is it?']);
    expect(agent.stats()).toMatchObject({ turns: 1, interruptions: 0 });
  });

  it('flushes its voice at once when the person barges in, and records what it actually said', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'barge');
    const fakeCall = stream.video.call('barge');
    const bob = fakeCall.addParticipant({ userId: 'bob' });
    // 4 s of answer, cut after 25 chunks of 40 ms that the fake sends at 20× real time: a second
    // of audio is queued for playback when the barge-in comes.
    live.script.respondAfterAudioMs = 300;
    live.script.turns.push({ userText: ['Tell me', ' a story'], answerText: ['Once', ' upon', ' a time'], answerAudioMs: 4000, interruptAfterChunks: 25 });
    await agent.join(call);
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    const metrics = nextEvent(agent.events, 'metrics');
    const stopped = nextEvent(agent.events, 'agent.speech.stopped');
    await harness.hearing('bob');
    void bob.playTone(300, 400);
    await expect(ended).resolves.toMatchObject({ interrupted: true });
    const turn = await metrics;
    expect(turn).toMatchObject({ interrupted: true, generatedMs: 1000 });
    const flush = await stopped;
    expect(flush.reason).toBe('flushed');
    // The flush dropped what was still queued: without it the whole second would have played.
    expect(flush.playedMs).toBeLessThan(turn.generatedMs!);
    expect(turn.playedMs).toBe(flush.playedMs);

    // The call goes quiet (what was played may still be on its way when the flush is reported)…
    const recording = fakeCall.recording('agent');
    const framesAtInterrupt = recording.frames.length;
    const quiet = (r: typeof recording) => r.frames.length >= framesAtInterrupt + 30 && audible(r.frames.slice(-20)).length === 0;
    await recording.waitFor(quiet, 10_000, '200 ms of silence after the barge-in');
    // …and nothing after the flush reached it: what the listener heard is what had been played
    // (give or take the frames in flight and the receiving jitter buffer's stretching).
    expect(audible(recording.frames).length * 10).toBeLessThanOrEqual(flush.playedMs + 50);

    await agent.conversation!.flush();
    const answer = stream.api.transcript('messaging:barge').find((message) => message.userId === 'agent');
    const stored = agent.conversation!.messages.find((message) => message.role === 'assistant');
    expect(stored).toMatchObject({ completed: true, interrupted: true });
    expect(answer?.text).toBe(stored?.content);
    expect(agent.stats().interruptions).toBe(1);
  });

  it('survives a 1011 drop of the model socket by resuming the session', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'resume');
    const carol = stream.video.call('resume').addParticipant({ userId: 'carol' });
    live.script.respondAfterAudioMs = 300;
    await agent.join(call);
    const first = nextEvent(agent.events, 'agent.turn.ended');
    await harness.hearing('carol');
    void carol.playTone(300, 400);
    await first;
    const dropped = live.latest!;
    const handle = dropped.handlesSent.at(-1);
    expect(handle).toBeDefined();
    dropped.drop(1011);
    await live.waitFor(() => live.connections.length === 2 && live.latest!.setup !== undefined);
    expect(live.latest!.setup!.sessionResumption?.handle).toBe(handle);

    const second = nextEvent(agent.events, 'agent.turn.ended');
    void carol.playTone(300, 400);
    await expect(second).resolves.toMatchObject({ interrupted: false });
    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:resume').map((message) => message.userId)).toEqual(['carol', 'agent', 'carol', 'agent']);
  });

  it('attributes each user turn to the person who started speaking first', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'two');
    const fakeCall = stream.video.call('two');
    const dave = fakeCall.addParticipant({ userId: 'dave' });
    const erin = fakeCall.addParticipant({ userId: 'erin' });
    live.script.respondAfterAudioMs = 600;
    await agent.join(call);
    await waitUntil(() => agent.humanCount === 2, 'both people to be in the call', 5000);

    await Promise.all([harness.hearing('dave'), harness.hearing('erin')]);
    const first = nextEvent(agent.events, 'user.turn.started');
    void dave.playTone(300, 700);
    await new Promise((resolve) => setTimeout(resolve, 150));
    void erin.playTone(500, 400);
    await expect(first).resolves.toMatchObject({ userId: 'dave' });
    await nextEvent(agent.events, 'agent.turn.ended');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const second = nextEvent(agent.events, 'user.turn.started');
    void erin.playTone(500, 700);
    await expect(second).resolves.toMatchObject({ userId: 'erin' });
  });

  it('names the failing component when joining fails, and leaves nothing running', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    live.script.rejectSetups = { count: 100, code: 1008, reason: 'Policy violation' };
    const call = await agent.createCall('default', 'broken');
    const error = await agent.join(call).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AgentJoinError);
    expect((error as AgentJoinError).component).toBe('model');
    const fakeCall = stream.video.call('broken');
    await waitUntil(() => fakeCall.session('agent') === undefined, 'the agent to leave the SFU', 5000);
    expect(live.openCount).toBe(0);
  });

  it('runs a tool the model calls and tells its listeners', async () => {
    harness = await startAgentHarness({
      tools: [
        {
          name: 'get_time',
          description: 'The current time in a city',
          parameters: z.object({ city: z.string() }),
          execute: ({ city }) => ({ city, time: '12:00' }),
        },
      ],
    });
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'tools');
    const frank = stream.video.call('tools').addParticipant({ userId: 'frank' });
    live.script.respondAfterAudioMs = 300;
    live.script.turns.push({ userText: ['Time in Oslo?'], toolCalls: [{ name: 'get_time', args: { city: 'Oslo' } }], answerText: ['Noon.'] });
    await agent.join(call);
    const toolCall = nextEvent(agent.events, 'tool.call');
    const toolResult = nextEvent(agent.events, 'tool.result');
    await harness.hearing('frank');
    void frank.playTone(300, 400);
    await expect(toolCall).resolves.toMatchObject({ call: { name: 'get_time', arguments: { city: 'Oslo' } } });
    await expect(toolResult).resolves.toMatchObject({ result: { ok: true, value: { city: 'Oslo', time: '12:00' } } });
    await nextEvent(agent.events, 'agent.turn.ended');
    expect(JSON.stringify(live.latest!.toolResponses)).toContain('12:00');
  });

  it('leaves no sockets, timers or servers behind after close', async () => {
    const before = resourceCounts();
    harness = await startAgentHarness();
    const { agent, stream } = harness;
    const call = await agent.createCall('default', 'cleanup');
    const gina = stream.video.call('cleanup').addParticipant({ userId: 'gina' });
    await agent.join(call);
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    await harness.hearing('gina');
    void gina.playTone(300, 400);
    await ended;
    const left = nextEvent(agent.events, 'agent.left');
    await harness.close();
    harness = undefined;
    await expect(left).resolves.toMatchObject({ reason: 'closed' });
    await expect(agent.finish()).resolves.toBeUndefined();
    await waitUntil(() => sameResources(before, resourceCounts()), 'sockets and timers to be released', 5000);
  });
  it('finalises a reply cut short by close, so nothing is left generating in the chat', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'cut');
    const ivan = stream.video.call('cut').addParticipant({ userId: 'ivan' });
    live.script.respondAfterAudioMs = 300;
    // A long answer, sent in real time, so close() lands in the middle of it.
    live.script.paceFactor = 1;
    live.script.turns.push({ userText: ['Go on'], answerText: ['One,', ' two,', ' three,', ' four,', ' five.'], answerAudioMs: 5000 });
    await agent.join(call);
    const midReply = nextEvent(agent.events, 'transcript', (event) => event.role === 'assistant' && !event.final);
    await harness.hearing('ivan');
    void ivan.playTone(300, 400);
    await midReply;
    await agent.close();
    const reply = stream.api.transcript('messaging:cut').find((message) => message.userId === 'agent');
    expect(reply).toMatchObject({ generating: false });
    expect(reply!.text.length).toBeGreaterThan(0);
    expect(agent.conversation?.messages.find((message) => message.role === 'assistant')).toMatchObject({ completed: true, interrupted: true });
  });
});

/** Counts of the kinds of handle that keep a process alive. */
function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TTYWrap' || kind === 'PipeWrap' || kind === 'FSReqCallback') continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

function sameResources(before: Record<string, number>, after: Record<string, number>): boolean {
  return Object.keys({ ...before, ...after }).every((kind) => (after[kind] ?? 0) <= (before[kind] ?? 0));
}
