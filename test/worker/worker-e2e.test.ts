/**
 * The deployed worker end to end: real `stream-agents serve agents/voice-agent.ts` processes
 * running the real Agent, sharing one Redis, against the Stream fakes (REST, coordinator,
 * SFU with WebRTC) and the Gemini Live fake. Nothing here knows it is a test but the URLs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { FakeStreamApi } from '../../testing/stream-api/index.js';
import { FakeStreamVideo } from '../../testing/stream-video/index.js';
import { describeRedis, startTestRedis, type TestRedis } from '../support/redis.js';
import { waitUntil } from '../support/wait.js';
import { AGENT_FILE, spawnWorker, type WorkerProcess } from './worker-process.js';
import { fakeServicesEnv } from '../../testing/environment.js';
import { speakTurn } from '../support/speech.js';

const STREAM_KEY = 'e2e-stream-key';
const STREAM_SECRET = 'e2e-stream-secret';
const WORKER_KEY = 'e2e-worker-key';
const AGENT_ID = 'gemini-agent';

describeRedis('worker processes with the real Agent, sharing Redis', () => {
  let redis: TestRedis;
  let api: FakeStreamApi;
  let video: FakeStreamVideo;
  let live: FakeGeminiLive;
  let env: Record<string, string>;
  let nodeA: WorkerProcess;
  let nodeB: WorkerProcess;

  beforeAll(async () => {
    redis = await startTestRedis();
    api = new FakeStreamApi({ apiKey: STREAM_KEY, apiSecret: STREAM_SECRET });
    video = await FakeStreamVideo.start({ apiKey: STREAM_KEY, apiSecret: STREAM_SECRET, api });
    live = await FakeGeminiLive.start();
    env = {
      ...fakeServicesEnv({ video, google: live }),
      AGENT_USER_ID: AGENT_ID,
      REDIS_URL: redis.url,
      WORKER_API_KEYS: WORKER_KEY,
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_MINUTE: '60000',
      MAX_SESSIONS_PER_CALL: '1',
      AGENT_IDLE_TIMEOUT_MS: '2000',
      DRAIN_TIMEOUT_MS: '10000',
    };
    [nodeA, nodeB] = await Promise.all([spawnWorker(env, WORKER_KEY, { agentFile: AGENT_FILE }), spawnWorker(env, WORKER_KEY, { agentFile: AGENT_FILE })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await live?.close();
    await video?.close();
    await redis?.close();
  }, 60_000);

  /** A fresh call with one human in it, so the agent is not idle. */
  function callWithHuman() {
    const callId = `call-${randomUUID().slice(0, 8)}`;
    const human = video.call(callId).addParticipant({ userId: 'alice' });
    return { callId, human, sessions: `/calls/default/${callId}/sessions` };
  }

  async function recordOf(node: WorkerProcess, path: string): Promise<Record<string, unknown>> {
    return (await (await node.request('GET', path)).json()) as Record<string, unknown>;
  }

  it('refuses a missing or wrong key and a bad id, from the real process', async () => {
    expect((await nodeA.request('POST', '/calls/default/x/sessions', { key: null })).status).toBe(401);
    expect((await nodeA.request('POST', '/calls/default/x/sessions', { key: 'nope' })).status).toBe(401);
    expect((await nodeA.request('POST', '/calls/Bad Type/x/sessions')).status).toBe(400);
    expect((await nodeA.request('GET', '/ready', { key: null })).status).toBe(200);
  });

  it('holds MAX_SESSIONS_PER_CALL across two processes under 50 concurrent POSTs', async () => {
    const { callId, sessions } = callWithHuman();
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? nodeA : nodeB).request('POST', sessions)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 429)).toHaveLength(49);
    const created = (await responses.find((response) => response.status === 201)!.json()) as { sessionId: string };
    // Exactly one agent is in the call.
    expect(video.call(callId).participants().filter((participant) => participant.userId === AGENT_ID)).toHaveLength(1);
    expect((await nodeA.request('DELETE', `${sessions}/${created.sessionId}`)).status).toBe(202);
  });

  it('closes, from node A, a session running on node B: the agent leaves with its transcript flushed', async () => {
    const { callId, human, sessions } = callWithHuman();
    const created = await nodeB.request('POST', sessions);
    expect(created.status).toBe(201);
    const { sessionId, nodeId } = (await created.json()) as { sessionId: string; nodeId: string };
    const path = `${sessions}/${sessionId}`;
    expect(await recordOf(nodeA, path)).toMatchObject({ nodeId, state: 'active' });

    // One exchange: alice speaks, the model answers (the fake's default turn) and finishes.
    const model = live.latest!;
    void speakTurn(human, 'Hello agent');
    await live.waitFor(() => model.turns[0]?.completed, { timeoutMs: 20_000, what: 'the first turn' });
    // The agent's turn is over once its answer has played (the model sends it faster than real time).
    const turns = async () => ((await recordOf(nodeA, `${path}/metrics`)) as { figures: { turns: number } }).figures.turns;
    await waitUntil(async () => (await turns()) === 1, "the agent's turn to end", 20_000);

    // Closed at once: what the model said may still be on its way to the chat; close() flushes it.
    expect((await nodeA.request('DELETE', path)).status).toBe(202);
    await waitUntil(async () => (await recordOf(nodeA, path)).state === 'ended', 'node A to see the session ended', 20_000);
    expect(await recordOf(nodeA, path)).toMatchObject({ endReason: 'closed' });
    expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
    const transcript = api.transcript(`messaging:${callId}`);
    expect(transcript.find((message) => message.userId === AGENT_ID)).toMatchObject({ text: 'Hi, how can I help?', generating: false });
    const figures = (await recordOf(nodeA, `${path}/metrics`)) as { figures: { turns: number } };
    expect(figures.figures.turns).toBe(1);
  }, 60_000);

  it('reads each call’s chat in sessions on either node: a typed message is that person’s turn, answered in its own call', async () => {
    const calls = [callWithHuman(), callWithHuman()];
    const created = await Promise.all(calls.map(({ sessions }, index) => (index === 0 ? nodeA : nodeB).request('POST', sessions)));
    expect(created.map((response) => response.status)).toEqual([201, 201]);
    api.addUser('alice', { name: 'Alice' });
    for (const { callId } of calls) api.postMessage(`messaging:${callId}`, { userId: 'alice', text: `Which call is this? ${callId}` });
    const typedIn = (callId: string) =>
      live.connections.find((connection) => connection.clientContents.some((content) => JSON.stringify(content).includes(`Alice typed in the chat: Which call is this? ${callId}`)));
    await waitUntil(() => calls.every(({ callId }) => typedIn(callId)?.turns[0]?.completed === true), 'both typed turns answered', 20_000);
    expect(typedIn(calls[0]!.callId)).not.toBe(typedIn(calls[1]!.callId));
    for (const { callId } of calls) {
      await waitUntil(() => api.transcript(`messaging:${callId}`).some((message) => message.userId === AGENT_ID && !message.generating), `the answer in ${callId}'s chat`, 20_000);
    }
    for (const [index, response] of created.entries()) {
      const { sessionId } = (await response.json()) as { sessionId: string };
      expect((await nodeA.request('DELETE', `${calls[index]!.sessions}/${sessionId}`)).status).toBe(202);
    }
  }, 60_000);

  it('ends a session after AGENT_IDLE_TIMEOUT_MS once the last human has left', async () => {
    const { callId, human, sessions } = callWithHuman();
    const created = await nodeA.request('POST', sessions);
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    human.leave();
    await waitUntil(async () => (await recordOf(nodeB, `${sessions}/${sessionId}`)).state === 'ended', 'node B to see the session ended', 20_000);
    expect(await recordOf(nodeB, `${sessions}/${sessionId}`)).toMatchObject({ endReason: 'idle' });
    expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
  }, 60_000);

  it('drains on SIGTERM: every session closed with its transcript flushed, exit 0', async () => {
    const nodeC = await spawnWorker(env, WORKER_KEY, { agentFile: AGENT_FILE });
    const { callId, human, sessions } = callWithHuman();
    const created = await nodeC.request('POST', sessions);
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    const model = live.latest!;
    void speakTurn(human, 'Hello agent');
    await live.waitFor(() => model.turns[0]?.completed, { timeoutMs: 20_000, what: 'the first turn' });

    const code = await nodeC.stop('SIGTERM');
    expect(code).toBe(0);
    expect(nodeC.output()).toMatch(/"closed":1,"abandoned":0[^\n]*"msg":"drained"/);
    expect(await recordOf(nodeA, `${sessions}/${sessionId}`)).toMatchObject({ state: 'ended', endReason: 'drain' });
    expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
    expect(api.transcript(`messaging:${callId}`).find((message) => message.userId === AGENT_ID)).toMatchObject({
      text: 'Hi, how can I help?',
      generating: false,
    });
    expect(nodeC.output()).not.toContain(STREAM_SECRET);
  }, 90_000);
});
