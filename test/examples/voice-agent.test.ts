/**
 * An example of testing an agent file offline, as a user of the package would: everything is
 * imported by the package's name, the agent is the one agents/voice-agent.ts defines, built as
 * `stream-agents serve` builds it, and the fakes of `stream-gemini-agents/testing` stand in
 * for Stream and Gemini (the real SDKs talk to them over real sockets). README.md shows it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from 'stream-gemini-agents';
import { FakeGeminiLive, FakeStreamApi, FakeStreamVideo, fakeServicesEnv } from 'stream-gemini-agents/testing';
import { buildAgent, type BuiltAgent } from 'stream-gemini-agents/worker';
import voiceAgent from '../../agents/voice-agent.js';
import { silencePcm, speechPcm } from '../support/speech.js';

let api: FakeStreamApi;
let video: FakeStreamVideo;
let live: FakeGeminiLive;
let built: BuiltAgent | undefined;

beforeAll(async () => {
  api = new FakeStreamApi({ apiKey: 'key', apiSecret: 'secret' });
  video = await FakeStreamVideo.start({ apiKey: 'key', apiSecret: 'secret', api });
  live = await FakeGeminiLive.start();
});

afterAll(async () => {
  await built?.close('test over'); // leaves the call and closes the edge
  await live.close();
  await video.close();
});

it('tells the time when asked, through its current_time tool, and keeps both turns in the chat', async () => {
  // The configuration a deployment reads from its environment, pointed at the fakes.
  const config = loadConfig({ ...fakeServicesEnv({ video, google: live }), AGENT_USER_ID: 'assistant' });
  built = await buildAgent(voiceAgent, { config, call: { type: 'default', id: 'example-call' } });
  const { agent } = built;
  await agent.join(await agent.createCall('default', 'example-call'));

  // What the model will do when it hears someone: call the tool, then answer.
  live.script.turns.push({
    userText: ['What time is it in Amsterdam?'],
    toolCalls: [{ name: 'current_time', args: { timeZone: 'Europe/Amsterdam' } }],
    answerText: ['It is evening in Amsterdam.'],
  });
  const alice = video.call('example-call').addParticipant({ userId: 'alice' });
  // Alice speaks until the model has heard enough to answer (she joined before the agent heard her).
  const question = await speechPcm('What time is it in Amsterdam?', { sampleRate: 48_000 });
  while (!live.latest?.turns[0]) {
    await alice.playPcm(question, 48_000);
    await alice.playPcm(silencePcm(900, 48_000), 48_000); // the silence that ends her turn
    // Time for her turn to end (up to 1.5 s of silence) before she asks again: sooner, she
    // would talk over the answer.
    await live.waitFor(() => live.latest?.turns[0], { timeoutMs: 3_000 }).catch(() => undefined);
  }
  await live.waitFor(() => live.latest?.turns[0]?.completed, { timeoutMs: 20_000, what: 'the answer' });

  const [[toolResponse]] = live.latest.toolResponses as [[{ name?: string; response?: { output?: { timeZone?: string; now?: string } } }]];
  expect(toolResponse).toMatchObject({ name: 'current_time', response: { output: { timeZone: 'Europe/Amsterdam' } } });
  expect(toolResponse.response?.output?.now).toMatch(/\d{4}/);

  await built.close('done'); // flushes the transcript into the call's chat
  // The first exchange; a tone still playing after it may have drawn another answer.
  expect(api.transcript('messaging:example-call').slice(0, 2).map(({ userId, text }) => ({ userId, text }))).toEqual([
    { userId: 'alice', text: 'What time is it in Amsterdam?' },
    { userId: 'assistant', text: 'It is evening in Amsterdam.' },
  ]);
}, 60_000);
