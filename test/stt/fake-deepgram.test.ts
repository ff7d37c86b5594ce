/** The fake Deepgram's own handshake, as a client without the SDK meets it: the browser's way of sending the key, and a refusal's headers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeDeepgram } from '../../testing/deepgram/index.js';

let fake: FakeDeepgram;
beforeAll(async () => {
  fake = await FakeDeepgram.start({ apiKey: 'browser-key' });
});
afterAll(() => fake.close());

const listenUrl = (): string => `${fake.baseUrl}/v1/listen?model=nova-3&encoding=linear16&sample_rate=16000`;

describe('FakeDeepgram', () => {
  it('takes the key as the subprotocols token, <key>, as browsers send it', async () => {
    const ws = new WebSocket(listenUrl(), ['token', 'browser-key']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(ws.protocol).toBe('token');
    const connection = await fake.waitFor(() => fake.latest);
    expect(connection.authScheme).toBe('subprotocol');
    expect(connection.key).toBe('browser-key');
    ws.send(JSON.stringify({ type: 'CloseStream' }));
    const code = await new Promise<number>((resolve) => ws.once('close', resolve));
    expect(code).toBe(1000);
    expect(connection.sent.map((message) => message.type)).toEqual(['Metadata']);
  });

  it('with latencyMs, sends each message later but in order, the close last, and reports each through onMessage', async () => {
    fake.script = { ...fake.script, latencyMs: 30, utterances: [{ text: 'One two three.', startMs: 0, endMs: 300 }] };
    const reported: unknown[] = [];
    fake.onMessage = (message) => reported.push(message.type);
    try {
      const ws = new WebSocket(listenUrl(), ['token', 'browser-key']);
      const received: unknown[] = [];
      ws.on('message', (data) => received.push((JSON.parse(String(data)) as { type: string }).type));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(new Int16Array(16 * 400)); // 400 ms at 16 kHz: past the utterance's end
      ws.send(JSON.stringify({ type: 'CloseStream' }));
      const code = await new Promise<number>((resolve) => ws.once('close', resolve));
      expect(code).toBe(1000);
      expect(received.at(-1)).toBe('Metadata');
      expect(received.filter((type) => type === 'Results').length).toBeGreaterThan(0);
      expect(reported).toEqual(received);
    } finally {
      fake.onMessage = undefined;
      fake.script = { ...fake.script, latencyMs: 0, utterances: [] };
    }
  });

  it('refuses a wrong key with HTTP 401, dg-error and dg-request-id headers and a JSON body', async () => {
    const ws = new WebSocket(listenUrl(), { headers: { Authorization: 'Token wrong' } });
    ws.on('error', () => {}); // ending the refused handshake below reports one
    const response = await new Promise<import('node:http').IncomingMessage>((resolve) => ws.once('unexpected-response', (_request, res) => resolve(res)));
    expect(response.statusCode).toBe(401);
    expect(response.headers['dg-error']).toBe('Invalid credentials.');
    expect(response.headers['dg-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString())).on('end', () => resolve(text));
    });
    expect(JSON.parse(body)).toMatchObject({ err_code: 'INVALID_AUTH' });
    ws.terminate();
  });
});
