import { StreamClient } from '@stream-io/node-sdk';
import { StreamChat, type Event, type MessageResponse } from 'stream-chat';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeStreamApi, startFakeStreamApi } from '../../testing/stream-api/index.js';
import { signJwt } from '../../testing/stream-video/jwt.js';
import { waitFor, waitUntil } from '../support/wait.js';

const KEY = 'key';
const SECRET = 'secret';
const CALL_ID = 'call-1';
const CID = `messaging:${CALL_ID}`;

let api: FakeStreamApi;
let server: { url: string; close(): Promise<void> };
let serverClient: StreamClient;
let clients: StreamChat[] = [];

beforeEach(async () => {
  api = new FakeStreamApi({ apiKey: KEY, apiSecret: SECRET });
  server = await startFakeStreamApi(api);
  serverClient = new StreamClient(KEY, SECRET, { basePath: server.url, timeout: 5000 });
  await serverClient.upsertUsers([
    { id: 'agent', name: 'Agent' },
    { id: 'alice', name: 'Alice', custom: { team: 'red' } },
  ]);
  await serverClient.chat.channel('messaging', CALL_ID).getOrCreate({
    data: { created_by_id: 'agent', members: [{ user_id: 'agent' }, { user_id: 'alice' }] },
  });
  clients = [];
});

afterEach(async () => {
  await Promise.all(clients.map((chat) => chat.disconnectUser()));
  await server.close();
});

/** The real stream-chat client, connected as `userId` to the fake. */
async function connect(userId = 'agent', token = serverClient.generateUserToken({ user_id: userId })): Promise<StreamChat> {
  const chat = new StreamChat(KEY, { baseURL: server.url, allowServerSideConnect: true, timeout: 5000 });
  clients.push(chat);
  await chat.connectUser({ id: userId }, token);
  return chat;
}

/** Events of `type` the channel receives, in order. */
function collect(channel: ReturnType<StreamChat['channel']>, type: Event['type']): Event[] {
  const events: Event[] = [];
  channel.on(type, (event) => events.push(event));
  return events;
}

