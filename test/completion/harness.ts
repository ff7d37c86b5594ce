/**
 * A running server for tests: the real GeminiLLM (real @google/genai SDK) against the local
 * Gemini fake, the real Fastify server on a random port of 127.0.0.1, and helpers to call it
 * over real sockets and read its events in every mode.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { GeminiLLM } from '../../src/llm/gemini/gemini-llm.js';
import { createServer, type ServerOptions } from '../../src/completion/create-server.js';
import { FakeGemini } from '../../testing/gemini/index.js';

export const API_KEY = 'test-key-1';
export const OTHER_KEY = 'test-key-2';
export const ADMIN_KEY = 'test-admin-key';

export interface Harness {
  fake: FakeGemini;
  app: FastifyInstance;
  config: Config;
  baseUrl: string;
  /** POSTs JSON to `path` with the API key (or `key`), Accept from `accept`. */
  post(path: string, body: unknown, options?: { accept?: string; key?: string | null; signal?: AbortSignal; raw?: string; headers?: Record<string, string> }): Promise<Response>;
  complete(body: unknown, options?: { accept?: string; key?: string | null; signal?: AbortSignal }): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<ServerOptions, 'config' | 'llm'>> {
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = new FakeGemini();
  const geminiUrl = await fake.start();
  const config = loadConfig({
    WORKER_API_KEYS: `${API_KEY},${OTHER_KEY}`,
    WORKER_ADMIN_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '6000',
    RATE_LIMIT_BURST: '1000',
    ...options.env,
  });
  // No retries: a test that scripts a failure wants to see it.
  const llm = new GeminiLLM({ apiKey: 'fake-gemini-key', baseUrl: geminiUrl, maxRetries: 0 });
  const { env: _env, ...serverOptions } = options;
  const app = await createServer({ config, llm, logger: pino({ level: 'silent' }), ...serverOptions });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const post: Harness['post'] = (path, body, postOptions = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...postOptions.headers };
    if (postOptions.accept !== undefined) headers.accept = postOptions.accept;
    const key = postOptions.key === undefined ? API_KEY : postOptions.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    return fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: postOptions.raw ?? JSON.stringify(body),
      signal: postOptions.signal,
    });
  };
  return {
    fake,
    app,
    config,
    baseUrl,
    post,
    complete: (body, completeOptions) => post('/api/v1/conversation/complete', body, completeOptions),
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

export interface StreamEvent {
  type: string;
  data: any;
}

/** Reads a JSONL body into events, checking every line is one JSON object. */
export async function readJsonl(response: Response): Promise<StreamEvent[]> {
  const text = await response.text();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error(`JSONL body does not end with a newline: ${JSON.stringify(text.slice(-40))}`);
  return lines.slice(0, -1).map((line) => JSON.parse(line) as StreamEvent);
}

/** Reads an SSE body (`event:`/`data:` blocks) into events. */
export async function readSse(response: Response): Promise<StreamEvent[]> {
  const text = await response.text();
  if (!text.endsWith('\n\n')) throw new Error('SSE body does not end with a blank line');
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const type = lines.find((line) => line.startsWith('event: '))!.slice('event: '.length);
      const data = JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice('data: '.length));
      return { type, data };
    });
}

export const types = (events: StreamEvent[]) => events.map((event) => event.type);
export const tokensOf = (events: StreamEvent[]) => events.filter((event) => event.type === 'token').map((event) => event.data.token as string).join('');

export const userTurn = (text: string) => ({ type: 'user', text });
/** The smallest valid body. */
export const minimal = (text = 'Hello') => ({ backstory: 'You are a test bot.', messages: [userTurn(text)] });
