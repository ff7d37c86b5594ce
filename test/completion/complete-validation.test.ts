/**
 * Every client mistake is a 4xx with a JSON body naming the field, answered before any model
 * call: the fake Gemini must see no request at all.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_KEY, API_KEY, minimal, startHarness, type Harness } from './harness.js';

let harness: Harness;
let app: FastifyInstance;

beforeAll(async () => {
  harness = await startHarness({
    bots: { bots: [{ id: 'helper', instructions: 'Help.', tools: [{ name: 'lookup', description: 'Looks up.', parameters: { type: 'object', properties: {} }, execute: () => 1 }] }] },
  });
  app = harness.app;
});
afterAll(() => harness.close());

const inject = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/conversation/complete',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const user = { type: 'user', text: 'Hi' };
const withBase = (fields: Record<string, unknown>) => ({ backstory: 'Test.', messages: [user], ...fields });
const fn = (fields: Record<string, unknown> = {}) => ({
  name: 'get_weather',
  description: 'Weather for a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  ...fields,
});
const activity = (value: unknown) => ({ type: 'activity', text: '', meta: { activity: value } });

const MALFORMED: Array<[string, unknown, string]> = [
  ['an array body', [user], 'body'],
  ['a string body', '"hello"', 'body'],
  ['a null body', 'null', 'body'],
  ['no messages', { backstory: 'Test.' }, 'messages'],
  ['empty messages', withBase({ messages: [] }), 'messages'],
  ['messages not an array', withBase({ messages: 'hi' }), 'messages'],
  ['a message that is not an object', withBase({ messages: ['hi'] }), 'messages[0]'],
  ['an unknown message type', withBase({ messages: [user, user, { type: 'system', text: 'x' }] }), 'messages[2].type'],
  ['a message without text', withBase({ messages: [{ type: 'user' }] }), 'messages[0].text'],
  ['a numeric text', withBase({ messages: [{ type: 'user', text: 42 }] }), 'messages[0].text'],
  ['meta not an object', withBase({ messages: [{ type: 'user', text: 'x', meta: 'm' }] }), 'messages[0].meta'],
  ['an activity without meta.activity', withBase({ messages: [{ type: 'activity', text: 'x' }] }), 'messages[0].meta.activity'],
  ['an activity of unknown type', withBase({ messages: [activity({ type: 'call', function: { name: 'f' } })] }), 'messages[0].meta.activity.type'],
  ['an activity without a function name', withBase({ messages: [activity({ type: 'request', function: {} })] }), 'messages[0].meta.activity.function.name'],
  ['only system messages', withBase({ messages: [{ type: 'context', text: 'x' }, { type: 'reasoning', text: 'y' }] }), 'messages'],
  ['neither botId nor backstory', { messages: [user] }, 'botId'],
  ['botId not a string', withBase({ botId: 7 }), 'botId'],
  ['an empty botId', withBase({ botId: '  ' }), 'botId'],
  ['backstory not a string', { messages: [user], backstory: ['x'] }, 'backstory'],
  ['model not a string', withBase({ model: { name: 'gemini-2.5-flash' } }), 'model'],
  ['an unknown model', withBase({ model: 'gpt-4o' }), 'model'],
  ['an unknown model option', withBase({ model: 'gemini-2.5-flash/frequencyPenalty=1' }), 'model'],
  ['a model option out of range', withBase({ model: 'gemini-2.5-flash/temperature=9' }), 'model'],
  ['privacy not a boolean', withBase({ privacy: 'yes' }), 'privacy'],
  ['moderation not a boolean', withBase({ moderation: 1 }), 'moderation'],
  ['attachments not an array', withBase({ attachments: { url: 'https://example.com/a.txt' } }), 'attachments'],
  ['an attachment without url', withBase({ attachments: [{}] }), 'attachments[0].url'],
  ['a non-http attachment', withBase({ attachments: [{ url: 'file:///etc/passwd' }] }), 'attachments[0].url'],
  ['a relative attachment URL', withBase({ attachments: [{ url: '/etc/passwd' }] }), 'attachments[0].url'],
  ['too many attachments', withBase({ attachments: Array.from({ length: 11 }, () => ({ url: 'https://example.com/a' })) }), 'attachments'],
  ['contactId a number', withBase({ contactId: 12 }), 'contactId'],
  ['contactId without fingerprint', withBase({ contactId: { name: 'Ada' } }), 'contactId'],
  ['functions not an array', withBase({ functions: fn() }), 'functions'],
  ['a function name starting with _', withBase({ functions: [fn({ name: '_hidden' })] }), 'functions[0].name'],
  ['a function name with a dash', withBase({ functions: [fn({ name: 'get-weather' })] }), 'functions[0].name'],
  ['a function name over 64 characters', withBase({ functions: [fn({ name: `f${'x'.repeat(64)}` })] }), 'functions[0].name'],
  ['duplicate function names', withBase({ functions: [fn(), fn()] }), 'functions[1].name'],
  ['a function without description', withBase({ functions: [fn({ description: undefined })] }), 'functions[0].description'],
  ['parameters not an object schema', withBase({ functions: [fn({ parameters: { type: 'string' } })] }), 'functions[0].parameters.type'],
  ['parameters without properties', withBase({ functions: [fn({ parameters: { type: 'object' } })] }), 'functions[0].parameters.properties'],
  ['parameters that do not compile', withBase({ functions: [fn({ parameters: { type: 'object', properties: { a: { type: 'nonsense' } } } })] }), 'functions[0].parameters'],
  ['a result that is neither data nor channel', withBase({ functions: [fn({ result: { value: 1 } })] }), 'functions[0].result'],
  ['a function named like a bot tool', { botId: 'helper', messages: [user], functions: [fn({ name: 'lookup' })] }, 'functions[0].name'],
  ['limits.iterations of 0', withBase({ limits: { iterations: 0 } }), 'limits.iterations'],
  ['limits.calls not an integer', withBase({ limits: { calls: 1.5 } }), 'limits.calls'],
  ['limits.continuations a string', withBase({ limits: { continuations: '2' } }), 'limits.continuations'],
];

/** Extensions are read only from the trusted key, so only its malformed extensions are refused. */
const MALFORMED_EXTENSIONS: Array<[string, unknown, string]> = [
  ['extensions not an object', withBase({ extensions: 'all' }), 'extensions'],
  ['extensions.datasets records missing', withBase({ extensions: { datasets: [{ name: 'x' }] } }), 'extensions.datasets[0].records'],
  ['extensions.skillsets ability without instruction', withBase({ extensions: { skillsets: [{ abilities: [{ name: 'a', description: 'b' }] }] } }), 'extensions.skillsets[0].abilities[0].instruction'],
];

