/** Stateful completion with Stream credentials: the conversation is the chat channel of its id. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeStreamApi, startFakeStreamApi } from '../../testing/stream-api/index.js';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;
let api: FakeStreamApi;
let stream: { url: string; close(): Promise<void> };
beforeAll(async () => {
  api = new FakeStreamApi({ apiKey: 'chat-key', apiSecret: 'chat-secret' });
  stream = await startFakeStreamApi(api);
  harness = await startHarness({
    env: { STREAM_API_KEY: 'chat-key', STREAM_API_SECRET: 'chat-secret', STREAM_BASE_URL: stream.url, AGENT_USER_ID: 'helper-bot' },
  });
});
afterAll(async () => {
  await harness.close();
  await stream.close();
});

describe('POST /api/v1/conversation/{id}/complete on Stream Chat', () => {
  test('writes both turns to the channel of that id, creating the authors it needs', async () => {
    harness.fake.script({ text: 'Hello from the bot.', chunks: 3 });
    const response = await harness.post('/api/v1/conversation/support-42/complete', { text: 'Hi there' });
    expect(await response.json()).toMatchObject({ text: 'Hello from the bot.', end: { reason: 'stop' } });
    await expect.poll(() => api.transcript('messaging:support-42').map(({ userId, text, generating }) => ({ userId, text, generating }))).toEqual([
      { userId: 'user', text: 'Hi there', generating: false },
      { userId: 'helper-bot', text: 'Hello from the bot.', generating: false },
    ]);
    expect(api.channels.get('messaging:support-42')?.createdById).toBe('helper-bot');
  });
});
