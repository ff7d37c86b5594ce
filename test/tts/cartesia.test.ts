import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CARTESIA_DEFAULTS, CartesiaTTS } from '../../src/tts/cartesia/index.js';
import type { TtsChunk, TtsStream, TtsWordTiming } from '../../src/tts/tts.js';
import { FakeCartesia } from '../../testing/cartesia/index.js';
import { letTimePass, waitUntil } from '../support/wait.js';

let fake: FakeCartesia;
let tts: CartesiaTTS;

beforeAll(async () => {
  fake = await FakeCartesia.start();
});
afterEach(async () => {
  await tts?.close();
});
afterAll(async () => {
  await fake.close();
});

async function collect(stream: TtsStream): Promise<TtsChunk[]> {
  const chunks: TtsChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The context id of the latest stream whose first input carried `firstText`. */
function contextOf(firstText: string): string {
  const request = [...fake.requests].reverse().find((r) => r.message['transcript'] === firstText);
  if (!request) throw new Error(`no request carried ${JSON.stringify(firstText)}`);
  return request.message['context_id'] as string;
}

function speak(deltas: string[], options: { sampleRate: number; language?: string }): TtsStream {
  const stream = tts.synthesize(options);
  for (const delta of deltas) stream.pushText(delta);
  stream.end();
  return stream;
}

describe('CartesiaTTS against the fake Cartesia WebSocket', () => {
  it('streams text deltas to one context in order, as continuations closed by an empty final input', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, modelId: 'sonic-3', voiceId: 'voice-a' });
    const deltas = ['Hel', 'lo, wor', 'ld! How ', 'are you?'];
    await collect(speak(deltas, { sampleRate: 24000, language: 'en' }));

    const contextId = contextOf('Hel');
    expect(fake.transcriptsOf(contextId)).toEqual([...deltas, '']);
    const sent = fake.requests.filter((r) => r.message['context_id'] === contextId).map((r) => r.message);
    expect(sent.map((m) => m['continue'])).toEqual([true, true, true, true, false]);
    expect(new Set(fake.requests.filter((r) => r.message['context_id'] === contextId).map((r) => r.connection)).size).toBe(1);
    for (const message of sent) {
      expect(message).toMatchObject({
        model_id: 'sonic-3',
        voice: { mode: 'id', id: 'voice-a' },
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24000 },
        add_timestamps: true,
        language: 'en',
      });
    }
    expect(fake.context(contextId)?.done).toBe(true);
    // The handshake the SDK makes from Node: the key as a bearer token, the API version as a header.
    const connection = fake.connections[fake.requests.find((r) => r.message['context_id'] === contextId)!.connection]!;
    expect(connection.headers['cartesia-version']).toBe(CARTESIA_DEFAULTS.cartesiaVersion);
    expect(connection.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it('uses the voice and language a session names over the configured ones, the language as its primary subtag', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, voiceId: 'configured', language: 'en', maxBufferDelayMs: 500 });
    const stream = tts.synthesize({ sampleRate: 16000, voice: 'session-voice', language: 'fr-FR' });
    stream.pushText('Bonjour. ');
    stream.end();
    await collect(stream);
    const first = fake.requests.find((r) => r.message['transcript'] === 'Bonjour. ')!.message;
    expect(first).toMatchObject({ voice: { mode: 'id', id: 'session-voice' }, language: 'fr', model_id: CARTESIA_DEFAULTS.modelId, max_buffer_delay_ms: 500 });
  });

  for (const sampleRate of [16000, 24000, 48000]) {
    it(`yields audio at exactly ${sampleRate} Hz, as long as the fake spoke it`, async () => {
      tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
      const text = 'Good morning, how can I help?';
      const chunks = await collect(speak(['Good morn', 'ing, how can ', 'I help?'], { sampleRate }));

      const contextId = contextOf('Good morn');
      expect(fake.context(contextId)?.sampleRate).toBe(sampleRate);
      expect(chunks.every((chunk) => chunk.sampleRate === sampleRate)).toBe(true);
      const total = chunks.reduce((sum, chunk) => sum + chunk.samples.length, 0);
      // 60 ms per character at this rate, to the sample.
      expect(total).toBe((text.length * 60 * sampleRate) / 1000);
      const peak = Math.max(...chunks.map((chunk) => chunk.samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0)));
      expect(peak).toBeGreaterThan(7000);
    });
  }

  it('resamples a rate Cartesia does not offer from the next rate above it', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const text = 'One moment please.';
    const chunks = await collect(speak([text], { sampleRate: 32000 }));
    expect(fake.context(contextOf(text))?.sampleRate).toBe(44100);
    expect(chunks.every((chunk) => chunk.sampleRate === 32000)).toBe(true);
    const total = chunks.reduce((sum, chunk) => sum + chunk.samples.length, 0);
    const served = Math.round((text.length * 60 * 44100) / 1000);
    expect(total).toBe(Math.ceil((served * 32000) / 44100));
  });

  it('gives word timings in ms, in order and continuous across inputs, on the chunks where the words start', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const text = 'The quick brown fox jumps over the lazy dog.';
    const deltas = ['The qu', 'ick brown f', 'ox jumps over ', 'the lazy', ' dog.'];
    const chunks = await collect(speak(deltas, { sampleRate: 24000 }));

    const words: Array<TtsWordTiming & { chunkEndMs: number }> = [];
    let audioMs = 0;
    for (const chunk of chunks) {
      audioMs += (chunk.samples.length * 1000) / chunk.sampleRate;
      for (const word of chunk.words ?? []) words.push({ ...word, chunkEndMs: audioMs });
    }
    expect(words.map((w) => w.text)).toEqual(text.split(' '));
    expect(words[0]!.startMs).toBe(0);
    for (let i = 1; i < words.length; i++) {
      // One space (60 ms) between words: no reset and no jump where one input ends and the next begins.
      expect(words[i]!.startMs - words[i - 1]!.endMs).toBeCloseTo(60, 6);
    }
    for (const word of words) {
      expect(word.endMs).toBeGreaterThan(word.startMs);
      expect(word.startMs).toBeLessThan(word.chunkEndMs);
    }
    expect(words.at(-1)!.endMs).toBeCloseTo(audioMs, 6);
  });

  it('a session given no text ends at once with no audio and sends the service nothing', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const before = fake.requests.length;
    const stream = tts.synthesize({ sampleRate: 16000 });
    stream.end();
    expect(await collect(stream)).toEqual([]);
    expect(fake.requests.length).toBe(before);
  });
});