describe('malformed bodies are 400s naming the field, before any model call', () => {
  test.each(MALFORMED)('%s', async (_name, body, path) => {
    const response = await inject(body);
    expect(response.statusCode).toBe(400);
    const json = response.json();
    expect(json.error.path).toBe(path);
    expect(json.error.code).toBe('INVALID_REQUEST');
    expect(json.error.message.length).toBeGreaterThan(5);
    // Protocol clients read code and message at the top level.
    expect(json.code).toBe('INVALID_REQUEST');
  });

  test.each(MALFORMED_EXTENSIONS)('%s (trusted key)', async (_name, body, path) => {
    const response = await inject(body, { authorization: `Bearer ${ADMIN_KEY}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_REQUEST', path });
  });

  test('there are at least 30 of them and none reached the model', () => {
    expect(MALFORMED.length + MALFORMED_EXTENSIONS.length).toBeGreaterThanOrEqual(30);
    expect(harness.fake.requests).toHaveLength(0);
  });
});

describe('transport-level mistakes', () => {
  test('malformed JSON is a 400', async () => {
    const response = await inject('{"messages": [');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_JSON', path: 'body' });
  });

  test('a prototype-poisoning body is a 400', async () => {
    const response = await inject('{"backstory":"x","messages":[{"type":"user","text":"x"}],"__proto__":{"admin":true}}');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_JSON');
  });

  test('an empty body is a 400', async () => {
    const response = await inject('');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_JSON');
  });

  test('a body over 1 MB is a 413', async () => {
    const response = await inject(withBase({ messages: [{ type: 'user', text: 'x'.repeat(1024 * 1024) }] }));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('CONTENT_TOO_LARGE');
  });

  test('a body that is not JSON is a 415', async () => {
    const response = await inject('messages=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  test('an Accept the protocol does not offer is a 400', async () => {
    const response = await inject(minimal(), { accept: 'text/html' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'NOT_ACCEPTABLE', path: 'accept' });
  });

  test('unknown bot, dataset and skillset ids are 404s naming the field', async () => {
    for (const [field, value] of [['botId', 'nobody'], ['datasetId', 'none'], ['skillsetId', 'none']] as const) {
      const response = await inject(withBase({ [field]: value }));
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toMatchObject({ code: 'NOT_FOUND', path: field });
    }
  });

  test('an unknown route is a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nothing', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });

  test('still no model call', () => {
    expect(harness.fake.requests).toHaveLength(0);
  });
});
