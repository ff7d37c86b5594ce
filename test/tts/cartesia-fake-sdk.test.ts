/**
 * The fake Cartesia against Cartesia's own SDK client (`client.tts.websocket()`), so that the
 * fake speaks the protocol as the SDK defines it, not only as CartesiaTTS speaks it. The SDK
 * always connects with `wss`, so the fake serves TLS here with a certificate made for the test.
 * The SDK is loaded as CommonJS: its ES module build finds `ws` with `require`, which an ES
 * module does not have, and Node 20 has no global WebSocket, so from ESM its socket client only
 * throws "the ws peer dependency is required".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Cartesia as CartesiaClient } from '@cartesia/cartesia-js';
import type { WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeCartesia } from '../../testing/cartesia/index.js';

const { Cartesia } = createRequire(import.meta.url)('@cartesia/cartesia-js') as typeof import('@cartesia/cartesia-js');

let fake: FakeCartesia;
let cert: string;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'fake-cartesia-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = readFileSync(join(folder, 'cert.pem'), 'utf8');
  fake = await FakeCartesia.start({ tls: { key: readFileSync(join(folder, 'key.pem')), cert } });
});
afterAll(async () => {
  await fake?.close();
  rmSync(folder, { recursive: true, force: true });
});

function sdkClient(apiKey: string): CartesiaClient {
  return new Cartesia({ apiKey, baseURL: fake.baseUrl.replace(/^wss:/, 'https:') });
}

describe('FakeCartesia with the Cartesia SDK', () => {
  it('accepts the SDK handshake and answers a context of continuations with chunks, timestamps and done', async () => {
    const ws = await sdkClient(fake.apiKey).tts.websocket({ ca: cert });
    await ws.connect();
    const context = ws.context({
      model_id: 'sonic-3',
      voice: { id: 'a-voice' },
      output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
      add_timestamps: true,
    });
    await context.push({ transcript: 'Hello, ' });
    await context.push({ transcript: 'world!' });
    await context.no_more_inputs();
    const events: WebsocketResponse[] = [];
    for await (const event of context.receive({ timeout: 10_000 })) events.push(event);
    ws.close();

    expect(events.at(-1)?.type).toBe('done');
    const bytes = events.reduce((sum, event) => sum + (event.type === 'chunk' ? (event.audio?.length ?? 0) : 0), 0);
    expect(bytes).toBe(('Hello, world!'.length * 60 * 16000 * 2) / 1000);
    const words = events.flatMap((event) => (event.type === 'timestamps' ? (event.word_timestamps?.words ?? []) : []));
    expect(words).toEqual(['Hello,', 'world!']);
    expect(fake.transcriptsOf(context.contextId)).toEqual(['Hello, ', 'world!', '']);
    const connection = fake.connections.at(-1)!;
    expect(connection.headers['cartesia-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("answers the SDK's flush with the held text's audio, then flush_done", async () => {
    const ws = await sdkClient(fake.apiKey).tts.websocket({ ca: cert });
    await ws.connect();
    const context = ws.context({
      model_id: 'sonic-3',
      voice: { id: 'a-voice' },
      output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 8000 },
    });
    // Without the flush the fake would hold "there", a word that may go on.
    await context.push({ transcript: 'Hello there', flush: true });
    await context.no_more_inputs();
    const events: WebsocketResponse[] = [];
    for await (const event of context.receive({ timeout: 10_000 })) events.push(event);
    ws.close();
    const flushAt = events.findIndex((event) => event.type === 'flush_done');
    expect(events[flushAt]).toMatchObject({ flush_done: true, flush_id: 1 });
    const bytesBeforeFlush = events.slice(0, flushAt).reduce((sum, event) => sum + (event.type === 'chunk' ? (event.audio?.length ?? 0) : 0), 0);
    expect(bytesBeforeFlush).toBe(('Hello there'.length * 60 * 8000 * 2) / 1000);
    expect(events.at(-1)?.type).toBe('done');
  });

  it("stops a context on the SDK's cancel", async () => {
    fake.behaviour.chunkIntervalMs = 20;
    try {
      const ws = await sdkClient(fake.apiKey).tts.websocket({ ca: cert });
      await ws.connect();
      const context = ws.context({
        model_id: 'sonic-3',
        voice: { id: 'a-voice' },
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24000 },
      });
      await context.push({ transcript: 'A long sentence that would take a good few seconds to say. ' });
      await fake.waitFor(() => (fake.context(context.contextId)?.chunksSent ?? 0) > 0);
      await context.cancel();
      await fake.waitFor(() => fake.context(context.contextId)?.cancelled);
      expect(fake.requests.at(-1)?.message).toEqual({ cancel: true, context_id: context.contextId });
      ws.close();
    } finally {
      fake.behaviour.chunkIntervalMs = 0;
    }
  });

  it('takes the key and version as query parameters too (the documented URL, the SDK in a browser), and refuses a wrong key with 401', async () => {
    const endpoint = (key: string) => `${fake.baseUrl}/tts/websocket?api_key=${key}&cartesia_version=2026-08-14`;
    const opened = new WebSocket(endpoint(fake.apiKey), { ca: cert });
    await new Promise<void>((resolve, reject) => {
      opened.once('open', resolve);
      opened.once('error', reject);
    });
    opened.close();
    const refused = new WebSocket(endpoint('wrong-key'), { ca: cert });
    // Ending a handshake that the server refused reports an error; it is the expected outcome here.
    refused.on('error', () => undefined);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode));
      refused.once('open', () => resolve(undefined));
    });
    refused.terminate();
    expect(status).toBe(401);
    expect(fake.refused.at(-1)).toEqual({ status: 401 });
  });
});
