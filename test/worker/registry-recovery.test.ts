/**
 * Two worker nodes sharing a Redis that restarts empty (a real redis-server, stopped and
 * started again on the same port, persistence off), over HTTP, with in-test agents. The
 * running session's node re-asserts it, so another node never starts a second agent in the
 * call: it answers 503 while the registry recovers, and takes new calls after the grace.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/store/redis-session-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { describeRedis, startTestRedis, type TestRedis } from '../support/redis.js';
import { startWorkerNode, type WorkerNode } from './worker-harness.js';
import { waitUntil } from '../support/wait.js';

describeRedis(
  'worker nodes when Redis restarts empty',
  () => {
    let redis: TestRedis;
    let owner: WorkerNode;
    let other: WorkerNode;
    const stores: Array<{ close(): Promise<void> }> = [];

    beforeAll(async () => {
      redis = await startTestRedis({ restartable: true });
      const prefix = redis.prefix();
      const open = async (nodeId: string, reconnectDelayMs: number) => {
        const redisOptions = { retryStrategy: () => reconnectDelayMs };
        const sessions = await RedisSessionStore.connect(redis.url, { prefix, redisOptions });
        const keyValue = await RedisStore.connect(redis.url, { prefix, redisOptions });
        stores.push(sessions, keyValue);
        return startWorkerNode({ sessions, keyValue, nodeId, heartbeatIntervalMs: 1_000, env: { MAX_SESSIONS_PER_CALL: '1' } });
      };
      // The owner reconnects later than the other node on purpose: a new request must not win
      // the call just because it reached a node that was back first.
      owner = await open('owner', 1_500);
      other = await open('other', 50);
    });

    afterAll(async () => {
      await Promise.all([owner?.close(), other?.close()]);
      await Promise.all(stores.map((store) => store.close()));
      await redis?.close();
    });

    it('refuses a second agent for a running call with 503, keeps the first one, and takes new calls after the grace', async () => {
      const created = await owner.request('POST', '/calls/default/kept/sessions');
      expect(created.status).toBe(201);
      const { sessionId } = (await created.json()) as { sessionId: string };
      const path = `/calls/default/kept/sessions/${sessionId}`;
      const agent = owner.agents.latest!;

      await redis.stop();
      await redis.start();
      await waitUntil(async () => (await other.request('GET', '/ready', { key: null })).status === 200, 'the other node to be ready', 20_000);

      const second = await other.request('POST', '/calls/default/kept/sessions');
      expect(second.status).toBe(503);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await second.json()).toMatchObject({ code: 'REGISTRY_RECOVERING', message: expect.stringContaining('recovering') });
      expect(other.agents.agents).toHaveLength(0);

      // The owner re-asserts its session once its connection is back: every node sees it again.
      await waitUntil(async () => (await other.request('GET', path)).status === 200, 'the re-asserted session to be readable', 20_000);
      expect(await (await other.request('GET', path)).json()).toMatchObject({ nodeId: 'owner', state: 'active' });

      // After the grace: new calls are welcome, the running one is still full, its agent still in it.
      await waitUntil(async () => (await other.request('POST', '/calls/default/after-restart/sessions')).status === 201, 'a new session to be accepted after the recovery window', 20_000);
      expect((await other.request('POST', '/calls/default/kept/sessions')).status).toBe(429);
      expect(agent.closed).toBe(false);
      expect(await (await owner.request('GET', path)).json()).toMatchObject({ state: 'active' });
    });
  },
  { restartable: true },
);
