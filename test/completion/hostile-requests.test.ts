/**
 * Requests an attacker with an ordinary API key can send, against the real `serve` process and
 * the Gemini fake: each is answered with a 400 that names the problem, and the node stays
 * healthy for everyone else.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FakeGemini } from '../../testing/gemini/index.js';
import { spawnWorker, type WorkerProcess } from '../worker/worker-process.js';

const KEY = 'hostile-key-1';
const OTHER_KEY = 'hostile-key-2';
const ADMIN_KEY = 'hostile-admin-key';

let fake: FakeGemini;
let node: WorkerProcess;

beforeAll(async () => {
  fake = new FakeGemini();
  const geminiUrl = await fake.start();
  node = await spawnWorker(
    {
      GOOGLE_API_KEY: 'fake-gemini-key',
      GOOGLE_GEMINI_BASE_URL: geminiUrl,
      WORKER_API_KEYS: `${KEY},${OTHER_KEY}`,
      WORKER_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_PER_MINUTE: '60000',
      RATE_LIMIT_BURST: '10000',
    },
    KEY,
  );
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

beforeEach(() => {
  fake.reset().script({ text: 'Fine.' });
});

function complete(body: unknown, options: { key?: string; accept?: string } = {}): Promise<Response> {
  return node.request('POST', '/api/v1/conversation/complete', {
    key: options.key ?? KEY,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(options.accept ? { accept: options.accept } : {}) },
  });
}

async function refusal(response: Response): Promise<{ status: number; code: string; message: string; path: string }> {
  const body = (await response.json()) as { error: { code: string; message: string; path: string } };
  return { status: response.status, ...body.error };
}

const ask = (extra: Record<string, unknown> = {}) => ({ backstory: 'You are terse.', messages: [{ type: 'user', text: 'Hi' }], ...extra });
const fn = (parameters: unknown, name = 'lookup') => ({ name, description: 'Looks something up.', parameters });

/**
 * JSON text nested `levels` deep around `inner`, built as text: JSON.stringify itself overflows
 * the stack on such values, which is the point of these tests.
 */
