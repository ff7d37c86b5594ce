/**
 * The shared turn-taking policy in pipeline mode, end to end (Stream fakes, Silero VAD, the fake
 * STT hearing what people say): backchannel words over the agent hold its voice and never cut
 * or answer it; in a group call with `when-addressed`, the agent answers only turns meant for it
 * while every turn is transcribed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedFrame } from '../../testing/stream-video/index.js';
import { nextEvent } from '../edge/helpers.js';
import { waitUntil } from '../support/wait.js';
import { AGENT_ID, startPipelineHarness, type PipelineHarness } from './pipeline-harness.js';

let harness: PipelineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const audible = (frames: readonly RecordedFrame[]) => frames.filter((frame) => frame.samples.some((sample) => sample !== 0));

describe('Turn-taking in pipeline mode', () => {
  it('holds its voice at "yeah, right" said over it and plays on, neither cut nor answering it', async () => {
    harness = await startPipelineHarness();
    const { agent, gemini } = harness;
    const answer = 'Here is an answer that goes on for a while, long enough for somebody to nod along to it.';
    gemini.script({ text: answer, chunks: 4 });
    const { fakeCall, people: [dana] } = await harness.joinCall('pipeline-backchannel', { userId: 'dana' });
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    const speech: string[] = [];
    agent.on('agent.speech.paused', () => void speech.push('paused'));
    agent.on('agent.speech.resumed', () => void speech.push('resumed'));

    await harness.say(dana, 'Tell me something.');
    await fakeCall.recording(AGENT_ID).waitFor((r) => audible(r.frames).length >= 20, 20_000, 'the agent to be speaking');
    const requestsBefore = gemini.requests.length;
    await harness.say(dana, 'Yeah, right.'); // words the STT hears: a backchannel
    const done = await ended;
    expect(done).toMatchObject({ text: answer, interrupted: false });
    expect(speech).toEqual(['paused', 'resumed']);
    expect(agent.stats().interruptions).toBe(0);
    // Transcribed, but no answer was asked for.
    await agent.conversation!.flush();
    await waitUntil(() => harness!.stream.api.transcript('messaging:pipeline-backchannel').some((m) => m.text === 'Yeah, right.'), 'the backchannel in the chat');
    expect(gemini.requests.length).toBe(requestsBefore);
  }, 90_000);

  it('in a meeting with when-addressed, answers only turns meant for it and transcribes them all', async () => {
    harness = await startPipelineHarness({ agent: { addressing: 'when-addressed', agentUser: { id: AGENT_ID, name: 'Nova' } } });
    const { agent, stream, gemini } = harness;
    gemini.script((request) => ({ text: JSON.stringify(request.body.contents).includes('calendar') ? 'Two meetings tomorrow.' : 'Noted.' }));
    const { people: [alice, bob] } = await harness.joinCall('pipeline-meeting', { userId: 'alice', name: 'Alice' }, { userId: 'bob', name: 'Bob' });
    const answered: string[] = [];
    agent.on('agent.turn.ended', ({ text }) => void answered.push(text));
    let userTurns = 0;
    agent.on('transcript', ({ role, final }) => void (role === 'user' && final && userTurns++));

    await harness.say(alice, 'Bob, did you send the slides?');
    await harness.say(bob, 'Yes, this morning.', { voice: 'en-us+m1' });
    await waitUntil(() => userTurns === 2, 'both turns transcribed', 20_000);
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    await harness.say(alice, 'Nova, what is on my calendar tomorrow?');
    await ended;
    expect(answered).toEqual(['Two meetings tomorrow.']);
    // The talk before it reached the model as context of the question.
    const lastRequest = JSON.stringify(gemini.requests.at(-1)!.body.contents);
    expect(lastRequest).toContain('did you send the slides');
    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:pipeline-meeting').map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'alice', text: 'Bob, did you send the slides?' },
      { userId: 'bob', text: 'Yes, this morning.' },
      { userId: 'alice', text: 'Nova, what is on my calendar tomorrow?' },
      { userId: AGENT_ID, text: 'Two meetings tomorrow.' },
    ]);
  }, 120_000);
});
