import { StreamClient } from '@stream-io/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationEvents } from '../../src/conversation/index.js';
import { splitIntoChunks, StreamConversation } from '../../src/conversation/stream/index.js';
import { FakeStreamApi, startFakeStreamApi } from '../../testing/stream-api/index.js';
import { waitUntil } from '../support/wait.js';
import { markdownReply, shuffled, splitText } from './text.js';

const CID = 'messaging:call-1';
let api: FakeStreamApi;
let server: { url: string; close(): Promise<void> };
let open: StreamConversation[] = [];

beforeEach(async () => {
  api = new FakeStreamApi({ apiKey: 'key', apiSecret: 'secret', seed: 7 });
  // Stream needs authors and members to be users of the app (call participants always are).
  for (const id of ['agent', 'demo-user', 'alice', 'bob', ...Array.from({ length: 6 }, (_, turn) => `user-${turn}`)]) api.addUser(id);
  server = await startFakeStreamApi(api);
  open = [];
});

afterEach(async () => {
  await Promise.all(open.map((conversation) => conversation.close()));
  await server.close();
});

function conversation(options: Partial<ConstructorParameters<typeof StreamConversation>[0]> = {}, timeoutMs = 2000) {
  const client = new StreamClient('key', 'secret', { basePath: server.url, timeout: timeoutMs });
  const created = new StreamConversation({
    client,
    channelId: 'call-1',
    agentUserId: 'agent',
    members: ['demo-user'],
    minUpdateIntervalMs: 20,
    backoffBaseMs: 10,
    backoffMaxMs: 200,
    ...options,
  });
  open.push(created);
  return created;
}

function stream(target: StreamConversation, id: string, text: string, parts: number, order: 'in-order' | 'shuffled' = 'in-order') {
  const deltas = splitText(text, parts).map((content, contentIndex) => ({ content, contentIndex }));
  for (const delta of order === 'shuffled' ? shuffled(deltas, 3) : deltas) {
    target.upsert({ id, role: 'assistant', userId: 'agent', ...delta });
  }
  target.upsert({ id, role: 'assistant', userId: 'agent', content: '', completed: true });
}

