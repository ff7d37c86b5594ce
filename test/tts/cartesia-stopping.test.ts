import { afterEach, describe, expect, it } from 'vitest';
import { CartesiaTTS } from '../../src/tts/cartesia/index.js';
import type { TtsChunk, TtsStream } from '../../src/tts/tts.js';
import { FakeCartesia } from '../../testing/cartesia/index.js';
import { letTimePass, waitUntil } from '../support/wait.js';

let fake: FakeCartesia | undefined;
let tts: CartesiaTTS | undefined;

afterEach(async () => {
  await tts?.close();
  await fake?.close();
  tts = undefined;
  fake = undefined;
});

/** 300 characters: 18 s of speech, paced by the fake so that it is still speaking when stopped. */
const LONG_TEXT = 'This is a long answer that goes on for a while. '.repeat(6).slice(0, 300);

/** Iterates in the background, recording each chunk and how the iteration ended. */
function consume(stream: TtsStream) {
  const state = { chunks: [] as TtsChunk[], ended: false, error: undefined as unknown };
  void (async () => {
    try {
      for await (const chunk of stream) state.chunks.push(chunk);
    } catch (error) {
      state.error = error;
    } finally {
      state.ended = true;
    }
  })();
  return state;
}

function contextId(): string {
  return fake!.requests[0]!.message['context_id'] as string;
}

describe('stopping a Cartesia session', () => {
  it('aborting the signal mid-speech ends the iteration at once, cancels the context and closes the socket', async () => {
    fake = await FakeCartesia.start({ chunkIntervalMs: 20 });
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const controller = new AbortController();
    const stream = tts.synthesize({ sampleRate: 24000, signal: controller.signal });
    stream.pushText(LONG_TEXT);
    const state = consume(stream);
    await waitUntil(() => state.chunks.length >= 3, 'the first chunks of speech');

    controller.abort();
    const yieldedAtAbort = state.chunks.length;
    await waitUntil(() => state.ended, 'the iteration to end');
    expect(state.error).toBeUndefined();
    expect(state.chunks.length).toBe(yieldedAtAbort);

    await fake.waitFor(() => fake!.context(contextId())?.cancelled && fake!.openCount === 0);
    expect(fake.requests.at(-1)!.message).toEqual({ cancel: true, context_id: contextId() });
    const sent = fake.context(contextId())!.chunksSent;
    await letTimePass(200);
    expect(fake.context(contextId())!.chunksSent).toBe(sent);
    expect(fake.context(contextId())!.done).toBe(false);
  });

  it('close() during the first-byte delay ends with no audio and the fake never speaks', async () => {
    fake = await FakeCartesia.start({ firstByteDelayMs: 300 });
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const stream = tts.synthesize({ sampleRate: 16000 });
    stream.pushText('Hello there. ');
    const state = consume(stream);
    await fake.waitFor(() => fake!.requests.length > 0);

    await stream.close();
    await waitUntil(() => state.ended, 'the iteration to end');
    expect(state.chunks).toEqual([]);
    await fake.waitFor(() => fake!.context(contextId())?.cancelled);
    await letTimePass(400);
    expect(fake.context(contextId())!.chunksSent).toBe(0);
    // Closing again changes nothing.
    await stream.close();
  });

  it('an already aborted signal gives a stream that ends at once', async () => {
    fake = await FakeCartesia.start();
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const stream = tts.synthesize({ sampleRate: 16000, signal: AbortSignal.abort() });
    stream.pushText('Never said. ');
    stream.end();
    const chunks: TtsChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('TTS.close() ends every open session', async () => {
    fake = await FakeCartesia.start({ chunkIntervalMs: 20 });
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const states = [0, 1].map(() => {
      const stream = tts!.synthesize({ sampleRate: 48000 });
      stream.pushText(LONG_TEXT);
      return consume(stream);
    });
    await waitUntil(() => states.every((state) => state.chunks.length > 0), 'audio on both sessions');
    await tts.close();
    await waitUntil(() => states.every((state) => state.ended), 'both iterations to end');
    expect(states.map((state) => state.error)).toEqual([undefined, undefined]);
    await fake.waitFor(() => fake!.openCount === 0);
    expect(() => tts!.synthesize({ sampleRate: 16000 })).toThrow(/closed/);
  });

  it('breaking out of the iteration closes the session', async () => {
    fake = await FakeCartesia.start({ chunkIntervalMs: 20 });
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const stream = tts.synthesize({ sampleRate: 16000 });
    stream.pushText(LONG_TEXT);
    for await (const chunk of stream) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      break;
    }
    await fake.waitFor(() => fake!.context(contextId())?.cancelled && fake!.openCount === 0);
  });
});
