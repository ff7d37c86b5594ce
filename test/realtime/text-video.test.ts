import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { modelFor, payloadsOf, record } from './helpers.js';

let fake: FakeGeminiLive;
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
});
afterEach(async () => {
  await fake.close();
});

const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xff, 0xd9);

describe('GeminiRealtime text', () => {
  it('sends a user text turn and streams the spoken answer', async () => {
    fake.script.turns.push({ answerText: ['Sure.'], answerAudioMs: 120 });
    const session = await modelFor(fake).connect();
    const events = record(session);
    session.sendText('Please summarise the call.');
    await session.next('turn.complete');
    expect(fake.latest!.clientContents).toEqual([
      { turns: [{ role: 'user', parts: [{ text: 'Please summarise the call.' }] }], turnComplete: true },
    ]);
    expect(payloadsOf(events, 'turn.complete')).toEqual([expect.objectContaining({ text: 'Sure.', interrupted: false })]);
    // A text turn has no user speech.
    expect(payloadsOf(events, 'user.speech.started')).toEqual([]);
    await session.close();
  });

  it('adds context without asking for an answer when turnComplete is false', async () => {
    const session = await modelFor(fake).connect();
    session.sendText('The caller is Ada.', { turnComplete: false });
    await fake.waitFor(() => fake.latest!.clientContents.length === 1);
    expect(fake.latest!.clientContents[0]?.turnComplete).toBe(false);
    expect(fake.latest!.turns).toEqual([]);
    await session.close();
  });

  it('asks the model to say a text verbatim', async () => {
    const session = await modelFor(fake).connect();
    session.say('Welcome to the call.');
    await fake.waitFor(() => fake.latest!.clientContents.length === 1);
    const text = fake.latest!.clientContents[0]?.turns?.[0]?.parts?.[0]?.text ?? '';
    expect(text).toMatch(/exactly/);
    expect(text.endsWith('Welcome to the call.')).toBe(true);
    await session.close();
  });

  it('rejects empty text and changes nothing', async () => {
    const session = await modelFor(fake).connect();
    expect(() => session.sendText('  ')).toThrow(ValidationError);
    expect(() => session.say('')).toThrow(ValidationError);
    await session.close();
    expect(fake.latest!.clientContents).toEqual([]);
  });
});

describe('GeminiRealtime video', () => {
  it('is off by default and says how to turn it on', async () => {
    const session = await modelFor(fake).connect();
    expect(() => session.sendVideoFrame(JPEG)).toThrow(/video: true/);
    await session.close();
  });

  it('sends JPEG frames, at most one per interval', async () => {
    const session = await modelFor(fake, { video: true, videoIntervalMs: 60_000 }).connect();
    session.sendVideoFrame(JPEG);
    session.sendVideoFrame(JPEG); // within the interval: dropped
    const usage = session.next('usage');
    session.sendText('What do you see?');
    await usage;
    expect(fake.latest!.videoFrames).toEqual([{ mimeType: 'image/jpeg', bytes: JPEG.length }]);
    await session.close();
  });

  it('rejects data that is not a JPEG', async () => {
    const session = await modelFor(fake, { video: true }).connect();
    expect(() => session.sendVideoFrame(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toThrow(ValidationError);
    await session.close();
  });
});
