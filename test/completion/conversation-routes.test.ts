/** Stateful completion on a Conversation, and its message list. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { API_KEY, readJsonl, startHarness, tokensOf, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { AGENT_INSTRUCTIONS: 'You are the call assistant.' } });
});
afterAll(() => harness.close());
beforeEach(() => harness.fake.reset());

const list = (id: string) => fetch(`${harness.baseUrl}/api/v1/conversation/${id}/message/list`, { headers: { authorization: `Bearer ${API_KEY}` } });

describe('POST /api/v1/conversation/{id}/complete', () => {
  test('appends to the conversation, answers from its history with the same events', async () => {
    harness.fake.script([{ text: 'Hello Ada.', chunks: 2 }, { text: 'You are Ada.' }]);
    const first = await readJsonl(await harness.post('/api/v1/conversation/call-1/complete', { text: 'I am Ada' }, { accept: 'application/jsonl' }));
    expect(first.map((event) => event.type)).toEqual(['sendResult', 'token', 'token', 'usage', 'receiveResult', 'result']);
    expect(tokensOf(first)).toBe('Hello Ada.');

    const second = await (await harness.post('/v1/conversation/call-1/complete', { text: 'Who am I?' })).json();
    expect(second).toEqual({ text: 'You are Ada.', usage: { token: expect.any(Number) }, end: { reason: 'stop' } });
    const contents = harness.fake.requests[1]!.body.contents;
    expect(contents.map((content: { role: string; parts: Array<{ text: string }> }) => [content.role, content.parts[0]!.text])).toEqual([
      ['user', 'I am Ada'],
      ['model', 'Hello Ada.'],
      ['user', 'Who am I?'],
    ]);
    expect(harness.fake.requests[1]!.body.systemInstruction.parts[0].text).toBe('You are the call assistant.');

    const items = (await (await list('call-1')).json()).items;
    expect(items.map((item: { type: string; text: string }) => [item.type, item.text])).toEqual([
      ['user', 'I am Ada'],
      ['bot', 'Hello Ada.'],
      ['user', 'Who am I?'],
      ['bot', 'You are Ada.'],
    ]);
    expect(items.every((item: { meta: { completed: boolean } }) => item.meta.completed)).toBe(true);
  });

  test('conversations are separate', async () => {
    harness.fake.script({ text: 'Hi.' });
    await (await harness.post('/api/v1/conversation/call-2/complete', { text: 'Only here' })).json();
    expect(harness.fake.requests[0]!.body.contents).toHaveLength(1);
    expect((await (await list('call-2')).json()).items).toHaveLength(2);
  });

  test('a second completion while one runs on the same conversation is a 409', async () => {
    harness.fake.script({ text: 'Long', hold: true });
    const client = new AbortController();
    const running = harness.post('/api/v1/conversation/call-3/complete', { text: 'first' }, { accept: 'application/jsonl', signal: client.signal });
    await harness.fake.waitFor(() => harness.fake.openStreams === 1);
    const conflict = await harness.post('/api/v1/conversation/call-3/complete', { text: 'second' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error.code).toBe('CONFLICT');
    client.abort();
    await running.then((response) => response.text()).catch(() => undefined);
    await harness.fake.waitFor(() => harness.fake.openStreams === 0);
  });

  test('bad input is refused before any model call', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['/api/v1/conversation/call-4/complete', {}, 400, 'text'],
      ['/api/v1/conversation/call-4/complete', { text: '' }, 400, 'text'],
      ['/api/v1/conversation/call-4/complete', { text: 'x', botId: 'nobody' }, 404, 'botId'],
      ['/api/v1/conversation/call-4/complete', { text: 'x', model: 'gpt-4o' }, 400, 'model'],
      ['/api/v1/conversation/bad%20id!/complete', { text: 'x' }, 400, 'conversationId'],
    ];
    for (const [path, body, status, field] of cases) {
      const response = await harness.post(path, body);
      expect(response.status).toBe(status);
      expect((await response.json()).error.path).toBe(field);
    }
    expect(harness.fake.requests).toHaveLength(0);
  });

  test('listing an unknown conversation is a 404; listing needs a key', async () => {
    expect((await list('never-used')).status).toBe(404);
    expect((await fetch(`${harness.baseUrl}/api/v1/conversation/call-1/message/list`)).status).toBe(401);
  });
});

describe('GET /api/v1/conversation/{id}/message/list pages', () => {
  test('the newest page first, in order, with a cursor to the page before', async () => {
    harness.fake.script((_request, index) => ({ text: `reply ${index}` }));
    for (let i = 0; i < 3; i++) await (await harness.post('/api/v1/conversation/paged/complete', { text: `message ${i}` })).text();
    const page = async (query: string) => (await (await fetch(`${harness.baseUrl}/api/v1/conversation/paged/message/list${query}`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as { items: Array<{ id: string; text: string }>; next: string | null };
    const newest = await page('?limit=4');
    expect(newest.items.map((item) => item.text)).toEqual(['message 1', 'reply 1', 'message 2', 'reply 2']);
    const older = await page(`?limit=4&before=${newest.next}`);
    expect(older.items.map((item) => item.text)).toEqual(['message 0', 'reply 0']);
    expect(older.next).toBeNull();
    expect((await page('')).items).toHaveLength(6);
  });

  test('a bad limit or an unknown cursor is a 400 naming it', async () => {
    for (const [query, field] of [['?limit=0', 'limit'], ['?limit=201', 'limit'], ['?limit=abc', 'limit'], ['?before=nope', 'before']] as const) {
      const response = await fetch(`${harness.baseUrl}/api/v1/conversation/call-1/message/list${query}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(response.status).toBe(400);
      expect((await response.json()).error.path).toBe(field);
    }
  });
});
