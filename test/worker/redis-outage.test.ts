/**
 * The worker (`src/cli.ts serve`, a real process) when its Redis goes away and comes back: a
 * real redis-server that the test stops and starts again on the same port, empty. Redis only
 * holds rate limits, contacts and the session registry, so the completion API keeps answering
 * (rate limits fall back to the node's own bucket, contacts are not stored), what cannot go on
 * without it answers 503 naming it, /ready says so, and everything is shared again once it is back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keyIdOf } from '../../src/http/api-keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { FakeGemini } from '../../testing/gemini/index.js';
import { minimal } from '../completion/harness.js';
import { describeRedis, startTestRedis, type TestRedis } from '../support/redis.js';
import { waitUntil } from '../support/wait.js';
import { spawnWorker, type WorkerProcess } from './worker-process.js';

const KEY = 'outage-key';
const BURST = 5;
const FELL_BACK = "rate limiting fell back to this node's local bucket";
const SHARED_AGAIN = 'rate limiting is shared through the store again';

describeRedis(
  'the worker while Redis is down',
  () => {
    let redis: TestRedis;
    let gemini: FakeGemini;
    let env: Record<string, string>;
    const nodes: WorkerProcess[] = [];

    beforeAll(async () => {
      redis = await startTestRedis({ restartable: true });
      gemini = new FakeGemini();
      gemini.script({ text: 'Still here.' });
      env = {
        GOOGLE_API_KEY: 'fake-gemini-key',
        GOOGLE_GEMINI_BASE_URL: await gemini.start(),
        WORKER_API_KEYS: KEY,
        REDIS_URL: redis.url,
        RATE_LIMIT_BURST: String(BURST),
        // One token a minute: nothing refills during the test.
        RATE_LIMIT_PER_MINUTE: '1',
      };
    }, 60_000);

    afterAll(async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      await gemini?.close();
      await redis?.close();
    }, 60_000);

    async function startNode(): Promise<WorkerProcess> {
      const node = await spawnWorker(env, KEY);
      nodes.push(node);
      return node;
    }

    const complete = (node: WorkerProcess) =>
      node.request('POST', '/api/v1/conversation/complete', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...minimal('Are you there?'), contactId: { fingerprint: 'customer-7', name: 'Ada' } }),
      });
    const readiness = async (node: WorkerProcess) => {
      const response = await node.request('GET', '/ready', { key: null });
      return { status: response.status, body: (await response.json()) as { status: string; message?: string } };
    };
    const occurrences = (text: string, part: string) => text.split(part).length - 1;

    it('keeps answering completions, limits each key locally, refuses sessions with 503 and reports not ready; shares limits again once Redis is back', async () => {
      const node = await startNode();
      expect((await readiness(node)).status).toBe(200);

      await redis.stop();
      await waitUntil(async () => (await readiness(node)).status === 503, '/ready to answer 503 without Redis', 20_000);
      expect((await readiness(node)).body).toMatchObject({ status: 'store-unreachable', message: expect.stringContaining('Redis') });
      expect((await node.request('GET', '/health', { key: null })).status).toBe(200);

      // A session needs the registry: 503 with Retry-After, naming it; never a 500. (It takes
      // the key's first token, from this node's bucket, like every request below.)
      const session = await node.request('POST', '/calls/default/outage-call/sessions');
      expect(session.status).toBe(503);
      expect(session.headers.get('retry-after')).toBeTruthy();
      expect(await session.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('Redis') });

      // Whatever route needs the store and cannot do without it answers the same 503.
      const stateful = await node.request('POST', '/api/v1/conversation/outage-chat/complete', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Hello?' }),
      });
      expect(stateful.status).toBe(503);
      expect(stateful.headers.get('retry-after')).toBeTruthy();
      expect(await stateful.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('Redis') });

      // The rest of the burst, decided by this node's bucket: every completion answered, with its contact.
      for (let i = 2; i < BURST; i++) {
        const response = await complete(node);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ text: 'Still here.', end: { reason: 'stop' } });
      }
      // The local bucket still limits.
      const limited = await complete(node);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // The fallback is logged once per outage, not per request, and counted.
      expect(occurrences(node.output(), FELL_BACK)).toBe(1);
      const metrics = await (await node.request('GET', '/metrics', { key: null })).text();
      expect(metrics).toMatch(new RegExp(`^agents_rate_limit_local_decisions_total ${BURST + 1}$`, 'm'));

      await redis.start();
      await waitUntil(async () => (await readiness(node)).status === 200, '/ready to answer 200 with Redis back', 30_000);
      // Back on the shared bucket (Redis restarted empty, so it is full) although the local one is spent.
      await waitUntil(async () => (await complete(node)).status === 200, 'a completion to succeed', 30_000);
      expect(occurrences(node.output(), SHARED_AGAIN)).toBe(1);
      // Shared: spending the key's bucket in Redis from elsewhere limits this node.
      const elsewhere = await RedisStore.connect(redis.url);
      try {
        const bucket = { capacity: BURST, refillPerSecond: 1 / 60 };
        for (let allowed = true; allowed; ) allowed = (await elsewhere.takeToken(`ratelimit:${keyIdOf(KEY)}`, bucket)).allowed;
      } finally {
        await elsewhere.close();
      }
      expect((await complete(node)).status).toBe(429);
      expect(node.output()).not.toContain(KEY);
    }, 120_000);

    it('starts while Redis is down, serving completions and reporting not ready, and turns ready when Redis comes up', async () => {
      await redis.stop();
      const node = await startNode();
      expect(node.output()).toContain('Redis is unreachable: starting without it');
      expect((await readiness(node)).body).toMatchObject({ status: 'store-unreachable' });
      expect((await complete(node)).status).toBe(200);

      await redis.start();
      await waitUntil(async () => (await readiness(node)).status === 200, '/ready to answer 200 with Redis back', 30_000);
      expect((await complete(node)).status).toBe(200);
    }, 120_000);
  },
  { restartable: true },
);
