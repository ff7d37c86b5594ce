/**
 * Pipeline mode end to end: a person in a Stream call speaks real speech, the Agent hears it
 * through WebRTC, Silero VAD finds it, Deepgram (fake) transcribes it, Gemini (fake) answers,
 * ElevenLabs (fake) voices the answer, and the person hears it in the call; both turns land in
 * the call's chat. Every provider is the real one over real sockets; only the services are fakes.
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

const isSilent = (samples: Int16Array) => samples.every((sample) => sample === 0);
const audible = (frames: readonly RecordedFrame[]) => frames.filter((frame) => !isSilent(frame.samples));

describe('Agent in pipeline mode', () => {
  it('hears speech, answers it in the call, and keeps both turns in the chat', async () => {
    harness = await startPipelineHarness();
    const { agent, stream, gemini, deepgram } = harness;
    gemini.script({ text: 'It is sunny in Oslo today.', chunks: 4 });
    const { fakeCall, people: [alice] } = await harness.joinCall('pipeline-talk', { userId: 'alice', name: 'Alice' });
    const turnEnded = nextEvent(agent.events, 'agent.turn.ended');
    const metrics = nextEvent(agent.events, 'metrics');

    await harness.say(alice, 'What is the weather like in Oslo?');
    await expect(turnEnded).resolves.toMatchObject({ text: 'It is sunny in Oslo today.', interrupted: false });
    // Each stage's time, and all of them together: speech end → end of turn → LLM → TTS → audio.
    const { stages } = await metrics;
    expect(stages).toEqual({
      endOfTurnDelayMs: expect.any(Number),
      sttFinalLatencyMs: expect.any(Number),
      llmFirstTokenMs: expect.any(Number),
      ttsFirstByteMs: expect.any(Number),
      endToEndMs: expect.any(Number),
    });
    // The end of turn waited at least the min endpointing delay after the speech ended, and the
    // whole is at least that plus the TTS's first audio (the LLM started on the settled words
    // before the end of turn was confirmed: its time is spent during that wait).
    expect(stages!.endOfTurnDelayMs).toBeGreaterThanOrEqual(200);
    expect(stages!.endToEndMs).toBeGreaterThanOrEqual(stages!.endOfTurnDelayMs! + stages!.ttsFirstByteMs! - 2); // each is rounded

    // The question reached the model as the STT settled it, after the instructions.
    const request = gemini.requests.at(-1)!.body as { contents: unknown; systemInstruction: unknown };
    expect(JSON.stringify(request.contents)).toContain('What is the weather like in Oslo?');
    expect(JSON.stringify(request.systemInstruction)).toContain('Be brief.');
    // The STT got 16 kHz audio with the session's options.
    expect(deepgram.connections[0]!.query.get('sample_rate')).toBe('16000');

    // The answer's voice (40 ms a character from the fake TTS) reached the call on the agent's track.
    const recording = fakeCall.recording(AGENT_ID);
    await recording.waitFor((r) => audible(r.frames).length >= 50, 20_000, '500 ms of the agent speaking');

    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:pipeline-talk').map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'alice', text: 'What is the weather like in Oslo?' },
      { userId: AGENT_ID, text: 'It is sunny in Oslo today.' },
    ]);
  }, 90_000);

  it('answers a message typed into the call’s chat as that person’s turn, and speaks the answer', async () => {
    harness = await startPipelineHarness();
    const { agent, stream, gemini } = harness;
    gemini.script({ text: 'It is spelled S-I-O-B-H-A-N.' });
    const { fakeCall } = await harness.joinCall('pipeline-typed', { userId: 'alice', name: 'Alice' });
    stream.api.addUser('alice', { name: 'Alice' });
    const turnEnded = nextEvent(agent.events, 'agent.turn.ended', () => true, 30_000);
    stream.api.postMessage('messaging:pipeline-typed', { userId: 'alice', text: 'How do you spell Siobhan?' });
    await expect(turnEnded).resolves.toMatchObject({ text: 'It is spelled S-I-O-B-H-A-N.', interrupted: false });
    const request = gemini.requests.at(-1)!.body as { contents: Array<{ role: string; parts: Array<{ text?: string }> }> };
    expect(request.contents.at(-1)).toEqual({ role: 'user', parts: [{ text: 'Alice typed in the chat: How do you spell Siobhan?' }] });
    await fakeCall.recording(AGENT_ID).waitFor((r) => audible(r.frames).length >= 20, 20_000, 'the answer spoken');
  }, 90_000);

  it('cuts its answer when a person speaks words over it, and stores what was heard, marked interrupted', async () => {
    harness = await startPipelineHarness();
    const { agent, stream, gemini } = harness;
    const story = 'Once upon a time there was a small village by the sea, where the fishermen told long stories every single night until the morning came.';
    gemini.script({ text: story, chunks: 6 });
    const { fakeCall, people: [bob] } = await harness.joinCall('pipeline-barge', { userId: 'bob' });
    const ended = nextEvent(agent.events, 'agent.turn.ended');

    await harness.say(bob, 'Tell me a story.');
    // About five seconds of answer (40 ms a character): it is playing when Bob speaks again.
    const recording = fakeCall.recording(AGENT_ID);
    await recording.waitFor((r) => audible(r.frames).length >= 30, 20_000, 'the agent to be speaking');
    await harness.say(bob, 'Wait, stop please.');
    const cut = await ended;
    expect(cut.interrupted).toBe(true);
    expect(story.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(story.length);
    expect(agent.stats().interruptions).toBe(1);

    await agent.conversation!.flush();
    const stored = stream.api.transcript('messaging:pipeline-barge').find(({ userId }) => userId === AGENT_ID)!;
    expect(stored.text).toBe(cut.text);
  }, 90_000);

  it('plays on where it stopped when speech over it has no words (a cough, a hum)', async () => {
    harness = await startPipelineHarness();
    const { agent, gemini } = harness;
    const answer = 'Here is an answer that goes on for a while, long enough to be talked over by somebody.';
    gemini.script({ text: answer, chunks: 4 });
    const { fakeCall, people: [carol] } = await harness.joinCall('pipeline-cough', { userId: 'carol' });
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    const speech: string[] = [];
    agent.on('agent.speech.paused', () => void speech.push('paused'));
    agent.on('agent.speech.resumed', () => void speech.push('resumed'));

    await harness.say(carol, 'Go ahead.');
    const recording = fakeCall.recording(AGENT_ID);
    await recording.waitFor((r) => audible(r.frames).length >= 20, 20_000, 'the agent to be speaking');
    // Speech the VAD hears but the STT gets no words from (nothing is scripted for it).
    const { speechPcm } = await import('../support/speech.js');
    await carol.playPcm(await speechPcm('hmm', { sampleRate: 48_000 }), 48_000);
    const done = await ended;
    // The hum held the agent's voice, and with no words it played on, all of it.
    expect(speech).toEqual(['paused', 'resumed']);
    expect(done).toMatchObject({ text: answer, interrupted: false });
    expect(agent.stats().interruptions).toBe(0);
  }, 90_000);

  it('runs a tool the model calls and speaks the answer that uses it', async () => {
    const { ToolRegistry } = await import('../../src/llm/tool-registry.js');
    const { z } = await import('zod');
    const calls: string[] = [];
    const tools = new ToolRegistry([
      {
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: z.object({ city: z.string() }),
        execute: ({ city }) => {
          calls.push(city);
          return { city, sky: 'clear' };
        },
      },
    ]);
    harness = await startPipelineHarness({ agent: { tools } });
    const { agent, gemini } = harness;
    // The model asks for the tool until it has the tool's answer (however many requests it gets).
    gemini.script((request) =>
      JSON.stringify(request.body.contents).includes('functionResponse')
        ? { text: 'Clear skies in Bergen.' }
        : { functionCalls: [{ name: 'get_weather', args: { city: 'Bergen' } }] },
    );
    const { people: [dave] } = await harness.joinCall('pipeline-tool', { userId: 'dave' });
    const toolResult = nextEvent(agent.events, 'tool.result');
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    await harness.say(dave, 'How is the weather in Bergen?');
    await expect(toolResult).resolves.toMatchObject({ call: { name: 'get_weather' }, result: { ok: true } });
    await expect(ended).resolves.toMatchObject({ text: 'Clear skies in Bergen.', interrupted: false });
    expect(calls).toEqual(['Bergen']);
  }, 90_000);

  it('keeps the turn when the STT socket drops mid-utterance: a new socket hears it again', async () => {
    harness = await startPipelineHarness();
    const { agent, stream, gemini, deepgram } = harness;
    gemini.script({ text: 'Got it.' });
    const { people: [erin] } = await harness.joinCall('pipeline-drop', { userId: 'erin' });
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    const first = await harness.sttSocket();
    const text = 'Please book a table for four people at seven tonight.';
    // The replacement socket hears the same words in the audio replayed to it.
    deepgram.script.utterances = [{ text, startMs: 0, endMs: 600 }];
    const speaking = harness.say(erin, text);
    await waitUntil(() => first.sent.some((message) => message.type === 'Results'), 'the first socket to send results', 30_000);
    first.drop();
    await speaking;
    await expect(ended).resolves.toMatchObject({ text: 'Got it.', interrupted: false });
    expect(deepgram.connections.length).toBeGreaterThanOrEqual(2);
    await agent.conversation!.flush();
    const turns = stream.api.transcript('messaging:pipeline-drop');
    expect(turns.map(({ userId }) => userId)).toEqual(['erin', AGENT_ID]);
    expect(turns[0]!.text).toContain('book a table');
  }, 90_000);

  it('attributes each turn to the person who spoke it, two people taking turns', async () => {
    harness = await startPipelineHarness();
    const { agent, stream, gemini } = harness;
    gemini.script((request) => ({ text: JSON.stringify(request.body.contents).includes('Bergen') ? 'Bergen is rainy.' : 'Oslo is sunny.' }));
    const { people: [frank, grace] } = await harness.joinCall('pipeline-two', { userId: 'frank' }, { userId: 'grace' });
    let ended = nextEvent(agent.events, 'agent.turn.ended');
    await harness.say(frank, 'What about Oslo?');
    await ended;
    ended = nextEvent(agent.events, 'agent.turn.ended');
    await harness.say(grace, 'And what about Bergen?', { voice: 'en-us+f3' });
    await ended;
    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:pipeline-two').map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'frank', text: 'What about Oslo?' },
      { userId: AGENT_ID, text: 'Oslo is sunny.' },
      { userId: 'grace', text: 'And what about Bergen?' },
      { userId: AGENT_ID, text: 'Bergen is rainy.' },
    ]);
  }, 120_000);

  it('speaks through Cartesia as well: the TTS is a seam', async () => {
    const { CartesiaTTS } = await import('../../src/tts/cartesia/index.js');
    const { FakeCartesia } = await import('../../testing/cartesia/index.js');
    const cartesia = await FakeCartesia.start();
    try {
      harness = await startPipelineHarness({ pipeline: { tts: new CartesiaTTS({ apiKey: cartesia.apiKey, baseUrl: cartesia.baseUrl }) } });
      const { agent, gemini } = harness;
      gemini.script({ text: 'Cartesia speaking.' });
      const { fakeCall, people: [hana] } = await harness.joinCall('pipeline-cartesia', { userId: 'hana' });
      const ended = nextEvent(agent.events, 'agent.turn.ended');
      await harness.say(hana, 'Who is speaking?');
      await expect(ended).resolves.toMatchObject({ text: 'Cartesia speaking.', interrupted: false });
      await fakeCall.recording(AGENT_ID).waitFor((r) => audible(r.frames).length >= 30, 20_000, 'the agent speaking through Cartesia');
    } finally {
      await harness?.close();
      harness = undefined;
      await cartesia.close();
    }
  }, 90_000);
});