describe('StreamConversation', () => {
  it('creates the channel with the agent as creator and the demo user as member', async () => {
    const target = conversation();
    target.send('user', 'alice', 'hello');
    await target.flush();
    const channel = api.channels.get(CID)!;
    expect(channel.createdById).toBe('agent');
    expect([...channel.members].sort()).toEqual(['agent', 'demo-user']);
    expect(api.transcript(CID)).toEqual([{ id: target.messages[0]!.id, userId: 'alice', text: 'hello', chunks: 1, generating: false }]);
  });

  it('stores the right final text for 500 deltas delivered out of order', async () => {
    const target = conversation();
    const text = markdownReply(3000, 11);
    stream(target, 'reply', text, 500, 'shuffled');
    expect(target.get('reply')!.content).toBe(text);
    await target.flush();
    expect(api.transcript(CID)).toEqual([{ id: 'reply', userId: 'agent', text, chunks: splitIntoChunks(text).length, generating: false }]);
  });

  it('grows a 5,000-character reply to 5 chunks stored byte for byte, writing only changed chunks', async () => {
    const target = conversation();
    const text = markdownReply(5000, 5);
    const deltas = splitText(text, 250);
    for (const [contentIndex, content] of deltas.entries()) {
      target.upsert({ id: 'long', role: 'assistant', userId: 'agent', content, contentIndex });
      if (contentIndex % 25 === 0) await target.flush();
    }
    target.upsert({ id: 'long', role: 'assistant', userId: 'agent', content: '', completed: true });
    await target.flush();
    const [stored] = api.transcript(CID);
    expect(stored!.text).toBe(target.get('long')!.content);
    const expected = splitIntoChunks(text);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(stored!.chunks).toBe(expected.length);
    const chunks = api.channelMessages(CID).map((message) => message.custom);
    expect(chunks.map((custom) => custom.chunk_index)).toEqual(expected.map((_, index) => index));
    expect(
      chunks.every((custom) => custom.total_chunks === expected.length && custom.chunk_group === 'long' && custom.generating === false),
    ).toBe(true);
    // While generating, a chunk that was already full is never fanned out again.
    const fannedOutAfterFull = api.ephemeralUpdates.filter((update) => update.id === 'long' && update.text.length === stored!.text.length);
    expect(fannedOutAfterFull.length).toBeLessThanOrEqual(1);
  });

  it('deletes chunks when a reply shrinks, storing the shorter text exactly', async () => {
    const target = conversation();
    const long = markdownReply(4500, 9);
    target.upsert({ id: 'shrink', role: 'assistant', userId: 'agent', content: long });
    await target.flush();
    expect(api.channelMessages(CID).length).toBeGreaterThanOrEqual(5);
    const short = long.slice(0, 1500);
    target.upsert({ id: 'shrink', role: 'assistant', userId: 'agent', content: short, replace: true, completed: true });
    await target.flush();
    expect(api.transcript(CID)).toEqual([{ id: 'shrink', userId: 'agent', text: short, chunks: splitIntoChunks(short).length, generating: false }]);
    expect(api.channelMessages(CID)).toHaveLength(splitIntoChunks(short).length);
  });

  it('fans out updates ephemerally while generating and stores the final text once', async () => {
    const target = conversation();
    target.upsert({ id: 'e', role: 'assistant', userId: 'agent', content: 'Hello' });
    await target.flush();
    target.upsert({ id: 'e', role: 'assistant', userId: 'agent', content: ', world' });
    await target.flush();
    expect(api.messages.get('e')!.text).toBe('Hello');
    expect(api.ephemeralUpdates.map((update) => update.text)).toEqual(['Hello, world']);
    target.upsert({ id: 'e', role: 'assistant', userId: 'agent', content: '!', completed: true });
    await target.flush();
    expect(api.messages.get('e')).toMatchObject({ text: 'Hello, world!', storedUpdates: 1 });
  });

  it('sends the AI indicator: generating while an assistant message streams, cleared when it completes', async () => {
    const target = conversation();
    target.setIndicator('thinking');
    await target.flush();
    stream(target, 'ai', 'Some answer.', 3);
    await target.flush();
    const events = api.events.map(({ event }) => `${String(event.type)}:${String((event.custom as Record<string, unknown> | undefined)?.ai_state ?? '')}`);
    expect(events[0]).toBe('ai_indicator.update:AI_STATE_THINKING');
    expect(events.at(-1)).toBe('ai_indicator.clear:');
  });

  it('loses nothing and creates nothing twice with 30% failures and 1 s latency spikes', async () => {
    api.misbehaviour = { failureRate: 0.3, failAfterApplyShare: 0.5, spikeProbability: 0.05, spikeMs: 1000, latencyMs: 2 };
    const target = conversation({ closeTimeoutMs: 60_000, maxAttempts: 30 }, 500);
    const replies: Record<string, string> = {};
    for (let turn = 0; turn < 6; turn++) {
      target.send('user', `user-${turn}`, `question ${turn}`);
      const id = `answer-${turn}`;
      replies[id] = markdownReply(1200 + turn * 300, turn + 1);
      stream(target, id, replies[id]!, 40);
    }
    const errors: ConversationEvents['conversation.error'][] = [];
    target.events.on('conversation.error', (event) => void errors.push(event));
    const report = await target.close();
    expect(report).toEqual({ persisted: true, unpersisted: [] });
    expect(errors).toEqual([]);
    const transcript = api.transcript(CID);
    expect(transcript.map((message) => message.text)).toEqual(target.messages.map((message) => message.content));
    expect(transcript.map((message) => message.userId)).toEqual(target.messages.map((message) => message.userId));
    expect(transcript.every((message) => !message.generating)).toBe(true);
    // Every stored chat message is a distinct chunk of a distinct logical message.
    const chunkKeys = api.channelMessages(CID).map((message) => `${String(message.custom.chunk_group)}#${String(message.custom.chunk_index)}`);
    expect(new Set(chunkKeys).size).toBe(chunkKeys.length);
    expect(api.count((request) => request.status >= 500 || request.status === 429)).toBeGreaterThan(0);
    // Some creates were applied but answered with an error, and their retries met the stored copy.
    expect(api.count((request) => request.status === 400 && request.path.endsWith('/message'))).toBeGreaterThan(0);
  }, 120_000);

  it('reports a permanent 400 as conversation.error and never throws into upsert', async () => {
    const target = conversation();
    const errors: ConversationEvents['conversation.error'][] = [];
    target.events.on('conversation.error', (event) => void errors.push(event));
    api.failNext(400, { message: 'message text is too long', match: (request) => request.path.endsWith('/message') });
    expect(() => target.send('assistant', 'agent', 'rejected')).not.toThrow();
    const kept = target.send('user', 'bob', 'kept');
    await target.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.messageId).toBe(target.messages[0]!.id);
    expect(errors[0]!.error.message).toMatch(/message text is too long/);
    expect(api.transcript(CID).map((message) => message.text)).toEqual(['kept']);
    expect(kept.completed).toBe(true);
  });

  it('retries a write that got no answer before the client timed out, and stores it once', async () => {
    const release = api.hold((request) => request.path.endsWith('/message'));
    const target = conversation({}, 300);
    const errors: ConversationEvents['conversation.error'][] = [];
    target.events.on('conversation.error', (event) => void errors.push(event));
    target.send('user', 'alice', 'hello');
    await waitUntil(() => target.stats.retries > 0, 'a retry of the write that timed out');
    release();
    await target.flush();
    expect(errors).toEqual([]);
    expect(api.transcript(CID).map((message) => message.text)).toEqual(['hello']);
  });

  it('reports what could not be persisted when close times out', async () => {
    api.misbehaviour = { latencyMs: 2000 };
    const target = conversation({ closeTimeoutMs: 100 }, 5000);
    const errors: string[] = [];
    target.events.on('conversation.error', ({ messageId }) => void errors.push(messageId ?? ''));
    const message = target.send('user', 'alice', 'slow');
    const report = await target.close();
    expect(report).toEqual({ persisted: false, unpersisted: [message.id] });
    expect(errors).toEqual([message.id]);
  });

  it('creates the users it is told to before the channel, so their messages are accepted', async () => {
    const target = conversation({ channelId: 'call-2', agentUserId: 'new-agent', members: [], users: [{ id: 'new-agent', name: 'Bot' }, { id: 'guest', name: 'Guest' }] });
    target.send('user', 'guest', 'hi');
    target.send('assistant', 'new-agent', 'hello');
    await target.flush();
    expect(api.users.get('guest')).toMatchObject({ name: 'Guest' });
    expect(api.transcript('messaging:call-2').map(({ userId, text }) => `${userId}:${text}`)).toEqual(['guest:hi', 'new-agent:hello']);
  });
});

describe('a message already stored', () => {
  it('is kept in memory with the others and never written (a message typed into the chat)', async () => {
    const target = conversation();
    target.send('assistant', 'agent', 'Hello.');
    const typed = target.upsert({ id: 'typed-1', role: 'user', userId: 'alice', content: 'hi there', completed: true, stored: true });
    target.send('assistant', 'agent', 'Hi Alice.');
    await target.flush();
    expect(target.messages.map((message) => message.content)).toEqual(['Hello.', 'hi there', 'Hi Alice.']);
    expect(typed.completed).toBe(true);
    expect(api.transcript(CID).map((message) => message.text)).toEqual(['Hello.', 'Hi Alice.']);
    expect(api.count((request) => JSON.stringify(request.body).includes('hi there'))).toBe(0);
  });

  it('must be complete', () => {
    expect(() => conversation().upsert({ role: 'user', userId: 'alice', content: 'x', stored: true })).toThrow(/stored/);
  });
});
