import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError, ValidationError } from '../../src/core/errors.js';
import { CartesiaTTS } from '../../src/tts/cartesia/index.js';
import type { TtsChunk, TtsStream } from '../../src/tts/tts.js';
import { FakeCartesia } from '../../testing/cartesia/index.js';
import { waitUntil } from '../support/wait.js';

let fake: FakeCartesia | undefined;
let tts: CartesiaTTS | undefined;

afterEach(async () => {
  await tts?.close();
  await fake?.close();
  tts = undefined;
  fake = undefined;
});

/** Iterates to the end; resolves with the chunks and the error the iteration threw, if any. */
async function drain(stream: TtsStream, onChunk?: (chunk: TtsChunk, count: number) => void): Promise<{ chunks: TtsChunk[]; error: unknown }> {
  const chunks: TtsChunk[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      onChunk?.(chunk, chunks.length);
    }
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error };
  }
}

describe('Cartesia failures', () => {
  it('a wrong key is a non-retryable ProviderError with status 401 that does not show the key', async () => {
    fake = await FakeCartesia.start();
    tts = new CartesiaTTS({ apiKey: 'sk_car_wrong-key-1234', baseUrl: fake.baseUrl });
    const stream = tts.synthesize({ sampleRate: 24000 });
    stream.pushText('Hello. ');
    stream.end();
    const { chunks, error } = await drain(stream);

    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    const failure = error as ProviderError;
    expect(failure).toMatchObject({ provider: 'cartesia', status: 401, retryable: false, code: 'UNAUTHORIZED' });
    expect(failure.message).toMatch(/apiKey/);
    expect(failure.message).not.toContain('wrong-key');
    expect(fake.refused).toEqual([{ status: 401 }]);
    expect(fake.requests).toEqual([]);
  });

  it('a dropped socket mid-speech is a retryable ProviderError after the audio that arrived', async () => {
    fake = await FakeCartesia.start({ chunkIntervalMs: 20 });
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const stream = tts.synthesize({ sampleRate: 16000 });
    stream.pushText('Speaking for a good while before the network goes away. '.repeat(3));
    const { chunks, error } = await drain(stream, (_chunk, count) => {
      if (count === 3) fake!.dropConnections();
    });

    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'cartesia', retryable: true, code: 'NETWORK' });
  });

  it('a server that cannot be reached is a retryable ProviderError', async () => {
    fake = await FakeCartesia.start();
    const baseUrl = fake.baseUrl;
    await fake.close();
    fake = undefined;
    tts = new CartesiaTTS({ apiKey: 'test-key', baseUrl });
    const stream = tts.synthesize({ sampleRate: 16000 });
    stream.pushText('Hello. ');
    stream.end();
    const { error } = await drain(stream);
    expect(error).toMatchObject({ provider: 'cartesia', retryable: true });
  });

  it("the service's error events keep their status: 429 is retryable, 400 is not", async () => {
    fake = await FakeCartesia.start({ firstByteDelayMs: 5_000 });
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    for (const [index, [status, retryable]] of ([[429, true], [400, false]] as const).entries()) {
      const stream = tts.synthesize({ sampleRate: 16000 });
      stream.pushText('Hello. ');
      const done = drain(stream);
      await fake.waitFor(() => fake!.connections[index]?.contexts.size === 1);
      const connection = fake.connections[index]!;
      const [contextId] = [...connection.contexts.keys()];
      connection.send({ type: 'error', status_code: status, title: 'Refused', message: `status ${status}`, context_id: contextId!, done: true });
      const { error } = await done;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status, retryable });
      expect((error as Error).message).toContain(`status ${status}`);
    }
  });

  it('bad input is a ValidationError that changes nothing', async () => {
    expect(() => new CartesiaTTS({ apiKey: '' })).toThrow(ValidationError);
    expect(() => new CartesiaTTS({ apiKey: 'k', baseUrl: 'ftp://example.com' })).toThrow(/baseUrl/);
    expect(() => new CartesiaTTS({ apiKey: 'k', maxBufferDelayMs: 9000 })).toThrow(/maxBufferDelayMs/);
    fake = await FakeCartesia.start();
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    expect(() => tts!.synthesize({ sampleRate: 1000 })).toThrow(/sampleRate/);
    const stream = tts.synthesize({ sampleRate: 16000 });
    stream.pushText('Done. ');
    stream.end();
    expect(() => stream.pushText('More.')).toThrow(ValidationError);
    const { chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(chunks.reduce((sum, chunk) => sum + chunk.samples.length, 0)).toBe(('Done. '.length * 60 * 16000) / 1000);
    await tts.close();
    await waitUntil(() => fake!.openCount === 0, 'the socket kept for the next session to close with the TTS');
  });
});
