/** Auth, rate limits, CORS, disconnects, deadlines and internal errors, over real sockets. */
import { afterEach, describe, expect, test } from 'vitest';
import { ADMIN_KEY, API_KEY, minimal, OTHER_KEY, readJsonl, startHarness, tokensOf, type Harness } from './harness.js';

const open: Harness[] = [];
const start = async (...args: Parameters<typeof startHarness>) => {
  const harness = await startHarness(...args);
  open.push(harness);
  return harness;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((harness) => harness.close()));
});

/** Reads a JSONL stream until `predicate` matches an event. */
async function readUntil(body: ReadableStream<Uint8Array>, predicate: (event: { type: string; data: any }) => boolean) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended first');
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (predicate(JSON.parse(line))) return reader;
  }
}

describe('health and auth', () => {
  test('GET /health answers 200 without a key', async () => {
    const harness = await start();
    const response = await fetch(`${harness.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('a missing, malformed or unknown key is a 401; every configured key works', async () => {
    const harness = await start();
    for (const key of [null, 'wrong-key', `${API_KEY}x`]) {
      const response = await harness.complete(minimal(), { key });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect((await response.json()).error.code).toBe('NOT_AUTHENTICATED');
    }
    const basic = await harness.post('/api/v1/conversation/complete', minimal(), { key: null, headers: { authorization: `Basic ${btoa('a:b')}` } });
    expect(basic.status).toBe(401);
    for (const key of [API_KEY, OTHER_KEY, ADMIN_KEY]) expect((await harness.complete(minimal(), { key })).status).toBe(200);
    expect(harness.fake.requests).toHaveLength(3);
  });

  test('with no keys configured every request is refused', async () => {
    const harness = await start({ env: { WORKER_API_KEYS: '', WORKER_ADMIN_KEY: '' } });
    const response = await harness.complete(minimal(), { key: 'anything' });
    expect(response.status).toBe(401);
    expect((await response.json()).error.message).toMatch(/WORKER_API_KEYS/);
  });
});

describe('rate limit', () => {
  test('a key past its burst gets 429 with Retry-After; other keys are not affected', async () => {
    const harness = await start({ env: { RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_MINUTE: '1' } });
    expect((await harness.complete(minimal())).status).toBe(200);
    expect((await harness.complete(minimal())).status).toBe(200);
    const limited = await harness.complete(minimal());
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited.json()).error.code).toBe('TOO_MANY_REQUESTS');
    expect((await harness.complete(minimal(), { key: OTHER_KEY })).status).toBe(200);
    expect(harness.fake.requests).toHaveLength(3);
  });
});

describe('CORS', () => {
  test('closed by default', async () => {
    const harness = await start();
    const response = await fetch(`${harness.baseUrl}/health`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('configured origins are allowed, on streamed answers too', async () => {
    const harness = await start({ env: { CORS_ORIGINS: 'https://app.example' } });
    const preflight = await fetch(`${harness.baseUrl}/api/v1/conversation/complete`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const withOrigin = await harness.post('/api/v1/conversation/complete', minimal(), { accept: 'application/jsonl', headers: { origin: 'https://app.example' } });
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(withOrigin.headers.get('access-control-expose-headers')).toContain('x-request-id');
    await withOrigin.text();
  });
});

describe('cancellation and deadlines', () => {
  test('a client that disconnects aborts the Gemini stream at once', async () => {
    const harness = await start();
    harness.fake.script({ text: 'Thinking about it', hold: true });
    const client = new AbortController();
    const response = await harness.complete(minimal(), { accept: 'application/jsonl', signal: client.signal });
    const reader = await readUntil(response.body!, (event) => event.type === 'token');
    expect(harness.fake.openStreams).toBe(1);
    client.abort();
    await reader.cancel().catch(() => undefined);
    await harness.fake.waitFor(() => harness.fake.openStreams === 0);
    expect(harness.fake.openStreams).toBe(0);
  });

  test('a JSON-mode client that disconnects aborts too', async () => {
    const harness = await start();
    harness.fake.script({ text: 'Never finished', hold: true });
    const client = new AbortController();
    const pending = harness.complete(minimal(), { signal: client.signal }).catch((error: unknown) => error);
    await harness.fake.waitFor(() => harness.fake.openStreams === 1);
    client.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    // The fake holds the model's stream open until its client goes: only the server's abort closes it.
    await harness.fake.waitFor(() => harness.fake.openStreams === 0);
    expect(harness.fake.openStreams).toBe(0);
    expect(harness.fake.requests).toHaveLength(1);
  });

  test('a request past its deadline ends with end.reason abort and the text so far', async () => {
    const harness = await start({ env: { COMPLETE_TIMEOUT_MS: '1000' } });
    harness.fake.script({ text: 'Partial answer', hold: true });
    const events = await readJsonl(await harness.complete(minimal(), { accept: 'application/jsonl' }));
    expect(tokensOf(events)).toBe('Partial answer');
    expect(events.at(-1)).toEqual({ type: 'result', data: { text: 'Partial answer', usage: { token: 0 }, end: { reason: 'abort' } } });
    await harness.fake.waitFor(() => harness.fake.openStreams === 0);
    const json = await (await harness.complete(minimal())).json();
    expect(json.end.reason).toBe('abort');
  });
});

describe('shutdown', () => {
  test('closing the server ends streams in flight with end.reason abort, then closes', async () => {
    const harness = await startHarness();
    harness.fake.script({ text: 'Still talking', hold: true });
    const response = await harness.complete(minimal(), { accept: 'application/jsonl' });
    const reader = await readUntil(response.body!, (event) => event.type === 'token');
    await harness.app.close();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    const last = JSON.parse(rest.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'result', data: { text: 'Still talking', end: { reason: 'abort' } } });
    await harness.fake.waitFor(() => harness.fake.openStreams === 0);
    await harness.fake.close();
  });
});

describe('internal errors are masked', () => {
  test('a Gemini failure is GENERIC_ERROR in the stream, with the request id and no provider detail', async () => {
    const harness = await start();
    harness.fake.failFirst(1, { status: 500, message: 'backend exploded at shard 7' });
    const response = await harness.complete(minimal(), { accept: 'application/jsonl' });
    expect(response.status).toBe(200);
    const events = await readJsonl(response);
    const error = events.at(-1)!;
    expect(error.type).toBe('error');
    expect(error.data.code).toBe('GENERIC_ERROR');
    expect(error.data.message).toContain(response.headers.get('x-request-id')!);
    expect(JSON.stringify(events)).not.toContain('shard 7');
  });

  test('a failure mid-answer keeps the tokens sent and ends with the error', async () => {
    const harness = await start();
    harness.fake.script({ text: 'Half', streamError: { status: 500, message: 'oops inside' } });
    const events = await readJsonl(await harness.complete(minimal(), { accept: 'application/jsonl' }));
    expect(tokensOf(events)).toBe('Half');
    expect(events.at(-1)!.data.code).toBe('GENERIC_ERROR');
  });

  test('in JSON mode it is a 500 with the masked body', async () => {
    const harness = await start();
    harness.fake.failFirst(1, { status: 503 });
    const response = await harness.complete(minimal());
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe('GENERIC_ERROR');
  });
});
