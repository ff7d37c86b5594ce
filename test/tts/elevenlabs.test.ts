import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { ElevenLabsTTS } from '../../src/tts/elevenlabs/index.js';
import type { TtsChunk, TtsStream, TtsWordTiming } from '../../src/tts/tts.js';
import { FakeElevenLabs } from '../../testing/elevenlabs/index.js';
import { waitUntil } from '../support/wait.js';

const MS_PER_CHAR = 60;
const CHUNK_MS = 100;

let fake: FakeElevenLabs;
let tts: ElevenLabsTTS;

beforeEach(async () => {
  fake = await FakeElevenLabs.start({ msPerChar: MS_PER_CHAR, chunkMs: CHUNK_MS });
  tts = new ElevenLabsTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
});

afterEach(async () => {
  await tts.close();
  await fake.close();
});

async function collect(stream: TtsStream): Promise<TtsChunk[]> {
  const chunks: TtsChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function pushInDeltas(stream: TtsStream, text: string, size: number): void {
  for (let i = 0; i < text.length; i += size) stream.pushText(text.slice(i, i + size));
}

const totalSamples = (chunks: TtsChunk[]) => chunks.reduce((sum, chunk) => sum + chunk.samples.length, 0);

describe('ElevenLabsTTS over the stream-input WebSocket', () => {
  it('sends text pushed in small deltas as whole sentences, in order, each as soon as it ends', async () => {
    const stream = tts.synthesize({ sampleRate: 16_000 });
    const audio = collect(stream);
    pushInDeltas(stream, 'Hello there, nice to meet you. How can I help you today? Mr. Smith said 3.5 percent was fine. And the rest', 3);

    const connection = await fake.waitFor(() => (fake.latest?.texts.length === 3 ? fake.latest : undefined), { what: 'three sentences' });
    expect(connection.texts).toEqual([
      'Hello there, nice to meet you. ',
      'How can I help you today? ',
      'Mr. Smith said 3.5 percent was fine. ',
    ]);
    expect(connection.ended).toBe(false);

    stream.end();
    await audio;
    expect(connection.texts.at(-1)).toBe('And the rest ');
    expect(connection.ended).toBe(true);
    expect(connection.finalSent).toBe(true);
    // Each sentence asks the service to voice it now rather than wait for more text.
    expect(connection.messages.slice(1, 5).every((message) => message.flush === true)).toBe(true);
    expect(connection.voiced).toEqual(connection.texts);
  });

  it('opens the documented endpoint with the key in the header and the settings in the first message', async () => {
    await tts.close();
    tts = new ElevenLabsTTS({
      apiKey: fake.apiKey,
      baseUrl: fake.baseUrl,
      voiceId: 'voice-1',
      modelId: 'eleven_turbo_v2_5',
      voiceSettings: { stability: 0.4, similarityBoost: 0.7, speed: 1.1 },
      inactivityTimeoutMs: 30_000,
    });
    const stream = tts.synthesize({ sampleRate: 24_000, language: 'de-DE' });
    stream.pushText('Guten Tag, wie geht es Ihnen?');
    stream.end();
    await collect(stream);

    const connection = fake.latest!;
    expect(connection.voiceId).toBe('voice-1');
    expect(Object.fromEntries(connection.query)).toEqual({
      model_id: 'eleven_turbo_v2_5',
      output_format: 'pcm_24000',
      sync_alignment: 'true',
      inactivity_timeout: '30',
      language_code: 'de',
    });
    expect(connection.messages[0]).toEqual({ text: ' ', voice_settings: { stability: 0.4, similarity_boost: 0.7, speed: 1.1 } });
    expect(JSON.stringify(connection.messages)).not.toContain(fake.apiKey);
    expect(connection.key).toBe(fake.apiKey);
  });

  it('ends without audio when end() comes before any text', async () => {
    const stream = tts.synthesize({ sampleRate: 16_000 });
    stream.end();
    expect(await collect(stream)).toEqual([]);
    expect(fake.latest!.finalSent).toBe(true);
  });

  it('uses the voice a session names over the configured one', async () => {
    const stream = tts.synthesize({ sampleRate: 16_000, voice: 'session-voice' });
    stream.pushText('One short sentence to say.');
    stream.end();
    await collect(stream);
    expect(fake.latest!.voiceId).toBe('session-voice');
  });

  for (const [sampleRate, format] of [
    [16_000, 'pcm_16000'],
    [24_000, 'pcm_24000'],
    [48_000, 'pcm_44100'],
  ] as const) {
    it(`gives PCM at exactly ${sampleRate} Hz when asked, of the length the text plays (${format} from the service)`, async () => {
      const text = 'This is the first sentence of the test. And here is a second one!';
      const stream = tts.synthesize({ sampleRate });
      const audio = collect(stream);
      stream.pushText(text);
      stream.end();
      const chunks = await audio;

      expect(fake.latest!.query.get('output_format')).toBe(format);
      expect(chunks.every((chunk) => chunk.sampleRate === sampleRate)).toBe(true);
      const sentChars = fake.latest!.texts.join('').length;
      const expectedMs = sentChars * MS_PER_CHAR;
      const durationMs = (totalSamples(chunks) / sampleRate) * 1000;
      expect(Math.abs(durationMs - expectedMs)).toBeLessThanOrEqual(CHUNK_MS);
    });
  }

  it('gives word timings in order, covering the words of the text, running on across sentences', async () => {
    const text = 'The weather is lovely today. Shall we walk along the river, then? Yes, let us go.';
    const stream = tts.synthesize({ sampleRate: 16_000 });
    const audio = collect(stream);
    pushInDeltas(stream, text, 4);
    stream.end();
    const chunks = await audio;

    const words = chunks.flatMap((chunk) => chunk.words ?? []);
    expect(words.map((word) => word.text)).toEqual(text.split(' '));
    // The fake voices each character for 60 ms, one sentence after the other: a word starts at
    // its character's place in everything sent, and ends after its last character.
    const sent = fake.latest!.texts.join('');
    let from = 0;
    for (const word of words) {
      const index = sent.indexOf(word.text, from);
      expect(word).toEqual<TtsWordTiming>({ text: word.text, startMs: index * MS_PER_CHAR, endMs: (index + word.text.length) * MS_PER_CHAR });
      from = index + word.text.length;
    }
    const audioMs = (totalSamples(chunks) / 16_000) * 1000;
    expect(words.at(-1)!.endMs).toBeLessThanOrEqual(audioMs + 1);
  });

  it('gives word timings at a resampled rate on the same clock', async () => {
    const stream = tts.synthesize({ sampleRate: 48_000 });
    const audio = collect(stream);
    stream.pushText('Timings stay in milliseconds whatever the rate.');
    stream.end();
    const words = (await audio).flatMap((chunk) => chunk.words ?? []);
    expect(words[0]).toEqual({ text: 'Timings', startMs: 0, endMs: 7 * MS_PER_CHAR });
    expect(words[1]).toEqual({ text: 'stay', startMs: 8 * MS_PER_CHAR, endMs: 12 * MS_PER_CHAR });
  });

  it('stops at once on abort: nothing more is yielded and the socket closes', async () => {
    fake.options.chunkIntervalMs = 20;
    const controller = new AbortController();
    const stream = tts.synthesize({ sampleRate: 16_000, signal: controller.signal });
    stream.pushText('A long sentence that takes many seconds to say, far longer than this test waits. ');
    stream.pushText('And another one that should never be heard by anyone at all.');
    stream.end();

    let afterAbort = 0;
    for await (const _chunk of stream) {
      if (controller.signal.aborted) afterAbort++;
      else controller.abort();
    }
    expect(afterAbort).toBe(0);
    await waitUntil(() => fake.latest?.open === false && fake.latest.closeCode !== undefined, 'the fake to see the socket close');
    expect(fake.latest!.closedBy).toBe('client');
    expect(fake.latest!.finalSent).toBe(false);
  });

  it('stops at once on close(), and close() is idempotent', async () => {
    fake.options.chunkIntervalMs = 20;
    const stream = tts.synthesize({ sampleRate: 16_000 });
    stream.pushText('Another long sentence that would take a good few seconds to be spoken aloud. ');
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await stream.close();
    await stream.close();
    expect((await iterator.next()).done).toBe(true);
    expect(fake.latest!.open).toBe(false);
    stream.pushText('Ignored after close. ');
    stream.end();
  });

  it('closes every open session on close()', async () => {
    const first = tts.synthesize({ sampleRate: 16_000 });
    const second = tts.synthesize({ sampleRate: 24_000 });
    first.pushText('Waiting for more text to come. ');
    second.pushText('Also waiting for more text to come. ');
    await fake.waitFor(() => fake.connections.length === 2 && fake.connections.every((c) => c.voiced.length === 1), { what: 'two sessions voicing' });
    await tts.close();
    await waitUntil(() => fake.openCount === 0, 'both sockets to close');
    expect(() => tts.synthesize({ sampleRate: 16_000 })).toThrow(/closed/);
  });
});

describe('ElevenLabsTTS errors', () => {
  async function failure(stream: TtsStream): Promise<ProviderError> {
    const error = await collect(stream).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }

  it('a wrong key is a non-retryable ProviderError that does not show the key', async () => {
    const wrong = new ElevenLabsTTS({ apiKey: 'sk-wrong-key', baseUrl: fake.baseUrl });
    const stream = wrong.synthesize({ sampleRate: 16_000 });
    stream.pushText('Hello there, this will not be spoken.');
    stream.end();
    const error = await failure(stream);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('AUTH');
    expect(error.provider).toBe('elevenlabs');
    expect(error.message).toMatch(/API key/);
    expect(error.message).not.toContain('sk-wrong-key');
    await wrong.close();
  });

  it('a socket cut mid-stream is a retryable ProviderError after the audio that came', async () => {
    fake.options.chunkIntervalMs = 20;
    const stream = tts.synthesize({ sampleRate: 16_000 });
    stream.pushText('This sentence is long enough to be cut in the middle of it. ');
    const chunks: TtsChunk[] = [];
    const outcome = (async () => {
      for await (const chunk of stream) {
        chunks.push(chunk);
        if (chunks.length === 2) fake.latest!.kill();
      }
    })().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    const error = await outcome;
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });

  it('a service that cannot be reached is a retryable ProviderError', async () => {
    const address = fake.baseUrl;
    await fake.close();
    fake = await FakeElevenLabs.start();
    const unreachable = new ElevenLabsTTS({ apiKey: 'test-key', baseUrl: address });
    const stream = unreachable.synthesize({ sampleRate: 16_000 });
    stream.pushText('Nobody is listening.');
    stream.end();
    const error = await failure(stream);
    expect(error.retryable).toBe(true);
    expect(error.code).toBe('NETWORK');
    await unreachable.close();
  });

  it('the service ending an idle session says to send text sooner, and is retryable', async () => {
    await tts.close();
    tts = new ElevenLabsTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, inactivityTimeoutMs: 1_000 });
    const stream = tts.synthesize({ sampleRate: 16_000 });
    const error = await failure(stream);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/inactivityTimeoutMs/);
  });

  it('bad options are a ValidationError naming the option', () => {
    expect(() => new ElevenLabsTTS({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => new ElevenLabsTTS({ apiKey: 'k', inactivityTimeoutMs: 500_000 })).toThrow(/inactivityTimeoutMs/);
    expect(() => new ElevenLabsTTS({ apiKey: 'k', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => tts.synthesize({ sampleRate: 0 })).toThrow(/sampleRate/);
  });
});
