/**
 * Pipeline mode when a person's audio stops mid-turn: they ask a question and leave the call, or
 * mute their microphone, as their last word ends, so no silence follows it. The VAD and the STT wait for silence that
 * never comes; the Agent tells the session the audio ended, the STT settles what it heard
 * (Deepgram's `Finalize`), and the question is answered all the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteParticipant } from '../../testing/stream-video/index.js';
import { nextEvent } from '../edge/helpers.js';
import { speechPcm } from '../support/speech.js';
import { waitUntil } from '../support/wait.js';
import { AGENT_ID, startPipelineHarness, type PipelineHarness } from './pipeline-harness.js';

let harness: PipelineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** `pcm` without the quiet tail espeak-ng leaves after the last word. */
function withoutTrailingSilence(pcm: Int16Array, threshold = 300): Int16Array {
  let end = pcm.length;
  while (end > 0 && Math.abs(pcm[end - 1]!) < threshold) end--;
  return pcm.subarray(0, end);
}

describe('Agent in pipeline mode, when the audio stops', () => {
  it.each([
    ['left the call', (person: RemoteParticipant) => person.leave()],
    ['muted the microphone', (person: RemoteParticipant) => person.mute()],
  ])('answers a question whose speaker %s as the last word ended, with no silence after it', async (how, stop) => {
    harness = await startPipelineHarness();
    const { agent, gemini, stream } = harness;
    gemini.script({ text: 'It is sunny in Oslo.' });
    const callId = `pipeline-audio-stops-${how.split(' ')[0]}`;
    const { people: [alice] } = await harness.joinCall(callId, { userId: 'alice' });
    const answered = nextEvent(agent.events, 'agent.turn.ended', undefined, 30_000);

    const text = 'What is the weather like in Oslo';
    const speech = withoutTrailingSilence(await speechPcm(text, { sampleRate: 48_000 }));
    const socket = await harness.sttSocket();
    const startMs = socket.audioMs + 400;
    socket.hear({ text, startMs: startMs + 150, endMs: startMs + (speech.length / 48_000) * 1000 });
    await waitUntil(() => socket.audioMs >= startMs, 'the STT to reach the start of the speech', 30_000);
    await alice.playPcm(speech, 48_000);
    stop(alice);

    await expect(answered).resolves.toMatchObject({ text: 'It is sunny in Oslo.', interrupted: false });
    // The STT was asked to settle what it heard, and its answer to that says so.
    expect(socket.finalizes).toBeGreaterThan(0);
    expect(socket.sent.some((message) => message.type === 'Results' && message.from_finalize === true)).toBe(true);
    await agent.conversation!.flush();
    expect(stream.api.transcript(`messaging:${callId}`).map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'alice', text },
      { userId: AGENT_ID, text: 'It is sunny in Oslo.' },
    ]);
  }, 90_000);
});
