/**
 * The call's chat, both ways, end to end: the real StreamEdge reads the chat with the real
 * stream-chat client over the Stream fakes' chat socket, and the real GeminiRealtime answers
 * against the Live API fake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, HISTORY_OPENING, type AgentOptions } from '../../src/agent/index.js';
import { GeminiRealtime } from '../../src/llm/gemini/realtime.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { isSilent } from '../../testing/stream-video/index.js';
import { nextEvent, startStreamFakes, waitUntil, type StreamFakes } from '../edge/helpers.js';

let stream: StreamFakes | undefined;
let live: FakeGeminiLive | undefined;
const agents: Agent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
  await live?.close();
  await stream?.close();
  stream = live = undefined;
});

async function fakes(): Promise<{ stream: StreamFakes; live: FakeGeminiLive }> {
  stream = await startStreamFakes();
  live = await FakeGeminiLive.start();
  stream.api.addUser('alice', { name: 'Alice' });
  stream.api.addUser('bob', { name: 'Bob' });
  return { stream, live };
}

async function joinedAgent(callId: string, overrides: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = new Agent({
    edge: stream!.edge(),
    llm: new GeminiRealtime({ apiKey: live!.apiKey, baseUrl: live!.baseUrl, reconnectBaseDelayMs: 20 }),
    agentUser: { id: 'agent', name: 'Nova' },
    instructions: 'Be brief.',
    ...overrides,
  });
  agents.push(agent);
  await agent.join(await agent.createCall('default', callId));
  return agent;
}

/** The texts the model got as user turns that asked for an answer, in order. */
const userTexts = (fake: FakeGeminiLive) =>
  fake.latest!.clientContents.filter((content) => content.turnComplete).map((content) => content.turns!.map((turn) => turn.parts!.map((part) => part.text).join('')).join('\n'));

