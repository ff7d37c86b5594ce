/**
 * Every request field, end to end: what reaches Gemini (recorded by the fake) and what the
 * client gets back.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ContactStore } from '../../src/completion/contacts.js';
import { keyIdOf } from '../../src/http/api-keys.js';
import { ADMIN_KEY, API_KEY, minimal, readJsonl, startHarness, tokensOf, types, userTurn, type Harness } from './harness.js';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
let files: Server;
let filesOrigin: string;
let harness: Harness;
const store = new MemoryStore();

beforeAll(async () => {
  files = createServer((req, res) => {
    if (req.url === '/notes.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('The meeting moved to Friday. Call ada@example.com.');
    if (req.url === '/photo.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    res.writeHead(500).end();
  });
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  harness = await startHarness({
    store,
    // No public server exists here: this server may fetch attachments from loopback.
    attachments: { isAddressAllowed: (address) => address === '127.0.0.1' },
    bots: {
      bots: [
        {
          id: 'concierge',
          instructions: 'You are the hotel concierge.',
          model: 'gemini-2.5-pro/temperature=0.1',
          datasetId: 'hotel',
          skillsetId: 'concierge-skills',
          tools: [{ name: 'room_status', description: 'Room status.', parameters: { type: 'object', properties: {} }, execute: () => ({ free: 3 }) }],
        },
      ],
      datasets: [
        {
          id: 'hotel',
          records: [
            { text: 'Breakfast is served from 7 to 10 in the garden room.' },
            { text: 'The pool is on the roof and opens at 8.' },
            { text: 'Parking costs 20 euros a day.' },
          ],
        },
      ],
      skillsets: [{ id: 'concierge-skills', abilities: [{ name: 'book_taxi', description: 'Book a taxi.', instruction: 'Confirm the pickup time.' }] }],
    },
  });
});
afterAll(async () => {
  await harness.close();
  await store.close();
  files.closeAllConnections();
  await new Promise((resolve) => files.close(resolve));
});
beforeEach(() => {
  harness.fake.reset().script({ text: 'Certainly.' });
});

const lastGeminiRequest = () => harness.fake.requests.at(-1)!.body;
const systemText = () => (lastGeminiRequest().systemInstruction?.parts ?? []).map((part: { text: string }) => part.text).join('\n');
const json = async (body: unknown, key?: string) => {
  const response = await harness.complete(body, key === undefined ? {} : { key });
  expect(response.status).toBe(200);
  return response.json();
};

describe('bots, backstory and model', () => {
  test('botId brings the bot instructions, model, options, dataset, skillset and tools', async () => {
    await json({ botId: 'concierge', messages: [userTurn('When is breakfast?')] });
    const request = harness.fake.requests.at(-1)!;
    expect(request.model).toBe('gemini-2.5-pro');
    expect(request.body.generationConfig.temperature).toBe(0.1);
    const system = systemText();
    expect(system).toContain('You are the hotel concierge.');
    expect(system).toContain('book_taxi: Book a taxi.');
    expect(system).toContain('Breakfast is served from 7 to 10');
    expect(system).not.toContain('Parking costs');
    expect(JSON.stringify(request.body.tools)).toContain('room_status');
  });

  test('backstory replaces the bot instructions; model options reach the generation config', async () => {
    await json({ botId: 'concierge', backstory: 'You are a pirate.', model: 'gemini-2.5-flash/maxTokens=64/topP=0.5/topK=7', messages: [userTurn('Hi')] });
    const request = harness.fake.requests.at(-1)!;
    expect(request.model).toBe('gemini-2.5-flash');
    expect(request.body.generationConfig).toMatchObject({ maxOutputTokens: 64, topP: 0.5, topK: 7 });
    expect(systemText()).toContain('You are a pirate.');
    expect(systemText()).not.toContain('hotel concierge');
  });

  test('every message type reaches the model by its rule', async () => {
    await json({
      backstory: 'Base.',
      messages: [
        { type: 'backstory', text: 'Extra backstory.' },
        { type: 'user', text: 'old' },
        { type: 'checkpoint', text: 'We discussed trains.' },
        { type: 'context', text: 'Today is Monday.' },
        { type: 'instruction', text: 'Answer in French.' },
        { type: 'user', text: 'Hello' },
        { type: 'reasoning', text: 'secret thoughts' },
        { type: 'bot', text: 'Bonjour' },
        { type: 'user', text: 'Ça va?' },
      ],
    });
    const system = systemText();
    for (const part of ['Base.', 'Extra backstory.', 'Today is Monday.', 'Answer in French.', 'We discussed trains.']) expect(system).toContain(part);
    const contents = lastGeminiRequest().contents;
    expect(contents.map((content: { role: string; parts: Array<{ text: string }> }) => [content.role, content.parts[0]!.text])).toEqual([
      ['user', 'Hello'],
      ['model', 'Bonjour'],
      ['user', 'Ça va?'],
    ]);
    expect(JSON.stringify(lastGeminiRequest())).not.toContain('secret thoughts');
  });

  test('the text shorthand is one user message', async () => {
    await json({ backstory: 'Base.', text: 'Just this' });
    expect(lastGeminiRequest().contents).toEqual([{ role: 'user', parts: [{ text: 'Just this' }] }]);
  });
});

describe('datasets, skillsets and extensions', () => {
  const extensions = {
    backstory: 'Trusted extra backstory.',
    datasets: [{ records: [{ text: 'The secret password is swordfish.' }, { text: 'Cats sleep a lot.' }] }],
    skillsets: [{ abilities: [{ name: 'sing', description: 'Sing a song.', instruction: 'Rhyme.' }] }],
  };

  test('datasetId and skillsetId by id', async () => {
    await json({ backstory: 'B.', datasetId: 'hotel', skillsetId: 'concierge-skills', messages: [userTurn('Is there a pool on the roof?')] });
    expect(systemText()).toContain('The pool is on the roof');
    expect(systemText()).toContain('book_taxi');
  });

  test('extensions are honoured for the trusted key', async () => {
    await json({ backstory: 'B.', extensions, messages: [userTurn('What is the secret password?')] }, ADMIN_KEY);
    const system = systemText();
    expect(system).toContain('Trusted extra backstory.');
    expect(system).toContain('swordfish');
    expect(system).toContain('sing: Sing a song.');
    expect(system).not.toContain('Cats sleep');
  });

  test('extensions are silently ignored for other keys, even malformed ones', async () => {
    await json({ backstory: 'B.', extensions, messages: [userTurn('What is the secret password?')] }, API_KEY);
    const system = systemText();
    expect(system).not.toContain('swordfish');
    expect(system).not.toContain('Trusted extra backstory.');
    expect(system).not.toContain('sing');
    await json({ backstory: 'B.', extensions: { datasets: 'not a list' }, messages: [userTurn('Hi')] }, API_KEY);
  });
});

describe('privacy and moderation', () => {
  test('privacy masks PII before the model sees it; sendResult reports the entities', async () => {
    harness.fake.script({ text: 'I will write to [EMAIL_1].' });
    const response = await harness.complete(
      {
        backstory: 'B.',
        privacy: true,
        messages: [userTurn('My card is 4111 1111 1111 1111'), { type: 'bot', text: 'Noted.' }, userTurn('Mail me at ada@example.com or +44 20 7946 0958')],
      },
      { accept: 'application/jsonl' },
    );
    const events = await readJsonl(response);
    const sent = JSON.stringify(lastGeminiRequest());
    for (const secret of ['4111', 'ada@example.com', '7946']) expect(sent).not.toContain(secret);
    expect(sent).toContain('[CARD_1]');
    expect(sent).toContain('Mail me at [EMAIL_1] or [PHONE_1]');
    expect(systemText()).toMatch(/placeholders/);
    expect(events[0]).toEqual({
      type: 'sendResult',
      data: {
        text: 'Mail me at [EMAIL_1] or [PHONE_1]',
        usage: { token: 9 },
        entities: [
          { type: 'email', begin: 11, end: 26, text: 'ada@example.com', replacement: { begin: 11, end: 20, text: '[EMAIL_1]' } },
          { type: 'phone', begin: 30, end: 46, text: '+44 20 7946 0958', replacement: { begin: 24, end: 33, text: '[PHONE_1]' } },
        ],
      },
    });
    // The reply holds placeholders, never the unmasked values.
    expect(events.at(-1)!.data.text).toBe('I will write to [EMAIL_1].');
  });

  test('moderation asks Gemini for its strictest safety settings', async () => {
    await json({ ...minimal(), moderation: true });
    const settings = lastGeminiRequest().safetySettings as Array<{ threshold: string }>;
    expect(settings.length).toBeGreaterThanOrEqual(4);
    expect(settings.every((setting) => setting.threshold === 'BLOCK_LOW_AND_ABOVE')).toBe(true);
  });

  test('flagged input ends the turn with a clear error event', async () => {
    harness.fake.script({ blockReason: 'SAFETY' });
    const events = await readJsonl(await harness.complete({ ...minimal('something nasty'), moderation: true }, { accept: 'application/jsonl' }));
    expect(types(events)).toEqual(['sendResult', 'usage', 'error']);
    expect(events.at(-1)!.data.code).toBe('MODERATION_FLAGGED');
    const response = await harness.complete({ ...minimal('something nasty'), moderation: true });
    expect(response.status).toBe(422);
    expect((await response.json()).error.code).toBe('MODERATION_FLAGGED');
  });

  test('flagged output stops the reply with the error event', async () => {
    harness.fake.script({ pieces: ['Here is', ' how'], finishReason: 'SAFETY' });
    const events = await readJsonl(await harness.complete({ ...minimal(), moderation: true }, { accept: 'application/jsonl' }));
    expect(events.at(-1)).toMatchObject({ type: 'error', data: { code: 'MODERATION_FLAGGED' } });
    expect(types(events)).not.toContain('result');
  });
});

describe('attachments', () => {
  test('text is inlined and images go as inline data, in the last user turn', async () => {
    await json({ ...minimal('Summarise these'), attachments: [{ url: `${filesOrigin}/notes.txt` }, { url: `${filesOrigin}/photo.png` }] });
    const parts = lastGeminiRequest().contents.at(-1).parts;
    expect(parts[0]).toEqual({ text: 'Summarise these' });
    expect(parts[1].text).toContain('The meeting moved to Friday.');
    expect(parts[1].text).toContain(`${filesOrigin}/notes.txt`);
    expect(parts[2]).toEqual({ inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } });
  });

  test('privacy masks attachment text too', async () => {
    await json({ ...minimal('Read this'), privacy: true, attachments: [{ url: `${filesOrigin}/notes.txt` }] });
    const sent = JSON.stringify(lastGeminiRequest());
    expect(sent).not.toContain('ada@example.com');
    expect(sent).toContain('[EMAIL_1]');
  });

  test('a failing attachment is a 400 naming the URL, before any model call', async () => {
    const before = harness.fake.requests.length;
    const response = await harness.complete({ ...minimal(), attachments: [{ url: `${filesOrigin}/notes.txt` }, { url: `${filesOrigin}/broken` }] });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toMatchObject({ code: 'ATTACHMENT_FAILED', path: 'attachments[1].url' });
    expect(body.error.message).toContain(`${filesOrigin}/broken`);
    expect(harness.fake.requests.length).toBe(before);
  });

  test('private addresses are refused (SSRF) with the URL named', async () => {
    const response = await harness.complete({ ...minimal(), attachments: [{ url: 'http://169.254.169.254/latest/meta-data/' }] });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'ATTACHMENT_REFUSED', path: 'attachments[0].url' });
  });
});

describe('contacts', () => {
  test('a contact id resolves to a stable contact that counts requests, messages and tokens', async () => {
    harness.fake.script({ text: 'Hi!', usage: { promptTokenCount: 10, candidatesTokenCount: 2 } });
    await json({ ...minimal(), contactId: 'customer-42' });
    await json({ ...minimal(), contactId: { fingerprint: 'customer-42', name: 'Ada', email: 'ada@example.com' } });
    const contacts = new ContactStore(store);
    const id = ContactStore.idFor(keyIdOf(API_KEY), 'customer-42');
    expect(await contacts.get(id)).toMatchObject({ id, fingerprint: 'customer-42', name: 'Ada', email: 'ada@example.com' });
    expect(await contacts.usage(id)).toEqual({ requests: 2, messages: 4, tokens: 24 });
    // Another key naming the same fingerprint has its own contact.
    expect(ContactStore.idFor(keyIdOf(ADMIN_KEY), 'customer-42')).not.toBe(id);
  });
});

describe('limits', () => {
  test('iterations bounds the rounds of server-run functions: end.reason iteration', async () => {
    harness.fake.script({ functionCalls: [{ name: 'room_status' }] });
    const events = await readJsonl(await harness.complete({ botId: 'concierge', messages: [userTurn('Rooms?')], limits: { iterations: 1 } }, { accept: 'application/jsonl' }));
    expect(harness.fake.requests).toHaveLength(2);
    expect(events.at(-1)!.data.end.reason).toBe('iteration');
  });

  test('calls bounds the function executions across the turn', async () => {
    harness.fake.script([{ functionCalls: [{ name: 'room_status' }, { name: 'room_status' }] }, { text: 'Done.' }]);
    const events = await readJsonl(await harness.complete({ botId: 'concierge', messages: [userTurn('Rooms?')], limits: { calls: 1 } }, { accept: 'application/jsonl' }));
    const responses = events.filter((event) => event.type === 'message' && event.data.meta.activity.type === 'response');
    expect(responses.map((event) => event.data.meta.activity.function.result)).toEqual([
      { free: 3 },
      { error: expect.stringMatching(/limit of 1 function calls/) },
    ]);
    expect(events.at(-1)!.data).toMatchObject({ text: 'Done.', end: { reason: 'stop' } });
  });

  test('continuations let a reply cut by the token limit go on', async () => {
    harness.fake.script([{ text: 'First half', finishReason: 'MAX_TOKENS' }, { text: ' and second half.' }]);
    const events = await readJsonl(await harness.complete({ ...minimal(), limits: { continuations: 1 } }, { accept: 'application/jsonl' }));
    expect(tokensOf(events)).toBe('First half and second half.');
    expect(events.at(-1)!.data).toMatchObject({ text: 'First half and second half.', end: { reason: 'stop' } });
    const second = harness.fake.requests[1]!.body.contents;
    expect(second.at(-2)).toEqual({ role: 'model', parts: [{ text: 'First half' }] });
    expect(second.at(-1).parts[0].text).toMatch(/Continue/);
  });

  test('without continuations the cut reply ends with end.reason length', async () => {
    harness.fake.script({ text: 'Cut', finishReason: 'MAX_TOKENS' });
    const body = await json(minimal());
    expect(body.end.reason).toBe('length');
    expect(harness.fake.requests).toHaveLength(1);
  });
});
