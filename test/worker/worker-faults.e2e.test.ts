/**
 * The deployed worker when things around it fail: real `src/cli.ts serve` processes running
 * the real Agent against the Stream fakes and the Gemini Live fake, sharing a real Redis that
 * the test can restart. A drain that runs out of time while the chat hangs, and a Redis that
 * comes back empty while a session runs.
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

const STREAM_KEY = 'faults-stream-key';
const STREAM_SECRET = 'faults-stream-secret';
const WORKER_KEY = 'faults-worker-key';
const AGENT_ID = 'gemini-agent';

describeRedis(
  'worker processes when the chat or Redis fail',
  () => {
    let redis: TestRedis;
    let api: FakeStreamApi;
    let video: FakeStreamVideo;
    let live: FakeGeminiLive;
    let env: Record<string, string>;
    let nodeA: WorkerProcess;
    let nodeB: WorkerProcess;
    let releaseChat: (() => void) | undefined;

    beforeAll(async () => {
      redis = await startTestRedis({ restartable: true });
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
        DRAIN_TIMEOUT_MS: '10000',
      };
      [nodeA, nodeB] = await Promise.all([spawnWorker(env, WORKER_KEY, { agentFile: AGENT_FILE }), spawnWorker(env, WORKER_KEY, { agentFile: AGENT_FILE })]);
    }, 120_000);

    afterAll(async () => {
      releaseChat?.();
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

    const agentsIn = (callId: string) => video.call(callId).participants().filter((participant) => participant.userId === AGENT_ID);

    it('exits 1 when the drain runs out while the chat hangs: the agent has left, the session is recorded as abandoned', async () => {
      const nodeC = await spawnWorker({ ...env, DRAIN_TIMEOUT_MS: '1500' }, WORKER_KEY, { agentFile: AGENT_FILE });
      const { callId, human, sessions } = callWithHuman();
      const created = await nodeC.request('POST', sessions);
      expect(created.status).toBe(201);
      const { sessionId } = (await created.json()) as { sessionId: string };

      // A long answer in real time, so the shutdown lands in the middle of it.
      const paceFactor = live.script.paceFactor;
      live.script.paceFactor = 1;
      live.script.turns.push({ userText: ['Tell me'], answerText: ['One,', ' two,', ' three,', ' four,', ' five.'], answerAudioMs: 8000 });
      try {
        void speakTurn(human, 'Hello agent');
        await waitUntil(() => api.transcript(`messaging:${callId}`).some((message) => message.userId === AGENT_ID), "the agent's words in the call's chat", 20_000);
        // From now on the chat never answers: the transcript cannot be flushed.
        releaseChat = api.hold((request) => request.path.startsWith('/api/v2/chat/'));

        const code = await nodeC.stop('SIGTERM');
        expect(code).toBe(1);
      } finally {
        live.script.paceFactor = paceFactor;
      }
      const output = nodeC.output();
      // The agent left the call before the process exited, without waiting for the chat.
      expect(output).toMatch(new RegExp(`"call":"default:${callId}"[^\\n]*"msg":"agent left the call"`));
      expect(agentsIn(callId)).toHaveLength(0);
      expect(output).toMatch(new RegExp(`"abandoned":\\[\\{"sessionId":"${sessionId}"[^\\n]*"msg":"drain timed out: sessions abandoned`));
      expect(output).toMatch(/"closed":0,"abandoned":1[^\n]*"msg":"drained"/);
      expect(await recordOf(nodeA, `${sessions}/${sessionId}`)).toMatchObject({
        state: 'ended',
        endReason: 'abandoned',
        error: expect.stringContaining('drain timeout (1500 ms)'),
      });
      expect(output).not.toContain(STREAM_SECRET);
      releaseChat!();
      releaseChat = undefined;
    }, 90_000);

    it('keeps a running session when Redis restarts empty: another node answers 503 instead of sending a second agent', async () => {
      const { callId, sessions } = callWithHuman();
      const created = await nodeA.request('POST', sessions);
      expect(created.status).toBe(201);
      const { sessionId } = (await created.json()) as { sessionId: string };
      const path = `${sessions}/${sessionId}`;

      await redis.stop();
      await redis.start();
      await waitUntil(async () => (await nodeB.request('GET', '/ready', { key: null })).status === 200, 'node B to be ready', 30_000);

      const second = await nodeB.request('POST', sessions);
      expect(second.status).toBe(503);
      expect(await second.json()).toMatchObject({ code: 'REGISTRY_RECOVERING' });
      expect(agentsIn(callId)).toHaveLength(1);

      // Node A re-asserted the session; its later heartbeats keep it (no lease-lost).
      await waitUntil(async () => (await nodeB.request('GET', path)).status === 200, 'the session to be readable on node B', 30_000);
      const reasserted = (await recordOf(nodeB, `${path}/metrics`)) as { state: string; figures: { at: string } };
      expect(reasserted).toMatchObject({ live: false, state: 'active' });
      // A heartbeat after the re-assertion renewed it (its figures are newer).
      await waitUntil(async () => ((await recordOf(nodeB, `${path}/metrics`)) as typeof reasserted).figures.at !== reasserted.figures.at, 'a heartbeat to publish new figures', 30_000);
      expect(await recordOf(nodeA, path)).toMatchObject({ state: 'active' });
      expect(agentsIn(callId)).toHaveLength(1);
      expect(nodeA.output()).not.toContain('lease lost');
      expect((await nodeA.request('DELETE', path)).status).toBe(202);
    }, 120_000);
  },
  { restartable: true },
);