describe('typed turns', () => {
  it('waits while the agent speaks, then answers what was typed, and does not write it to the chat again', async () => {
    const { stream, live } = await fakes();
    const agent = await joinedAgent('typed-while-speaking');
    live.script.paceFactor = 1; // the model is still generating while its voice plays
    live.script.turns.push({ answerText: ['Once upon', ' a time.'], answerAudioMs: 1_500 }, { answerText: ['Spelled', ' S-I-O-B-H-A-N.'], answerAudioMs: 300 });
    const transcripts: unknown[] = [];
    agent.on('transcript', (event) => void (event.role === 'user' && transcripts.push(event)));
    const ended: Array<{ text: string; interrupted: boolean }> = [];
    agent.on('agent.turn.ended', ({ text, interrupted }) => void ended.push({ text, interrupted }));

    const speaking = nextEvent(agent.events, 'agent.speech.started');
    agent.respond('Tell me a story.');
    await speaking;
    const typed = stream.api.postMessage('messaging:typed-while-speaking', { userId: 'alice', text: 'How do you spell Siobhan?' });

    await waitUntil(() => ended.length >= 2, 'two answers', 15_000);
    expect(ended).toEqual([
      { text: 'Once upon a time.', interrupted: false },
      { text: 'Spelled S-I-O-B-H-A-N.', interrupted: false },
    ]);
    expect(userTexts(live)).toEqual(['Tell me a story.', 'Alice typed in the chat: How do you spell Siobhan?']);
    expect(transcripts).toEqual([
      { role: 'user', userId: 'alice', userName: 'Alice', turnId: typed.id, text: 'How do you spell Siobhan?', delta: 'How do you spell Siobhan?', final: true, typed: true },
    ]);
    expect(agent.conversation!.get(typed.id)).toMatchObject({ role: 'user', userId: 'alice', content: 'How do you spell Siobhan?', completed: true });
    await agent.conversation!.flush();
    const copies = stream.api.channelMessages('messaging:typed-while-speaking').filter((message) => message.text.includes('Siobhan?'));
    expect(copies.map((message) => message.id)).toEqual([typed.id]);
  });

  it('takes a burst of 20 messages from two people as few turns, within each person’s rate limit', async () => {
    const { stream, live } = await fakes();
    const agent = await joinedAgent('burst');
    // The first answer lasts while the rest arrive, even on a loaded machine.
    live.script.defaultTurn = { answerText: ['Noted.'], answerAudioMs: 2_000 };
    const ignored: string[] = [];
    agent.on('chat.message.ignored', ({ reason, messageId }) => void (reason === 'rate-limited' && ignored.push(`${reason}:${messageId}`)));
    const turns: string[][] = [];
    agent.on('chat.turn', ({ messageIds }) => void turns.push(messageIds));
    const posted = Array.from({ length: 20 }, (_, index) =>
      stream.api.postMessage('messaging:burst', { userId: index % 2 === 0 ? 'alice' : 'bob', text: `message ${index + 1}`, id: `m${index + 1}` }),
    );
    await live.waitFor(() => turns.flat().length === 10 && live.latest!.turns.length === turns.length && live.latest!.turns.every((turn) => turn.completed), {
      what: 'the allowed messages answered',
    });
    // Each person's first five (the default burst) reach the model; the first at once, the rest
    // together, once the answer to the first is over.
    expect(turns.flat()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    expect(turns.length).toBeLessThanOrEqual(3);
    expect(userTexts(live).join('\n').split('\n')).toEqual(posted.slice(0, 10).map((message, index) => `${index % 2 === 0 ? 'Alice' : 'Bob'} typed in the chat: ${message.text}`));
    expect(ignored.sort()).toEqual(posted.slice(10).map((message) => `rate-limited:${message.id}`).sort());
  });

  it('catches up on what was typed while the chat socket was down, once each', async () => {
    const { stream, live } = await fakes();
    const agent = await joinedAgent('drop');
    const delivered: string[] = [];
    agent.on('chat.message', ({ message }) => void delivered.push(message.text));
    stream.api.refuseChatSockets(true);
    stream.api.dropChatSockets();
    await stream.api.waitFor(() => stream.api.refusedChatUpgrades > 0, { what: 'the agent trying to reconnect', timeoutMs: 15_000 });
    stream.api.postMessage('messaging:drop', { userId: 'alice', text: 'typed while you were away' });
    stream.api.postMessage('messaging:drop', { userId: 'bob', text: 'me too' });
    stream.api.refuseChatSockets(false);
    await live.waitFor(() => userTexts(live).join('\n').includes('me too'), { what: 'the missed messages reaching the model', timeoutMs: 20_000 });
    stream.api.postMessage('messaging:drop', { userId: 'alice', text: 'and now' });
    await waitUntil(() => delivered.includes('and now'), 'a message on the new socket', 15_000);
    expect(delivered).toEqual(['typed while you were away', 'me too', 'and now']);
    expect(userTexts(live).join('\n')).toContain('Alice typed in the chat: typed while you were away\nBob typed in the chat: me too');
  });

  it.each([
    ['own', (api: StreamFakes['api'], cid: string) => api.postMessage(cid, { userId: 'agent', text: 'my own post' })],
    ['transcript', (api: StreamFakes['api'], cid: string) => api.postMessage(cid, { userId: 'alice', text: 'spoken words', custom: { chunk_group: 't1', chunk_index: 0 } })],
    ['bot', (api: StreamFakes['api'], cid: string) => (api.addUser('other-bot', { bot: true }), api.postMessage(cid, { userId: 'other-bot', text: 'beep' }))],
    ['system', (api: StreamFakes['api'], cid: string) => api.postMessage(cid, { userId: 'alice', text: 'Alice joined', type: 'system' })],
    ['system', (api: StreamFakes['api'], cid: string) => api.postMessage(cid, { userId: 'alice', text: 'quietly', silent: true })],
    ['edit', (api: StreamFakes['api'], cid: string, earlier: string) => api.editMessage(earlier, 'edited words')],
    ['deletion', (api: StreamFakes['api'], cid: string, earlier: string) => api.removeMessage(earlier)],
  ] as const)('does not take a message as a turn: %s', async (reason, post) => {
    const { stream, live } = await fakes();
    const agent = await joinedAgent('ignored');
    const cid = 'messaging:ignored';
    const earlier = stream.api.postMessage(cid, { userId: 'alice', text: 'first' });
    await live.waitFor(() => live.latest!.turns[0]?.completed, { what: 'the first message answered', timeoutMs: 15_000 });
    const ignored = nextEvent(agent.events, 'chat.message.ignored', (event) => event.reason === reason);
    const message = post(stream.api, cid, earlier.id);
    await expect(ignored).resolves.toMatchObject({ messageId: message.id, reason });
    // A message after it is a turn: what came before was looked at, and not taken.
    stream.api.postMessage(cid, { userId: 'bob', text: 'last' });
    await live.waitFor(() => userTexts(live).length === 2, { what: 'the last message sent', timeoutMs: 15_000 });
    expect(userTexts(live)).toEqual(['Alice typed in the chat: first', 'Bob typed in the chat: last']);
  });

  it('writes the answer to a typed turn to the chat, unspoken, with chatReplies: text', async () => {
    const { stream, live } = await fakes();
    const agent = await joinedAgent('text-replies', { chatReplies: 'text' });
    const ignored: string[] = [];
    agent.on('chat.message.ignored', ({ reason }) => void ignored.push(reason));
    live.script.turns.push({ answerText: ['The link', ' is in the docs.'], answerAudioMs: 600 });
    const ended = nextEvent(agent.events, 'agent.turn.ended');
    stream.api.postMessage('messaging:text-replies', { userId: 'alice', text: 'Where is the link?' });
    await expect(ended).resolves.toMatchObject({ text: 'The link is in the docs.', interrupted: false });
    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:text-replies').map(({ userId, text }) => `${userId}: ${text}`)).toEqual([
      'alice: Where is the link?',
      'agent: The link is in the docs.',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.video.call('text-replies').recording('agent').frames.filter((frame) => !isSilent(frame.samples))).toEqual([]);
    // The transcripts coming back over the socket are not turns, and their updates are not edits of one.
    await stream.api.waitFor(() => stream.api.requests.some((request) => request.method === 'PUT'), { what: 'the final write' });
    expect(ignored.filter((reason) => reason !== 'own' && reason !== 'transcript')).toEqual([]);
  });
});