describe('CartesiaTTS sockets', () => {
  it('sessions one after another share one socket; sessions at the same time get their own; close() closes them', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const before = fake.connections.length;
    for (const text of ['First answer. ', 'Second answer. ', 'Third answer. ']) await collect(speak([text], { sampleRate: 16000 }));
    expect(fake.connections.length).toBe(before + 1);
    const connectionsOf = (texts: string[]) => texts.map((text) => fake.requests.find((r) => r.message['transcript'] === text)!.connection);
    expect(new Set(connectionsOf(['First answer. ', 'Second answer. ', 'Third answer. '])).size).toBe(1);

    // Two at once: one takes the kept socket, the other opens one.
    const together = await Promise.all([collect(speak(['Left. '], { sampleRate: 16000 })), collect(speak(['Right. '], { sampleRate: 16000 }))]);
    expect(together.map((chunks) => chunks.reduce((sum, c) => sum + c.samples.length, 0))).toEqual([5760, 6720]);
    expect(new Set(connectionsOf(['Left. ', 'Right. '])).size).toBe(2);
    expect(fake.connections.length).toBe(before + 2);

    await tts.close();
    await fake.waitFor(() => fake.openCount === 0);
  });
});

describe('CartesiaTTS with a kept socket that died while idle', () => {
  it('starts the session again on a new socket, so nothing is lost', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    await collect(speak(['Hello. '], { sampleRate: 16000 }));
    const kept = fake.connections.at(-1)!;
    kept.dropOnNextMessage = true;
    const before = fake.connections.length;
    const chunks = await collect(speak(['Still ', 'here. '], { sampleRate: 16000 }));
    expect(chunks.reduce((sum, c) => sum + c.samples.length, 0)).toBe(('Still here. '.length * 60 * 16000) / 1000);
    expect(kept.closed).toBe(true);
    expect(fake.connections.length).toBe(before + 1);
    expect(fake.transcriptsOf(contextOf('Still '))).toEqual(['Still ', 'here. ', '']);
  });
});