function nestedJson(levels: number, open: string, inner: string, close: string): string {
  return `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
}

const nestedSchema = (levels: number) => nestedJson(levels, '{"type":"object","properties":{"a":', '{"type":"string"}', '}}');
const nestedValue = (levels: number) => nestedJson(levels, '{"a":', '1', '}');

/** A body with `placeholder` in it replaced by raw JSON text. */
function withRaw(body: unknown, placeholder: string, raw: string): string {
  return JSON.stringify(body).replace(JSON.stringify(placeholder), raw);
}

/** The node answers promptly for everyone else: /health and an ordinary completion. */
async function expectHealthy(): Promise<void> {
  expect((await node.request('GET', '/health', { key: null })).status).toBe(200);
  const response = await complete(ask(), { key: OTHER_KEY });
  expect(await response.json()).toMatchObject({ text: 'Fine.', end: { reason: 'stop' } });
}

describe('function schemas from a request', () => {
  test('a schema $id belongs to its request: the same $id works again, and another key cannot $ref it', async () => {
    const withId = fn({ $id: 'https://example.com/schemas/secret', type: 'object', properties: { q: { type: 'string' } } });
    expect((await complete(ask({ functions: [withId] }))).status).toBe(200);
    expect((await complete(ask({ functions: [withId] }))).status).toBe(200);
    const byReference = fn({ type: 'object', properties: { q: { $ref: 'https://example.com/schemas/secret' } } });
    const refused = await refusal(await complete(ask({ functions: [byReference] }), { key: OTHER_KEY }));
    expect(refused).toMatchObject({ status: 400, code: 'INVALID_REQUEST', path: 'functions[0].parameters.properties.q.$ref' });
    expect(fake.requests).toHaveLength(2);
  });

  test('an 850 KB schema is refused with the bound it breaks, and the node stays responsive', async () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; properties && JSON.stringify(properties).length < 850_000; i++) {
      for (let j = 0; j < 500; j++) properties[`field_${i}_${j}`] = { type: 'string', description: 'a field of a very large schema' };
    }
    const [refused] = await Promise.all([refusal(await complete(ask({ functions: [fn({ type: 'object', properties })] }))), expectHealthy()]);
    expect(refused).toMatchObject({ status: 400, path: 'functions' });
    expect(refused.message).toContain('at most 262144 bytes');
    expect(fake.requests.filter((request) => request.body.tools)).toHaveLength(0);
  });

  test('one function over its own bound is refused naming it', async () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) properties[`field_${i}`] = { type: 'string', description: 'x'.repeat(100) };
    const refused = await refusal(await complete(ask({ functions: [fn({ type: 'object', properties })] })));
    expect(refused).toMatchObject({ status: 400, path: 'functions[0].parameters' });
    expect(refused.message).toContain('at most 32768 bytes');
  });

  test('a schema nested 5,000 levels deep is refused naming where', async () => {
    const refused = await refusal(await complete(withRaw(ask({ functions: [fn('SCHEMA')] }), 'SCHEMA', nestedSchema(5_000))));
    expect(refused.status).toBe(400);
    expect(refused.path).toMatch(/^functions\[0\]\.parameters\.properties\.a\.properties/);
    expect(refused.message).toContain('deeper than 64 levels');
    await expectHealthy();
  });
});

describe('privacy mode', () => {
  test('masks a body of 900 KB of digits and answers, while the node answers others', async () => {
    const [response] = await Promise.all([complete(ask({ privacy: true, messages: [{ type: 'user', text: '7'.repeat(900_000) }] })), expectHealthy()]);
    expect(await response.json()).toMatchObject({ text: 'Fine.', end: { reason: 'stop' } });
  });
});

describe('names a client chooses never reach what objects inherit', () => {
  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('the model option "%s" is a 400 naming it, on both routes', async (option) => {
    const stateless = await refusal(await complete(ask({ model: `gemini-2.5-flash/${option}=1` })));
    expect(stateless).toMatchObject({ status: 400, code: 'INVALID_REQUEST', path: 'model' });
    expect(stateless.message).toContain(`unknown model option "${option}"`);
    const stateful = await refusal(
      await node.request('POST', '/api/v1/conversation/options-probe/complete', {
        body: JSON.stringify({ text: 'Hi', model: `gemini-2.5-flash/${option}=1` }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(stateful).toMatchObject({ status: 400, path: 'model' });
    expect(stateful.message).toContain(`unknown model option "${option}"`);
  });

  test('an Accept header naming an inherited property is a 400', async () => {
    const refused = await refusal(await complete(ask(), { accept: 'constructor' }));
    expect(refused).toMatchObject({ status: 400, code: 'NOT_ACCEPTABLE', path: 'accept' });
  });
});

describe('values nested too deep', () => {
  const deepActivity = (args: unknown) => ({
    backstory: 'B.',
    messages: [
      { type: 'user', text: 'Hi' },
      { type: 'activity', text: '', meta: { activity: { type: 'request', function: { name: 'lookup', arguments: args } } } },
    ],
  });

  test.each([
    ['application/json', undefined],
    ['text/event-stream', 'text/event-stream'],
  ])('activity arguments nested 5,000 levels are a 400 naming the field (%s)', async (_mode, accept) => {
    const refused = await refusal(await complete(withRaw(deepActivity('ARGS'), 'ARGS', `{"a":${nestedValue(5_000)}}`), { accept }));
    expect(refused.status).toBe(400);
    expect(refused.path.startsWith('messages[1].meta.activity.function.arguments.a.a')).toBe(true);
    expect(refused.message).toContain('deeper than 64 levels');
  });

  test('arguments sent as a JSON string nested 5,000 levels are a 400 naming the field', async () => {
    const refused = await refusal(await complete(deepActivity(nestedValue(5_000))));
    expect(refused).toMatchObject({ status: 400, path: 'messages[1].meta.activity.function.arguments' });
    expect(refused.message).toContain('deeper than 64 levels');
    expect(fake.requests).toHaveLength(0);
    await expectHealthy();
  });
});

describe('stateful conversations', () => {
  const post = (id: string, body: unknown, key = KEY) =>
    node.request('POST', `/api/v1/conversation/${id}/complete`, { key, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const list = (id: string, key = KEY, query = '') => node.request('GET', `/api/v1/conversation/${id}/message/list${query}`, { key });

  test('belong to the key that created them: another key can neither list nor post into them', async () => {
    expect((await post('owned-by-key-1', { text: 'My secret plan' })).status).toBe(200);
    for (const attempt of [list('owned-by-key-1', OTHER_KEY), post('owned-by-key-1', { text: 'Me too', userId: 'alice' }, OTHER_KEY)]) {
      expect(await refusal(await attempt)).toMatchObject({ status: 404, code: 'NOT_FOUND', path: 'conversationId' });
    }
    // Indistinguishable from a conversation that does not exist.
    expect(await refusal(await list('never-created', OTHER_KEY))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const own = (await (await list('owned-by-key-1')).json()) as { items: Array<{ text: string }> };
    expect(own.items.map((item) => item.text)).toEqual(['My secret plan', 'Fine.']);
    // The trusted key reads every conversation.
    expect((await list('owned-by-key-1', ADMIN_KEY)).status).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });

  test('a message over the size bound is a 400 naming it; a full conversation is a 413 naming its bounds', async () => {
    const tooLong = await refusal(await post('bounded', { text: 'x'.repeat(32_001) }));
    expect(tooLong).toMatchObject({ status: 400, path: 'text' });
    expect(tooLong.message).toContain('at most 32000 characters');

    let full: Response | undefined;
    for (let i = 0; i < 40 && !full; i++) {
      const response = await post('bounded', { text: `${i} ${'y'.repeat(31_990)}` });
      if (response.status !== 200) full = response;
      else await response.text();
    }
    const refused = await refusal(full!);
    expect(refused).toMatchObject({ status: 413, code: 'CONTENT_TOO_LARGE', path: 'conversationId' });
    expect(refused.message).toContain('at most 1000 messages and 1000000 characters');
    // What it holds stays readable, a page at a time.
    const page = (await (await list('bounded', KEY, '?limit=5')).json()) as { items: unknown[]; next: string | null };
    expect(page.items).toHaveLength(5);
    expect(page.next).toEqual(expect.any(String));
  });
});
