/**
 * Realtime mode under the agent's own turn detection (Silero VAD on this machine, the fake Live
 * server speaking the Live API's manual activity protocol): the session opens and ends the
 * user's activity itself, holds the answer at speech over it, plays on after a backchannel,
 * cuts it at a real interruption, and in `when-addressed` mode answers only turns meant for it.
 * The people speak espeak-ng speech, streamed in real time as the edge would.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GeminiRealtimeSession } from '../../src/llm/gemini/realtime-session.js';
import { SileroVAD } from '../../src/vad/silero/index.js';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { FakeDeepgram } from '../../testing/deepgram/index.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { silencePcm, speechPcm } from '../support/speech.js';
import { waitFor, waitUntil } from '../support/wait.js';
import { modelFor, payloadsOf, record, type RecordedEvent } from './helpers.js';

const FRAME = 320; // 20 ms at 16 kHz

/** Sends `pcm` (16 kHz) in 20 ms frames at about the pace it was spoken. */
async function stream(session: GeminiRealtimeSession, pcm: Int16Array): Promise<void> {
  const started = performance.now();
  for (let at = 0; at < pcm.length; at += FRAME) {
    session.sendAudio(pcm.subarray(at, at + FRAME), 16_000);
    const aheadMs = ((at + FRAME) / 16) - (performance.now() - started);
    if (aheadMs > 0) await sleep(aheadMs);
  }
}

const say = async (session: GeminiRealtimeSession, text: string, silenceMs = 1_200) => {
  await stream(session, await speechPcm(text, { sampleRate: 16_000 }));
  await stream(session, silencePcm(silenceMs));
};

let fake: FakeGeminiLive;
let deepgram: FakeDeepgram;
let vad: SileroVAD;
let session: GeminiRealtimeSession | undefined;

beforeAll(() => {
  vad = new SileroVAD();
});
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
  deepgram = await FakeDeepgram.start();
});
afterEach(async () => {
  await session?.close();
  session = undefined;
  await fake.close();
  await deepgram.close();
});
afterAll(async () => {
  await vad.close();
});

