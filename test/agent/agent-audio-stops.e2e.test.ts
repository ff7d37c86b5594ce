/**
 * Realtime mode when a person's audio stops mid-turn: they leave the call, or mute their
 * microphone, while still talking, so no silence follows for the Live API's activity detection to end the turn on. The
 * Agent tells the session the audio ended, the session sends `audioStreamEnd`, and the service
 * answers what it heard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteParticipant } from '../../testing/stream-video/index.js';
import { nextEvent } from '../edge/helpers.js';
import { startAgentHarness, type AgentHarness } from './agent-harness.js';

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('Agent, when the audio stops', () => {
  it.each([
    ['leaves the call', (person: RemoteParticipant) => person.leave()],
    ['mutes the microphone', (person: RemoteParticipant) => person.mute()],
  ])('ends the turn of a person who %s while talking, and the model answers it', async (how, stop) => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const callId = `audio-stops-${how.split(' ')[0]}`;
    const call = await agent.createCall('default', callId);
    const alice = stream.video.call(callId).addParticipant({ userId: 'alice' });
    // Far more speech than she says: only the end of the audio can make the model answer.
    live.script.respondAfterAudioMs = 10_000;
    live.script.turns.push({ userText: ['Is it raining?'], answerText: ['No.'], answerAudioMs: 300 });
    await agent.join(call);
    const answered = nextEvent(agent.events, 'agent.turn.ended', undefined, 30_000);
    await harness.hearing('alice');

    await alice.playTone(300, 600);
    stop(alice);

    await expect(answered).resolves.toMatchObject({ text: 'No.', interrupted: false });
    const session = live.latest!;
    expect(session.activityEvents.map(({ type }) => type)).toEqual(['audioStreamEnd']);
    // The speech reached the model before the end of the stream, none of it held back.
    expect(session.activityEvents[0]!.atAudioMs).toBeGreaterThanOrEqual(450);
  });

  it('leaves the turn to the model while someone else is still talking', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'audio-stops-other');
    const fakeCall = stream.video.call('audio-stops-other');
    const alice = fakeCall.addParticipant({ userId: 'alice' });
    const bob = fakeCall.addParticipant({ userId: 'bob' });
    live.script.respondAfterAudioMs = 10_000;
    await agent.join(call);
    await Promise.all([harness.hearing('alice'), harness.hearing('bob')]);
    const audioStopped = nextEvent(agent.events, 'participant.left');

    const bobTalking = bob.playTone(500, 1_500);
    await alice.playTone(300, 600);
    alice.leave();
    await audioStopped;
    await bobTalking;
    expect(live.latest!.activityEvents).toEqual([]);
  });
});
