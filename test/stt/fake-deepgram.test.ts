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
