import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { FakeGeminiLive, tone } from '../../testing/gemini-live/index.js';
import { modelFor, payloadsOf, record, speak } from './helpers.js';

let fake: FakeGeminiLive;
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
});
afterEach(async () => {
  await fake.close();
});

describe('GeminiRealtime audio', () => {
  it('streams input as 16 kHz PCM in 40 ms messages, every sample accounted for', async () => {
    fake.script.respondAfterAudioMs = Number.POSITIVE_INFINITY;
    const session = await modelFor(fake).connect();
    speak(session, 1000);
    const connection = fake.latest!;
    await fake.waitFor(() => connection.audioMs >= 1000, { what: '1 s of audio' });
    expect(connection.audioMs).toBe(1000);
    expect(connection.audio.chunks).toBe(25);
    expect([...connection.audio.mimeTypes]).toEqual(['audio/pcm;rate=16000']);
    await session.close();
  });

  it('rejects input at another sample rate and sends nothing', async () => {
    fake.script.respondAfterAudioMs = Number.POSITIVE_INFINITY;
    const session = await modelFor(fake).connect();
    expect(() => session.sendAudio(tone(10, 48_000), 48_000)).toThrow(ValidationError);
    expect(() => session.sendAudio(tone(10, 48_000), 48_000)).toThrow(/16000 Hz/);
    expect(() => session.sendAudio(new Float32Array(160) as unknown as Int16Array, 16_000)).toThrow(ValidationError);
    speak(session, 40);
    await fake.waitFor(() => fake.latest!.audio.chunks === 1);
    expect(fake.latest!.audioMs).toBe(40);
    await session.close();
  });

  it('delivers the answer as 24 kHz audio of the full length, tagged with the turn', async () => {
    fake.script.turns.push({ userText: ['Hi'], answerText: ['Hello!'], answerAudioMs: 1000, chunkMs: 40 });
    const session = await modelFor(fake).connect();
    const events = record(session);
    speak(session, 200);
    await session.next('turn.complete');

    const audio = payloadsOf(events, 'audio');
    const [started] = payloadsOf(events, 'response.started');
    expect(audio.length).toBe(25);
    expect(audio.every((chunk) => chunk.sampleRate === 24_000 && chunk.turnId === started?.turnId)).toBe(true);
    expect(audio.reduce((total, chunk) => total + chunk.samples.length, 0)).toBe(24_000);
    // The bytes are the fake's tone, decoded sample for sample.
    expect(Array.from(audio[0]!.samples)).toEqual(Array.from(tone(40, 24_000)));
    await session.close();
  });

  it('streams user and agent transcripts as deltas, in order, and finalises both turns', async () => {
    fake.script.turns.push({
      userText: ['What is', ' the time?'],
      answerText: ['It is', ' noon.'],
      answerAudioMs: 400,
    });
    const session = await modelFor(fake).connect();
    const events = record(session);
    speak(session, 200);
    await session.next('input.transcript.done');

    const timeline = events.filter((event) => event.name !== 'audio' && event.name !== 'usage').map((event) => event.name);
    expect(timeline).toEqual([
      'user.speech.started',
      'input.transcript',
      'input.transcript',
      'user.speech.ended',
      'response.started',
      'output.transcript',
      'output.transcript',
      'turn.complete',
      'input.transcript.done',
    ]);
    const userTurn = payloadsOf(events, 'user.speech.started')[0]!.turnId;
    const agentTurn = payloadsOf(events, 'response.started')[0]!.turnId;
    expect(userTurn).not.toBe(agentTurn);
    expect(payloadsOf(events, 'input.transcript')).toEqual([
      { turnId: userTurn, delta: 'What is', text: 'What is' },
      { turnId: userTurn, delta: ' the time?', text: 'What is the time?' },
    ]);
    expect(payloadsOf(events, 'output.transcript')).toEqual([
      { turnId: agentTurn, delta: 'It is', text: 'It is' },
      { turnId: agentTurn, delta: ' noon.', text: 'It is noon.' },
    ]);
    expect(payloadsOf(events, 'turn.complete')).toEqual([{ turnId: agentTurn, text: 'It is noon.', interrupted: false }]);
    expect(payloadsOf(events, 'input.transcript.done')).toEqual([{ turnId: userTurn, text: 'What is the time?' }]);
    // The first audio comes after response.started and before turn.complete.
    const names = events.map((event) => event.name);
    expect(names.indexOf('audio')).toBeGreaterThan(names.indexOf('response.started'));
    expect(names.lastIndexOf('audio')).toBeLessThan(names.indexOf('turn.complete'));
    await session.close();
  });

  it('reports token usage per response', async () => {
    const session = await modelFor(fake).connect();
    const usage = session.next('usage');
    speak(session, 200);
    expect(await usage).toEqual({ model: 'gemini-live-test', usage: { inputTokens: 12, outputTokens: 34, totalTokens: 46 } });
    await session.close();
  });
});
