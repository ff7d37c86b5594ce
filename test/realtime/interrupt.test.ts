import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { modelFor, payloadsOf, record, speak } from './helpers.js';

let fake: FakeGeminiLive;
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
});
afterEach(async () => {
  await fake.close();
});

describe('GeminiRealtime barge-in', () => {
  it('emits interrupted and finalises the cut turn with the text produced so far', async () => {
    fake.script.turns.push({
      userText: ['Tell me a story'],
      answerText: ['Once', ' upon', ' a', ' time'],
      answerAudioMs: 800,
      chunkMs: 40,
      interruptAfterChunks: 6,
    });
    const session = await modelFor(fake).connect();
    const events = record(session);
    speak(session, 200);
    await fake.waitFor(() => fake.latest!.turns[0]?.completed, { what: 'the interrupted turn' });
    // The next turn proves the trailing turnComplete of the cut turn was not taken for a new one.
    fake.script.turns.push({ userText: ['Stop.'], answerText: ['Okay.'], answerAudioMs: 80 });
    speak(session, 200);
    await fake.waitFor(() => fake.latest!.turns[1]?.completed, { what: 'the next turn' });
    await session.next('input.transcript.done');

    const [cutTurn, nextTurn] = payloadsOf(events, 'response.started').map((event) => event.turnId);
    expect(payloadsOf(events, 'interrupted')).toEqual([{ turnId: cutTurn }]);
    expect(payloadsOf(events, 'audio').filter((chunk) => chunk.turnId === cutTurn)).toHaveLength(6);
    expect(payloadsOf(events, 'turn.complete')).toEqual([
      { turnId: cutTurn, text: 'Once upon', interrupted: true },
      { turnId: nextTurn, text: 'Okay.', interrupted: false },
    ]);
    // Speech after the barge-in is a new user turn.
    expect(payloadsOf(events, 'input.transcript.done').map((turn) => turn.text)).toEqual(['Tell me a story', 'Stop.']);
    // interrupted comes before the cut turn is finalised, so playback can be flushed first.
    const names = events.map((event) => event.name);
    expect(names.indexOf('interrupted')).toBeLessThan(names.indexOf('turn.complete'));
    await session.close();
  });

  it('reports an interruption after the turn completed (playback still running) without a turn id', async () => {
    fake.script.turns.push({ userText: ['Hi'], answerText: ['Hello!'], answerAudioMs: 80 });
    const session = await modelFor(fake).connect();
    const events = record(session);
    speak(session, 200);
    await session.next('turn.complete');
    const interrupted = session.next('interrupted');
    fake.latest!.send({ serverContent: { interrupted: true } });
    expect(await interrupted).toEqual({ turnId: undefined });
    expect(payloadsOf(events, 'turn.complete')).toHaveLength(1);
    await session.close();
  });
});