describe('the fake Stream Chat socket, with the real stream-chat client', () => {
  it('connects the user, and watch() returns the newest messages oldest first, with their authors', async () => {
    const posted = Array.from({ length: 30 }, (_, index) => api.postMessage(CID, { userId: 'alice', text: `line ${index}` }));
    const chat = await connect();
    expect(chat.user).toMatchObject({ id: 'agent', name: 'Agent', role: 'user' });

    const channel = chat.channel('messaging', CALL_ID);
    const state = await channel.watch({ messages: { limit: 20 } });

    expect(state.messages.map((message) => message.id)).toEqual(posted.slice(-20).map((message) => message.id));
    expect(state.messages[0]!.user).toMatchObject({ id: 'alice', name: 'Alice', team: 'red' });
    expect(state.members.map((member) => member.user_id).sort()).toEqual(['agent', 'alice']);
    expect(channel.state.messages.map((message) => message.text)).toEqual(posted.slice(-20).map((message) => message.text));
    expect(api.chatSockets).toMatchObject([{ userId: 'agent', watching: new Set([CID]) }]);
  });

  it('sends message.new for a message typed in the app and for one sent by the server SDK', async () => {
    const chat = await connect();
    const channel = chat.channel('messaging', CALL_ID);
    await channel.watch();
    const events = collect(channel, 'message.new');

    const typed = api.postMessage(CID, { userId: 'alice', text: 'Can you hear me?', custom: { lang: 'en' } });
    await serverClient.chat.channel('messaging', CALL_ID).sendMessage({ message: { id: 'from-server', text: 'Server says hi', user_id: 'agent' } });
    const reply = api.postMessage(CID, { userId: 'alice', text: 'In a thread', parentId: typed.id, silent: true });

    await waitUntil(() => events.length === 3, 'three message.new events');
    expect(events.map((event) => [event.cid, event.user?.id, event.message?.text, event.message?.type])).toEqual([
      [CID, 'alice', 'Can you hear me?', 'regular'],
      [CID, 'agent', 'Server says hi', 'regular'],
      [CID, 'alice', 'In a thread', 'reply'],
    ]);
    expect(events[0]!.message).toMatchObject({ id: typed.id, lang: 'en', user: { id: 'alice', name: 'Alice', team: 'red' } });
    expect(events[2]!.message).toMatchObject({ id: reply.id, parent_id: typed.id, silent: true });
  });

  it('sends message.updated for an edit and a partial update, and message.deleted for a delete', async () => {
    const chat = await connect();
    const channel = chat.channel('messaging', CALL_ID);
    await channel.watch();
    const updated = collect(channel, 'message.updated');
    const deleted = collect(channel, 'message.deleted');

    const message = api.postMessage(CID, { userId: 'alice', text: 'Helo' });
    api.editMessage(message.id, 'Hello');
    await serverClient.chat.updateMessagePartial({ id: message.id, set: { text: 'Hello there' }, user_id: 'alice' });
    api.removeMessage(message.id);

    await waitUntil(() => updated.length === 2 && deleted.length === 1, 'two updates and a delete');
    expect(updated.map((event) => event.message?.text)).toEqual(['Hello', 'Hello there']);
    expect(deleted[0]).toMatchObject({ hard_delete: false, message: { id: message.id, type: 'deleted' } });
    expect(channel.state.messages.find((shown) => shown.id === message.id)).toMatchObject({ type: 'deleted' });
  });

  it('rejects connectUser with a token not signed with the API secret', async () => {
    const forged = signJwt({ user_id: 'agent' }, 'not-the-secret');
    await expect(connect('agent', forged)).rejects.toThrow(/JWTAuth/);
    expect(api.chatSockets).toEqual([]);
  });

  it('lets the client reconnect after its socket drops, and id_gt returns exactly the messages missed meanwhile', async () => {
    const chat = await connect();
    const channel = chat.channel('messaging', CALL_ID);
    await channel.watch();
    const seen: MessageResponse[] = [];
    channel.on('message.new', (event) => void (event.message && seen.push(event.message)));
    let recovered = 0;
    chat.on('connection.recovered', () => void recovered++);
    api.postMessage(CID, { userId: 'alice', text: 'before the drop' });
    await waitUntil(() => seen.length === 1, 'the message before the drop');

    api.refuseChatSockets(true);
    api.dropChatSockets();
    const missed = ['one', 'two', 'three'].map((text) => api.postMessage(CID, { userId: 'alice', text }));
    await api.waitFor(() => api.refusedChatUpgrades > 0, { what: 'a refused reconnect' });
    api.refuseChatSockets(false);

    await waitUntil(() => recovered > 0, 'connection.recovered');
    await api.waitFor(() => api.chatSockets.find((socket) => socket.watching.has(CID)), { what: 'the channel watched again' });
    expect(seen.map((message) => message.text)).toEqual(['before the drop']);
    const caughtUp = await channel.query({ messages: { limit: 100, id_gt: seen.at(-1)!.id } });
    expect(caughtUp.messages.map((message) => message.id)).toEqual(missed.map((message) => message.id));

    api.postMessage(CID, { userId: 'alice', text: 'after the reconnect' });
    await waitFor(() => seen.find((message) => message.text === 'after the reconnect'), 'message.new on the new socket');
  });

  it('answers a message limit above 300 with a 400, as Stream does', async () => {
    const chat = await connect();
    const channel = chat.channel('messaging', CALL_ID);
    await expect(channel.query({ messages: { limit: 301 } })).rejects.toMatchObject({ status: 400, code: 4 });
    await expect(channel.query({ messages: { limit: 300 } })).resolves.toMatchObject({ messages: [] });
  });
});
