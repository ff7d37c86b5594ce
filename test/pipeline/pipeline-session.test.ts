/**
 * The pipeline session's own logic, with the real GeminiLLM against the Gemini fake and
 * stand-ins for the STT and the TTS: a user turn from transcripts to answer, its events in
 * RealtimeSession's order, the end of turn waiting for words, barge-in with what was heard,
 * tools, say(), and the conversation the LLM is given.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GeminiLLM } from '../../src/llm/gemini/gemini-llm.js';
import type { RealtimeEvents } from '../../src/llm/realtime.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { PipelineModel } from '../../src/pipeline/index.js';
import type { PipelineSession } from '../../src/pipeline/pipeline-session.js';
import { FakeGemini } from '../../testing/gemini/index.js';
import { waitFor, waitUntil } from '../support/wait.js';
import { ScriptedStt, ToneTts } from './pipeline-doubles.js';
import { z } from 'zod';

let gemini: FakeGemini;
let baseUrl: string;
beforeAll(async () => {
  gemini = new FakeGemini();
  baseUrl = await gemini.start();
});
afterAll(() => gemini.close());

const sessions: PipelineSession[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
});

type Logged = { event: keyof RealtimeEvents; payload: unknown };

async function open(options: { tools?: ToolRegistry; minEndpointingDelayMs?: number; maxEndpointingDelayMs?: number; falseInterruptionTimeoutMs?: number } = {}) {
  const stt = new ScriptedStt();
  const tts = new ToneTts();
  const model = new PipelineModel({
    stt,
    tts,
    llm: new GeminiLLM({ apiKey: 'key', baseUrl }),
    minEndpointingDelayMs: options.minEndpointingDelayMs ?? 20,
    maxEndpointingDelayMs: options.maxEndpointingDelayMs ?? 200,
    falseInterruptionTimeoutMs: options.falseInterruptionTimeoutMs ?? 50,
  });
  const session = (await model.connect({ instructions: 'Be brief.', tools: options.tools })) as PipelineSession;
  sessions.push(session);
  const log: Logged[] = [];
  for (const event of ['user.speech.started', 'input.transcript', 'user.speech.ended', 'input.transcript.done', 'response.started', 'output.transcript', 'playback.pause', 'playback.resume', 'interrupted', 'turn.complete', 'tool.call', 'tool.result', 'error'] as const) {
    session.on(event, (payload) => void log.push({ event, payload }));
  }
  let audioSamples = 0;
  session.on('audio', ({ samples, sampleRate }) => {
    expect(sampleRate).toBe(24_000);
    audioSamples += samples.length;
  });
  return { stt, tts, session, log, audioMs: () => (audioSamples / 24_000) * 1000 };
}

const names = (log: Logged[]) => log.map(({ event }) => event);

describe('PipelineSession', () => {
  it('turns what the STT heard into a user turn, asks the LLM with it, and speaks the answer', async () => {
    gemini.script({ text: 'It is sunny in Oslo.', chunks: 3 });
    const { stt, tts, session, log, audioMs } = await open();
    session.sendAudio(new Int16Array(320), 16_000);
    expect(stt.streams[0]!.audioSamples).toBe(320);

    stt.hear({ type: 'transcript.interim', text: 'What is the' });
    stt.hear({ type: 'transcript.final', text: 'What is the weather in Oslo?' });
    stt.hear({ type: 'utterance.ended', atMs: 1200 });
    const complete = await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the agent turn to complete');

    expect(names(log).filter((name) => name !== 'output.transcript')).toEqual([
      'user.speech.started',
      'input.transcript',
      'user.speech.ended',
      'input.transcript.done',
      'response.started',
      'turn.complete',
    ]);
    expect(log.find(({ event }) => event === 'input.transcript.done')!.payload).toMatchObject({ text: 'What is the weather in Oslo?' });
    expect(complete.payload).toMatchObject({ text: 'It is sunny in Oslo.', interrupted: false });
    expect(tts.texts.join('')).toBe('It is sunny in Oslo.');
    expect(audioMs()).toBeCloseTo('It is sunny in Oslo.'.length * 10, 0);
    const request = gemini.requests.at(-1)!.body as { contents: unknown; systemInstruction: unknown };
    expect(JSON.stringify(request.systemInstruction)).toContain('Be brief.');
    expect(JSON.stringify(request.contents)).toContain('What is the weather in Oslo?');
  });

  it('waits while the words say the user is not done, and makes one turn of a pause mid-sentence', async () => {
    gemini.script({ text: 'Coming right up.' });
    // A long wait for unfinished words: the user speaks again well within it.
    const { stt, log } = await open({ maxEndpointingDelayMs: 60_000 });
    stt.hear({ type: 'transcript.final', text: 'I would like' });
    stt.hear({ type: 'speech.started', atMs: 900 });
    stt.hear({ type: 'transcript.final', text: 'a cup of coffee.' });
    stt.hear({ type: 'utterance.ended', atMs: 2000 });
    await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the answer');
    const done = log.filter(({ event }) => event === 'input.transcript.done');
    expect(done.map(({ payload }) => (payload as { text: string }).text)).toEqual(['I would like a cup of coffee.']);
    expect(names(log).filter((name) => name === 'user.speech.started')).toHaveLength(1);
  });

  it('cuts its answer when the user speaks over it, keeping the words that were heard', async () => {
    gemini.script({ text: 'Here is a long answer with many words in it, more than anyone wants to hear.' });
    const { stt, session, log, tts } = await open();
    tts.hold = new Promise(() => {}); // the answer is still being spoken when the user speaks
    stt.hear({ type: 'transcript.final', text: 'Tell me everything.' });
    stt.hear({ type: 'utterance.ended', atMs: 800 });
    await waitFor(() => log.find(({ event }) => event === 'response.started'), 'the answer to start');
    expect(tts.texts.length).toBeGreaterThan(0);
    // The user barges in: speech begins (playback is held), then words come (the answer is cut).
    stt.hear({ type: 'speech.started', atMs: 1500 });
    await waitFor(() => log.find(({ event }) => event === 'playback.pause'), 'playback to be held');
    expect(names(log)).not.toContain('interrupted');
    stt.hear({ type: 'transcript.interim', text: 'Stop' });
    const complete = await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the cut turn');
    const { text, interrupted } = complete.payload as { text: string; interrupted: boolean };
    expect(interrupted).toBe(true);
    expect(names(log)).toContain('interrupted');
    const full = 'Here is a long answer with many words in it, more than anyone wants to hear.';
    // Spoken in real time from its first audio, little of it was heard before the cut.
    expect(full.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(full.length);
    expect(session.closed).toBe(false);
  });

  it('plays on from where it was held when the speech over it had no words (a cough)', async () => {
    gemini.script({ text: 'Here is the answer, spoken in full.' });
    const { stt, log, tts } = await open({ falseInterruptionTimeoutMs: 50 });
    let release!: () => void;
    tts.hold = new Promise((resolve) => (release = resolve));
    stt.hear({ type: 'transcript.final', text: 'Go on.' });
    stt.hear({ type: 'utterance.ended', atMs: 600 });
    await waitFor(() => log.find(({ event }) => event === 'response.started'), 'the answer to start');
    stt.hear({ type: 'speech.started', atMs: 900 }); // a cough: speech, and no words
    stt.hear({ type: 'utterance.ended', atMs: 1100 });
    await waitFor(() => log.find(({ event }) => event === 'playback.resume'), 'playback to resume');
    release();
    const complete = await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the answer to finish');
    expect(complete.payload).toMatchObject({ text: 'Here is the answer, spoken in full.', interrupted: false });
    expect(names(log)).not.toContain('interrupted');
    expect(names(log).filter((name) => name === 'user.speech.started')).toHaveLength(1); // the cough made no turn
  });

  it('runs the tools the LLM calls, tells its listeners, and speaks the answer that uses them', async () => {
    // The model asks for the tool until it has its answer (an early request asks too, and is dropped unrun).
    gemini.script((request) =>
      JSON.stringify(request.body.contents).includes('functionResponse')
        ? { text: 'Sunny, 21 degrees.' }
        : { functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] },
    );
    const tools = new ToolRegistry([
      { name: 'get_weather', description: 'The weather', parameters: z.object({ city: z.string() }), execute: ({ city }) => ({ city, sky: 'sunny', celsius: 21 }) },
    ]);
    const { stt, log } = await open({ tools });
    stt.hear({ type: 'transcript.final', text: 'Weather in Oslo?' });
    stt.hear({ type: 'utterance.ended', atMs: 600 });
    const complete = await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the answer');
    expect(complete.payload).toMatchObject({ text: 'Sunny, 21 degrees.', interrupted: false });
    expect(log.find(({ event }) => event === 'tool.result')!.payload).toMatchObject({ call: { name: 'get_weather' }, result: { ok: true, value: { sky: 'sunny' } } });
    expect(log.filter(({ event }) => event === 'tool.result')).toHaveLength(1); // the tool ran once
  });

  it('say() speaks the text as it is, as an agent turn, and the next request carries it as history', async () => {
    gemini.script({ text: 'You are welcome.' });
    const { stt, session, log, tts } = await open();
    session.say('Welcome to the call.');
    await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the greeting');
    expect(tts.texts.join('')).toBe('Welcome to the call.');
    const requestsBefore = gemini.requests.length;
    stt.hear({ type: 'transcript.final', text: 'Thanks.' });
    stt.hear({ type: 'utterance.ended', atMs: 500 });
    await waitUntil(() => log.filter(({ event }) => event === 'turn.complete').length === 2, 'the answer');
    expect(gemini.requests.length).toBe(requestsBefore + 1);
    const contents = JSON.stringify((gemini.requests.at(-1)!.body as { contents: unknown }).contents);
    expect(contents.indexOf('Welcome to the call.')).toBeLessThan(contents.indexOf('Thanks.'));
  });

  it('starts the LLM on settled words before the end of turn, and speaks that answer when the turn ends with them', async () => {
    gemini.script({ text: 'Preempted answer.' });
    const { stt, log } = await open({ maxEndpointingDelayMs: 60_000 });
    const before = gemini.requests.length;
    stt.hear({ type: 'transcript.final', text: 'What time is it' }); // no end of turn yet: no punctuation, no utterance end
    await waitUntil(() => gemini.requests.length === before + 1, 'the LLM to be asked early');
    expect(names(log)).not.toContain('user.speech.ended');
    stt.hear({ type: 'utterance.ended', atMs: 900 });
    const complete = await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the answer');
    expect(complete.payload).toMatchObject({ text: 'Preempted answer.', interrupted: false });
    expect(gemini.requests.length).toBe(before + 1); // adopted, not asked again
  });

  it('discards the early answer when the user goes on, and answers the whole turn', async () => {
    gemini.script((request) => {
      const contents = JSON.stringify(request.body.contents);
      return { text: contents.includes('a cup of tea') ? 'Tea it is.' : 'Answer to half a sentence.' };
    });
    const { stt, log, tts } = await open({ maxEndpointingDelayMs: 60_000 });
    const before = gemini.requests.length;
    stt.hear({ type: 'transcript.final', text: 'I would like' });
    await waitUntil(() => gemini.requests.length === before + 1, 'the LLM to be asked early');
    stt.hear({ type: 'speech.started', atMs: 800 }); // the user goes on
    stt.hear({ type: 'transcript.final', text: 'a cup of tea.' });
    stt.hear({ type: 'utterance.ended', atMs: 1800 });
    const complete = await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the answer');
    expect(complete.payload).toMatchObject({ text: 'Tea it is.', interrupted: false });
    expect(tts.texts.join('')).toBe('Tea it is.');
    expect(names(log).filter((name) => name === 'turn.complete')).toHaveLength(1);
  });

  it('answers a caller-run tool with the result given for its call, and refuses an unknown call id', async () => {
    gemini.script((request) =>
      JSON.stringify(request.body.contents).includes('functionResponse')
        ? { text: 'The door is open.' }
        : { functionCalls: [{ id: 'call-1', name: 'open_door', args: { door: 'front' } }] },
    );
    // Declared without execute: the application runs it and answers with sendToolResult.
    const tools = new ToolRegistry([{ name: 'open_door', description: 'Opens a door', parameters: z.object({ door: z.string() }) }]);
    const { stt, session, log } = await open({ tools });
    stt.hear({ type: 'transcript.final', text: 'Open the front door.' });
    stt.hear({ type: 'utterance.ended', atMs: 700 });
    const call = await waitFor(() => log.find(({ event }) => event === 'tool.call'), 'the tool call');
    expect(call.payload).toMatchObject({ call: { name: 'open_door', arguments: { door: 'front' } } });
    expect(() => session.sendToolResult('no-such-call', { ok: true, value: 1 })).toThrow(/callId: no tool call "no-such-call"/);
    const callId = (call.payload as { call: { id: string } }).call.id;
    await waitUntil(() => log.filter(({ event }) => event === 'turn.complete').length === 1, 'the first turn to end');
    session.sendToolResult(callId, { ok: true, value: { opened: true } });
    const answer = await waitFor(() => log.filter(({ event }) => event === 'turn.complete')[1], 'the answer with the result');
    expect(answer.payload).toMatchObject({ text: 'The door is open.' });
    expect(JSON.stringify(gemini.requests.at(-1)!.body)).toContain('open_door');
  });

  it('reports a synthesis that fails while the LLM still writes as an error, and goes on', async () => {
    gemini.script({ text: 'A slow answer in several pieces.', chunks: 4, delayMs: 30 });
    const { stt, tts, log } = await open();
    tts.failAfterFirstChunk = new Error('the TTS socket dropped');
    stt.hear({ type: 'transcript.final', text: 'Say something.' });
    stt.hear({ type: 'utterance.ended', atMs: 500 });
    await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the turn to end');
    expect(log.find(({ event }) => event === 'error')!.payload).toMatchObject({ error: { message: 'the TTS socket dropped' } });
    // The session still answers the next turn.
    tts.failAfterFirstChunk = undefined;
    stt.hear({ type: 'transcript.final', text: 'Again, please.' });
    stt.hear({ type: 'utterance.ended', atMs: 2500 });
    await waitUntil(() => log.filter(({ event }) => event === 'turn.complete').length === 2, 'the next answer');
  });

  it('gives the LLM earlier turns (addContext) before this session’s, and a typed turn after them', async () => {
    gemini.script({ text: 'Yes, Siobhan.' });
    const { session, log } = await open();
    session.addContext([
      { role: 'user', text: 'Alice: My name is Siobhan.' },
      { role: 'assistant', text: 'Nice to meet you.' },
    ]);
    session.sendText('Alice typed in the chat: Do you remember my name?');
    await waitFor(() => log.find(({ event }) => event === 'turn.complete'), 'the answer');
    const contents = (gemini.requests.at(-1)!.body as { contents: Array<{ role: string; parts: Array<{ text?: string }> }> }).contents;
    expect(contents.map((content) => `${content.role}: ${content.parts.map((part) => part.text).join('')}`)).toEqual([
      'user: Alice: My name is Siobhan.',
      'model: Nice to meet you.',
      'user: Alice typed in the chat: Do you remember my name?',
    ]);
  });

  it('takes audio only at its input rate, naming it', async () => {
    const { session } = await open();
    expect(() => session.sendAudio(new Int16Array(480), 48_000)).toThrow(/sampleRate: must be 16000/);
  });
});