describe('the post_to_chat tool', () => {
  it('is declared, named in the instructions, and posts to the call’s chat as the agent', async () => {
    const { stream, live } = await fakes();
    live.script.turns.push({ toolCalls: [{ name: 'post_to_chat', args: { text: 'https://example.com/docs' } }], answerText: ['I posted', ' the link.'] });
    const agent = await joinedAgent('post');
    const declared = live.latest!.setup!.tools?.flatMap((tool) => tool.functionDeclarations ?? []).map((declaration) => declaration.name);
    expect(declared).toContain('post_to_chat');
    expect(JSON.stringify(live.latest!.setup!.systemInstruction)).toContain('post_to_chat');
    const result = nextEvent(agent.events, 'tool.result');
    agent.respond('Send me the docs link.');
    await expect(result).resolves.toMatchObject({ call: { name: 'post_to_chat' }, result: { ok: true } });
    await agent.conversation!.flush();
    expect(stream.api.transcript('messaging:post')).toContainEqual(expect.objectContaining({ userId: 'agent', text: 'https://example.com/docs' }));
  });

  it('is not there with chatTool: false', async () => {
    const { live } = await fakes();
    await joinedAgent('no-tool', { chatTool: false });
    const declared = live.latest!.setup!.tools?.flatMap((tool) => tool.functionDeclarations ?? []).map((declaration) => declaration.name) ?? [];
    expect(declared).not.toContain('post_to_chat');
    expect(JSON.stringify(live.latest!.setup!.systemInstruction)).not.toContain('post_to_chat');
  });
});

describe('history', () => {
  it('gives a rejoining agent the conversation so far, with its authors, and writes none of it again', async () => {
    const { stream, live } = await fakes();
    live.script.turns.push({ answerText: ['Nice to meet you,', ' Siobhan.'] });
    const first = await joinedAgent('rejoin');
    const answered = nextEvent(first.events, 'agent.turn.ended');
    stream.api.postMessage('messaging:rejoin', { userId: 'alice', text: 'My name is Siobhan.' });
    await answered;
    await first.close();
    const stored = stream.api.channelMessages('messaging:rejoin').length;

    const second = await joinedAgent('rejoin');
    const context = await live.waitFor(() => live.latest!.clientContents[0], { what: 'the history sent', timeoutMs: 15_000 });
    expect(context.turnComplete).toBe(false);
    expect(context.turns).toEqual([
      { role: 'user', parts: [{ text: 'Alice: My name is Siobhan.' }] },
      { role: 'model', parts: [{ text: 'Nice to meet you, Siobhan.' }] },
    ]);
    await second.close();
    expect(stream.api.channelMessages('messaging:rejoin').length).toBe(stored);
  });

  it('opens the context with a user turn when the oldest message kept is the agent’s, within chatHistory', async () => {
    const { stream, live } = await fakes();
    const first = await joinedAgent('bounded', { chatInput: false });
    for (let index = 1; index <= 6; index++) {
      stream.api.postMessage('messaging:bounded', { userId: index % 2 ? 'alice' : 'agent', text: `line ${index}` });
    }
    await stream.api.waitFor(() => stream.api.channelMessages('messaging:bounded').length === 6, { what: 'six messages', timeoutMs: 15_000 });
    await first.close();
    await joinedAgent('bounded', { chatHistory: { maxMessages: 3 } });
    const context = await live.waitFor(() => live.latest!.clientContents[0], { what: 'the history sent', timeoutMs: 15_000 });
    expect(context.turns).toEqual([
      { role: 'user', parts: [{ text: HISTORY_OPENING }] },
      { role: 'model', parts: [{ text: 'line 4' }] },
      { role: 'user', parts: [{ text: 'Alice: line 5' }] },
      { role: 'model', parts: [{ text: 'line 6' }] },
    ]);
  });
});