describe('CartesiaTTS across a pause in the text', () => {
  it('continues in a new context when the current one went quiet long enough to expire, keeping the audio and the word timings in order', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const first = 'Let me check that. ';
    const second = 'It is sunny today.';
    const stream = tts.synthesize({ sampleRate: 16000 });
    const chunks: TtsChunk[] = [];
    const consumed = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })();
    stream.pushText(first);
    const firstSamples = (first.length * 60 * 16000) / 1000;
    await waitUntil(() => chunks.reduce((sum, c) => sum + c.samples.length, 0) === firstSamples, 'the first sentence spoken');
    // A tool call, say: longer than the service keeps a quiet context.
    await letTimePass(fake.behaviour.contextExpiryMs + 200);
    stream.pushText(second);
    stream.end();
    await consumed;

    const contexts = [contextOf(first), contextOf(second)];
    expect(contexts[0]).not.toBe(contexts[1]);
    // The quiet context got its final input, which the service refused: it had expired.
    const toFirst = fake.requests.filter((r) => r.message['context_id'] === contexts[0]).map((r) => [r.message['transcript'], r.message['continue']]);
    expect(toFirst).toEqual([[first, true], ['', false]]);
    expect(fake.transcriptsOf(contexts[0]!)).toEqual([first]);
    expect(fake.transcriptsOf(contexts[1]!)).toEqual([second, '']);
    const total = chunks.reduce((sum, c) => sum + c.samples.length, 0);
    expect(total).toBe(((first.length + second.length) * 60 * 16000) / 1000);
    const words = chunks.flatMap((chunk) => chunk.words ?? []);
    expect(words.map((w) => w.text)).toEqual([...first.trim().split(' '), ...second.split(' ')]);
    // The second context's timings count from where its audio starts in the session.
    expect(words[4]!.startMs).toBe(first.length * 60);
    expect(words.at(-1)!.endMs).toBeCloseTo((total * 1000) / 16000, 6);
  });

  it('a context that went quiet holding an unfinished word says it before the new context speaks', async () => {
    tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const first = 'Let me check the';
    const second = ' weather. It is sunny.';
    const stream = tts.synthesize({ sampleRate: 16000 });
    const chunks: TtsChunk[] = [];
    const consumed = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })();
    stream.pushText(first);
    // The service speaks up to the last whole word and holds "the".
    const spokenSamples = ('Let me check '.length * 60 * 16000) / 1000;
    await waitUntil(() => chunks.reduce((sum, c) => sum + c.samples.length, 0) === spokenSamples, 'the words before the held one');
    await letTimePass(fake.behaviour.contextExpiryMs + 200);
    stream.pushText(second);
    stream.end();
    await consumed;

    expect(contextOf(first)).not.toBe(contextOf(second));
    expect(fake.transcriptsOf(contextOf(first))).toEqual([first, '']);
    const words = chunks.flatMap((chunk) => chunk.words ?? []);
    expect(words.map((w) => w.text)).toEqual(['Let', 'me', 'check', 'the', 'weather.', 'It', 'is', 'sunny.']);
    for (let i = 1; i < words.length; i++) expect(words[i]!.startMs - words[i - 1]!.endMs).toBeCloseTo(60, 6);
    const total = chunks.reduce((sum, c) => sum + c.samples.length, 0);
    expect(total).toBe(((first.length + second.length) * 60 * 16000) / 1000);
  });

  it('a quiet context that never answers its final input ends by itself, and the new context speaks', async () => {
    fake.behaviour.expiredInput = 'ignore';
    try {
      tts = new CartesiaTTS({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
      const first = 'One moment. ';
      const second = 'Here it is.';
      const stream = tts.synthesize({ sampleRate: 24000 });
      const chunks: TtsChunk[] = [];
      const consumed = (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })();
      stream.pushText(first);
      const firstSamples = (first.length * 60 * 24000) / 1000;
      await waitUntil(() => chunks.reduce((sum, c) => sum + c.samples.length, 0) === firstSamples, 'the first sentence spoken');
      await letTimePass(fake.behaviour.contextExpiryMs + 200);
      stream.pushText(second);
      stream.end();
      await consumed;
      const total = chunks.reduce((sum, c) => sum + c.samples.length, 0);
      expect(total).toBe(((first.length + second.length) * 60 * 24000) / 1000);
      expect(chunks.flatMap((chunk) => chunk.words ?? []).map((w) => w.text)).toEqual(['One', 'moment.', 'Here', 'it', 'is.']);
    } finally {
      fake.behaviour.expiredInput = 'error';
    }
  });
});
