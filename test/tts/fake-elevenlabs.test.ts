import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeElevenLabs } from '../../testing/elevenlabs/index.js';

/** A bare client of the documented protocol, to check the fake without the project's own client. */
async function session(fake: FakeElevenLabs, path: string, messages: object[], headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${fake.baseUrl.replace('http', 'ws')}${path}`, { headers });
  const received: Array<Record<string, unknown>> = [];
  ws.on('open', () => messages.forEach((message) => ws.send(JSON.stringify(message))));
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
  const [code, reason] = await new Promise<[number, string]>((resolve, reject) => {
    ws.on('close', (closeCode, closeReason) => resolve([closeCode, closeReason.toString()]));
    ws.on('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
  return { code, reason, received };
}

const PATH = '/v1/text-to-speech/voice-a/stream-input?model_id=eleven_flash_v2_5&output_format=pcm_16000';

describe('FakeElevenLabs', () => {
  let fake: FakeElevenLabs;
  beforeEach(async () => {
    fake = await FakeElevenLabs.start({ msPerChar: 10, chunkMs: 50 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('takes the key in the first message, voices triggered text at once and the rest at the end', async () => {
    const { code, received } = await session(fake, PATH, [
      { text: ' ', voice_settings: { stability: 0.5 }, xi_api_key: 'test-key' },
      { text: 'Hello there. ', try_trigger_generation: true },
      { text: 'Buffered until the end. ' },
      { text: '' },
    ]);
    expect(code).toBe(1000);
    expect(fake.latest!.voiceSettings).toEqual({ stability: 0.5 });
    expect(fake.latest!.voiced).toEqual(['Hello there. ', 'Buffered until the end. ']);
    expect(received.at(-1)).toEqual({ isFinal: true });
    const audio = received.filter((message) => typeof message.audio === 'string');
    const bytes = audio.reduce((sum, message) => sum + Buffer.from(message.audio as string, 'base64').length, 0);
    // 37 characters at 10 ms each, 16-bit samples at 16 kHz.
    expect(bytes).toBe(2 * Math.round(16 * 13 * 10) + 2 * Math.round(16 * 24 * 10));
    const chars = audio.flatMap((message) => (message.alignment as { chars: string[] } | null)?.chars ?? []);
    expect(chars.join('')).toBe('Hello there. Buffered until the end. ');
  });

  it('closes with 1008 on a wrong key, and answers other paths with 404', async () => {
    const wrong = await session(fake, PATH, [{ text: ' ' }], { 'xi-api-key': 'nope' });
    expect(wrong.code).toBe(1008);
    expect(wrong.reason).toMatch(/API key/);
    await expect(session(fake, '/v1/text-to-speech/voice-a/stream', [])).rejects.toThrow(/404/);
  });
});