describe('GeminiRealtime with the agent’s own turn detection', () => {

  async function open(addressing?: { names: string[]; others: string[] }): Promise<{ session: GeminiRealtimeSession; events: RecordedEvent[] }> {
    const model = modelFor(fake, { turnDetection: { vad, minEndpointingDelayMs: 300, maxEndpointingDelayMs: 900 } });
    session = await model.connect(
      addressing && { addressing: { addressing: 'when-addressed', agentNames: addressing.names, participantNames: () => addressing.others } },
    );
    return { session, events: record(session) };
  }

  it('turns the service’s detection off and marks the user’s speech with activityStart and activityEnd', async () => {
    fake.script.turns.push({ userText: ['What time is it?'], answerText: ['It is noon.'], answerAudioMs: 400 });
    const { session, events } = await open();
    const connection = fake.latest!;
    expect(connection.setup?.realtimeInputConfig).toMatchObject({ automaticActivityDetection: { disabled: true }, activityHandling: 'START_OF_ACTIVITY_INTERRUPTS' });
    await stream(session, silencePcm(500));
    expect(connection.activityEvents).toEqual([]); // silence is not an activity
    await say(session, 'What time is it?');
    await waitUntil(() => payloadsOf(events, 'turn.complete').length === 1, 'the answer', 10_000);
    expect(connection.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd']);
    const [start, end] = connection.activityEvents;
    // The activity holds the speech (the audio before the detector's decision included) and ends after it.
    expect(end!.atAudioMs - start!.atAudioMs).toBeGreaterThan(600);
    expect(payloadsOf(events, 'input.transcript.done')[0]?.text).toBe('What time is it?');
    const names = events.map((event) => event.name);
    expect(names.indexOf('user.speech.ended')).toBeLessThan(names.indexOf('response.started'));
  });

  it('answers text sent between turns (a typed turn) without opening an activity, and then hears speech as before', async () => {
    fake.script.turns.push({ answerText: ['Typed', ' answer.'], answerAudioMs: 400 }, { userText: ['What time is it?'], answerText: ['Noon.'], answerAudioMs: 300 });
    const { session, events } = await open();
    session.sendText('Alice typed in the chat: hello');
    await waitUntil(() => payloadsOf(events, 'turn.complete').length === 1, 'the answer to the text', 10_000);
    expect(payloadsOf(events, 'turn.complete')[0]).toMatchObject({ text: 'Typed answer.', interrupted: false });
    expect(fake.latest!.activityEvents).toEqual([]);
    await say(session, 'What time is it?');
    await waitUntil(() => payloadsOf(events, 'turn.complete').length === 2, 'the answer to speech', 10_000);
    expect(payloadsOf(events, 'turn.complete')[1]).toMatchObject({ text: 'Noon.', interrupted: false });
    expect(fake.latest!.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd']);
  });

  it('holds a long answer at a backchannel and plays on: the model is neither cut nor asked to answer it', async () => {
    fake.script.turns.push({ userText: ['Tell me a story.'], answerText: ['Once', ' upon', ' a', ' time', ' there', ' was', ' a', ' fox.'], answerAudioMs: 9_000 });
    const { session, events } = await open();
    await say(session, 'Tell me a story.', 800);
    await waitUntil(() => payloadsOf(events, 'response.started').length === 1, 'the answer to start', 10_000);
    await say(session, 'Yeah.', 900);
    await waitUntil(() => payloadsOf(events, 'playback.resume').length === 1, 'playback to resume', 10_000);
    expect(payloadsOf(events, 'playback.pause')).toHaveLength(1);
    expect(payloadsOf(events, 'interrupted')).toEqual([]);
    expect(fake.latest!.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd']);
    expect(payloadsOf(events, 'turn.complete')).toEqual([]); // still playing
  });

  it('cuts the answer at a real interruption, keeps what was heard, and lets the model hear the interruption', async () => {
    fake.script.turns.push(
      { userText: ['Tell me a story.'], answerText: ['Once', ' upon', ' a', ' time', ' there', ' was', ' a', ' fox', ' who', ' ran.'], answerAudioMs: 9_000 },
      { userText: ['Hold on, I have a question.'], answerText: ['Sure.'], answerAudioMs: 300 },
    );
    const { session, events } = await open();
    await say(session, 'Tell me a story.', 800);
    await waitUntil(() => payloadsOf(events, 'response.started').length === 1, 'the answer to start', 10_000);
    await say(session, 'Hold on, I have a question.');
    await waitUntil(() => payloadsOf(events, 'turn.complete').length === 2, 'the cut answer and the next', 10_000);
    const [cut, next] = payloadsOf(events, 'turn.complete');
    expect(cut).toMatchObject({ interrupted: true });
    expect(cut!.text.length).toBeGreaterThan(0);
    expect(cut!.text.length).toBeLessThan('Once upon a time there was a fox who ran.'.length);
    expect(next).toMatchObject({ interrupted: false, text: 'Sure.' });
    expect(payloadsOf(events, 'playback.pause')).toHaveLength(1);
    expect(fake.latest!.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd', 'activityStart', 'activityEnd']);
  });

  it('in when-addressed mode, keeps talk among people as context and answers when named', async () => {
    fake.script.heard.push('Bob, did you send the slides?', 'Yes, this morning.', 'Nova, what is on my calendar tomorrow?');
    fake.script.turns.push({ answerText: ['Two meetings.'], answerAudioMs: 300 });
    const { session, events } = await open({ names: ['Nova'], others: ['Bob', 'Alice'] });
    await say(session, 'Bob, did you send the slides?');
    await say(session, 'Yes, this morning.');
    const connection = fake.latest!;
    expect(connection.activityEvents.map((event) => event.type)).toEqual(['activityStart']);
    expect(payloadsOf(events, 'input.transcript.done').map((turn) => turn.text)).toEqual(['Bob, did you send the slides?', 'Yes, this morning.']);
    await say(session, 'Nova, what is on my calendar tomorrow?');
    await waitUntil(() => payloadsOf(events, 'turn.complete').length === 1, 'the answer', 10_000);
    expect(connection.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd']);
    expect(payloadsOf(events, 'turn.complete')[0]?.text).toBe('Two meetings.');
  });
});

describe('GeminiRealtime with the agent’s own turn detection and an STT for the words over it', () => {

  /** `text` is said over the agent; the STT, which hears only speech over the agent, hears it. */
  async function sayOver(text: string): Promise<void> {
    const socket = await waitFor(() => deepgram.connections.find((connection) => connection.open), 'the STT socket', 10_000);
    const speech = await speechPcm(text, { sampleRate: 16_000 });
    // Its audio starts with the 300 ms kept from before the detector's start of speech.
    const startMs = socket.audioMs + 200;
    socket.hear({ text, startMs, endMs: startMs + (speech.length / 16) });
    await stream(session!, speech);
    await stream(session!, silencePcm(1_200));
  }

  async function open(): Promise<RecordedEvent[]> {
    const stt = new DeepgramSTT({ apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl });
    const model = modelFor(fake, { turnDetection: { vad, stt, minEndpointingDelayMs: 300, maxEndpointingDelayMs: 900 } });
    session = await model.connect();
    return record(session);
  }

  it('plays on through a long backchannel that speech alone would take for an interruption, and cuts at "wait, stop"', async () => {
    fake.script.turns.push(
      { userText: ['Tell me a story.'], answerText: ['Once', ' upon', ' a', ' time', ' there', ' was', ' a', ' fox', ' who', ' ran.'], answerAudioMs: 12_000 },
      { userText: ['Wait, stop.'], answerText: ['Sure.'], answerAudioMs: 300 },
    );
    const events = await open();
    await say(session!, 'Tell me a story.', 800);
    await waitUntil(() => payloadsOf(events, 'response.started').length === 1, 'the answer to start', 10_000);
    await sayOver('Yeah, yeah, right, okay, sure.'); // well over the 700 ms that cuts without words
    await waitUntil(() => payloadsOf(events, 'playback.resume').length === 1, 'playback to resume', 10_000);
    expect(payloadsOf(events, 'interrupted')).toEqual([]);
    expect(fake.latest!.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd']);

    await sayOver('Wait, stop.');
    await waitUntil(() => payloadsOf(events, 'turn.complete').length === 2, 'the cut answer and the next', 10_000);
    expect(payloadsOf(events, 'turn.complete')[0]).toMatchObject({ interrupted: true });
    expect(fake.latest!.activityEvents.map((event) => event.type)).toEqual(['activityStart', 'activityEnd', 'activityStart', 'activityEnd']);
  });
});
