/**
 * Two worker nodes sharing one Redis (a real redis-server), over HTTP, with in-test agents:
 * the per-call limit holds across nodes under concurrent requests, any node answers for any
 * session, and a DELETE sent to one node closes the session running on the other.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/store/redis-session-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { describeRedis, startTestRedis, type TestRedis } from '../support/redis.js';
import { startWorkerNode, type WorkerNode } from './worker-harness.js';
import { waitUntil } from '../support/wait.js';

describeRedis('two worker nodes sharing Redis', () => {
  let redis: TestRedis;
  let nodeA: WorkerNode;
  let nodeB: WorkerNode;
  const stores: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    const prefix = redis.prefix();
    const open = async (nodeId: string) => {
      const sessions = await RedisSessionStore.connect(redis.url, { prefix });
      const keyValue = await RedisStore.connect(redis.url, { prefix });
      stores.push(sessions, keyValue);
      return startWorkerNode({ sessions, keyValue, nodeId, env: { MAX_SESSIONS: '50', MAX_SESSIONS_PER_CALL: '2' } });
    };
    nodeA = await open('node-a');
    nodeB = await open('node-b');
  });

  afterAll(async () => {
    await Promise.all([nodeA?.close(), nodeB?.close()]);
    await Promise.all(stores.map((store) => store.close()));
    await redis?.close();
  });

  it('holds MAX_SESSIONS_PER_CALL across nodes under 50 concurrent POSTs', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? nodeA : nodeB).request('POST', '/calls/default/crowded/sessions')),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(48);
    expect(nodeA.agents.agents.length + nodeB.agents.agents.length).toBe(2);
  });

  it('answers for a session from either node, and closes it from the other', async () => {
    const created = await nodeB.request('POST', '/calls/default/shared/sessions');
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    const path = `/calls/default/shared/sessions/${sessionId}`;
    expect(await (await nodeA.request('GET', path)).json()).toMatchObject({ nodeId: 'node-b', state: 'active' });

    const agentOnB = nodeB.agents.latest!;
    agentOnB.turn({ responseLatencyMs: 350 });
    const deleted = await nodeA.request('DELETE', path);
    expect(deleted.status).toBe(202);
    await waitUntil(() => agentOnB.closed, 'the agent on node B to be closed');
    expect(agentOnB.flushed).toEqual(['user 1', 'agent 1']);
    await waitUntil(async () => (await (await nodeA.request('GET', path)).json()).state === 'ended', 'node A to see the session ended');
    const metrics = await (await nodeA.request('GET', `${path}/metrics`)).json();
    expect(metrics).toMatchObject({ live: false, endReason: 'closed', figures: { turns: 1, responseLatencyMs: { lastMs: 350 } } });
    // The call's slot is free again, on any node.
    expect((await nodeA.request('POST', '/calls/default/shared/sessions')).status).toBe(201);
  });

  it('closes a session on the other node by beacon, with its close token', async () => {
    const created = await nodeA.request('POST', '/calls/default/beacon/sessions');
    const { sessionId, closeToken } = (await created.json()) as { sessionId: string; closeToken: string };
    const closed = await nodeB.request('POST', `/calls/default/beacon/sessions/${sessionId}/close?token=${closeToken}`, { key: null });
    expect(closed.status).toBe(202);
    await waitUntil(() => nodeA.agents.latest!.closed, 'the agent on node A to be closed');
  });

  it('shares rate limits: one bucket per key across nodes', async () => {
    const limitedPrefix = redis.prefix();
    const sessions = await RedisSessionStore.connect(redis.url, { prefix: limitedPrefix });
    const keyValue = await RedisStore.connect(redis.url, { prefix: limitedPrefix });
    const env = { RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '1' };
    const one = await startWorkerNode({ sessions, keyValue, nodeId: 'limited-1', env });
    const two = await startWorkerNode({ sessions, keyValue, nodeId: 'limited-2', env });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await (i % 2 ? one : two).request('GET', '/calls/default/x/sessions/00000000-0000-4000-8000-000000000000')).status);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
    } finally {
      await one.close();
      await two.close();
      await sessions.close();
      await keyValue.close();
    }
  });
});
