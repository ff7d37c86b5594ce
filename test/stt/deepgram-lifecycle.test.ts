/** DeepgramSTT's own lifecycle: bad options are refused up front, and close() ends every stream it opened. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { FakeDeepgram } from '../../testing/deepgram/index.js';
import { silencePcm } from '../support/speech.js';
import { waitUntil } from '../support/wait.js';
import { RATE, readEvents } from './deepgram-support.js';

let fake: FakeDeepgram;
beforeAll(async () => {
  fake = await FakeDeepgram.start();
});
afterAll(() => fake.close());

describe('DeepgramSTT lifecycle', () => {
  it('refuses bad options with a ValidationError naming the option', () => {
    const attempt = (options: Partial<ConstructorParameters<typeof DeepgramSTT>[0]>) => () => new DeepgramSTT({ apiKey: 'key', ...options });
    expect(attempt({ apiKey: ' ' })).toThrow(ValidationError);
    expect(attempt({ apiKey: '' })).toThrow(/apiKey/);
    expect(attempt({ keepAliveMs: 0 })).toThrow(/keepAliveMs/);
    expect(attempt({ utteranceEndMs: 500 })).toThrow(/utteranceEndMs/);
    expect(attempt({ interimResults: false, utteranceEndMs: 1000 })).toThrow(/interimResults/);
    expect(attempt({ interimResults: false })).not.toThrow();
    expect(attempt({ maxReconnectAttempts: -1 })).toThrow(/maxReconnectAttempts/);
    const stt = new DeepgramSTT({ apiKey: 'key', baseUrl: fake.baseUrl });
    expect(() => stt.stream({ sampleRate: 0 })).toThrow(/sampleRate/);
    expect(() => stt.stream({ sampleRate: 16_000.5 })).toThrow(ValidationError);
    expect(fake.connections).toHaveLength(0);
  });

  it('close() ends every stream it opened at once and closes their sockets; a closed provider opens no more', async () => {
    const stt = new DeepgramSTT({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    const streams = [stt.stream({ sampleRate: RATE }), stt.stream({ sampleRate: RATE })];
    const readers = streams.map((stream) => readEvents(stream));
    for (const stream of streams) stream.pushAudio(silencePcm(100, RATE));
    await waitUntil(() => fake.openCount === 2 && fake.connections.every((connection) => connection.bytesReceived > 0), 'two sockets with audio');
    await stt.close();
    await Promise.all(readers.map((reader) => reader.done));
    await waitUntil(() => fake.openCount === 0, 'the sockets to close');
    expect(fake.connections.map((connection) => [connection.closedBy, connection.closeStreams])).toEqual([
      ['client', 0],
      ['client', 0],
    ]);
    expect(() => stt.stream({ sampleRate: RATE })).toThrow(ValidationError);
    await stt.close(); // idempotent
  });
});
