/**
 * The session registry's contract, run against the in-memory store and against Redis: leases,
 * per-call limits under concurrency, close requests that reach only the owning node.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/store/memory-session-store.js';
import { RedisSessionStore } from '../../src/store/redis-session-store.js';
import type { SessionRecord, SessionStore } from '../../src/store/session-store.js';
import { describeRedis, startTestRedis, type TestRedis } from '../support/redis.js';
import { letTimePass, waitUntil } from '../support/wait.js';

const LONG = { leaseTtlMs: 30_000, maxPerCall: 2 };

function record(callId: string, nodeId = 'node-a', overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: randomUUID(),
    callType: 'default',
    callId,
    nodeId,
    startedAt: new Date().toISOString(),
    state: 'starting',
    ...overrides,
  };
}

function nextMessage(store: SessionStore, nodeId: string): { received: string[]; unsubscribe: Promise<() => Promise<void>> } {
  const received: string[] = [];
  return { received, unsubscribe: store.onCloseRequest(nodeId, (sessionId) => received.push(sessionId)) };
}

function sessionStoreContract(open: () => Promise<SessionStore>): void {
  let store: SessionStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('reserves slots up to the per-call limit, per call', async () => {
    const call = randomUUID();
    expect(await store.reserve(record(call), LONG)).toEqual({ reserved: true, sessionsInCall: 1 });
    expect(await store.reserve(record(call), LONG)).toEqual({ reserved: true, sessionsInCall: 2 });
    const refused = record(call);
    expect(await store.reserve(refused, LONG)).toEqual({ reserved: false, sessionsInCall: 2 });
    expect(await store.get(refused.sessionId)).toBeUndefined();
    expect((await store.reserve(record(randomUUID()), LONG)).reserved).toBe(true);
  });

  it('holds the limit under 50 concurrent reservations', async () => {
    const call = randomUUID();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.reserve(record(call), { ...LONG, maxPerCall: 3 })));
    expect(results.filter((result) => result.reserved)).toHaveLength(3);
  });

  it('reads a record back', async () => {
    const mine = record(randomUUID());
    await store.reserve(mine, LONG);
    expect(await store.get(mine.sessionId)).toEqual(mine);
    expect(await store.get(randomUUID())).toBeUndefined();
  });

  it('frees the slot and forgets the record when a lease expires', async () => {
    const call = randomUUID();
    const first = record(call);
    await store.reserve(first, { leaseTtlMs: 50, maxPerCall: 1 });
    await letTimePass(150);
    expect(await store.get(first.sessionId)).toBeUndefined();
    expect((await store.reserve(record(call), { leaseTtlMs: 50, maxPerCall: 1 })).reserved).toBe(true);
  });

  it('renews leases and rewrites records; an expired lease is retaken when the call has room, else lost', async () => {
    const call = randomUUID();
    const kept = record(call);
    await store.reserve(kept, { leaseTtlMs: 50, maxPerCall: 1 });
    const figures = {
      at: new Date().toISOString(),
      durationMs: 1200,
      humans: 1,
      turns: 2,
      interruptions: 0,
      audioUnderruns: 0,
      conversationRetries: 1,
      conversationFailures: 0,
      responseLatencyMs: { count: 2, meanMs: 410.5, p50Ms: 400, p95Ms: 421, maxMs: 421, lastMs: 421 },
    };
    const active = { ...kept, state: 'active' as const, figures };
    expect(await store.renew([active], { leaseTtlMs: 30_000, maxPerCall: 1 })).toEqual(new Map([[kept.sessionId, 'held']]));
    await letTimePass(150);
    expect(await store.get(kept.sessionId)).toEqual(active);

    const otherCall = randomUUID();
    const lapsed = record(otherCall);
    await store.reserve(lapsed, { leaseTtlMs: 50, maxPerCall: 1 });
    await letTimePass(150);
    expect((await store.renew([lapsed], { leaseTtlMs: 30_000, maxPerCall: 1 })).get(lapsed.sessionId)).toBe('held');

    const thirdCall = randomUUID();
    const lost = record(thirdCall);
    await store.reserve(lost, { leaseTtlMs: 50, maxPerCall: 1 });
    await letTimePass(150);
    const newcomer = record(thirdCall);
    expect((await store.reserve(newcomer, { leaseTtlMs: 30_000, maxPerCall: 1 })).reserved).toBe(true);
    expect((await store.renew([lost], { leaseTtlMs: 30_000, maxPerCall: 1 })).get(lost.sessionId)).toBe('lost');
    expect(await store.get(newcomer.sessionId)).toEqual(newcomer);
  });

  it('releases a slot and keeps the final record for a while', async () => {
    const call = randomUUID();
    const ending = record(call);
    await store.reserve(ending, { ...LONG, maxPerCall: 1 });
    const ended = { ...ending, state: 'ended' as const, endReason: 'closed', endedAt: new Date().toISOString() };
    await store.release(ended, 60);
    expect(await store.get(ending.sessionId)).toEqual(ended);
    expect((await store.reserve(record(call), { ...LONG, maxPerCall: 1 })).reserved).toBe(true);
    expect(await store.requestClose(ending.sessionId, { ttlMs: 1000 })).toBeUndefined();
    await letTimePass(150);
    expect(await store.get(ending.sessionId)).toBeUndefined();
  });

  it('delivers a close request to the owning node only, and shows it on the next renewal', async () => {
    const owner = `node-${randomUUID()}`;
    const bystander = `node-${randomUUID()}`;
    const ownerInbox = nextMessage(store, owner);
    const bystanderInbox = nextMessage(store, bystander);
    const unsubscribeOwner = await ownerInbox.unsubscribe;
    const unsubscribeBystander = await bystanderInbox.unsubscribe;
    try {
      const session = record(randomUUID(), owner);
      await store.reserve(session, LONG);
      expect(await store.requestClose(randomUUID(), { ttlMs: 1000 })).toBeUndefined();
      expect((await store.requestClose(session.sessionId, { ttlMs: 30_000 }))?.nodeId).toBe(owner);
      await waitUntil(() => ownerInbox.received.length === 1, "the close request in the owner's inbox");
      expect(ownerInbox.received).toEqual([session.sessionId]);
      expect((await store.renew([session], LONG)).get(session.sessionId)).toBe('close-requested');

      await unsubscribeOwner();
      const later = record(randomUUID(), owner);
      await store.reserve(later, LONG);
      await store.requestClose(later.sessionId, { ttlMs: 30_000 });
      await letTimePass(100);
      expect(ownerInbox.received).toEqual([session.sessionId]);
      expect(bystanderInbox.received).toEqual([]);
    } finally {
      await unsubscribeOwner();
      await unsubscribeBystander();
    }
  });

  it('opens, and reserves right after opening a fresh registry', async () => {
    await store.open();
    expect((await store.reserve(record(randomUUID()), LONG)).reserved).toBe(true);
  });

  it('answers ping, closes idempotently and refuses later calls', async () => {
    await store.ping();
    const other = await open();
    await other.close();
    await other.close();
    await expect(other.get('x')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
}

describe('MemorySessionStore (SessionStore contract)', () => {
  sessionStoreContract(async () => new MemorySessionStore());
});

describeRedis('RedisSessionStore (SessionStore contract)', () => {
  let redis: TestRedis;
  let prefix: string;
  beforeAll(async () => {
    redis = await startTestRedis();
    prefix = redis.prefix();
  });
  afterAll(() => redis.close());

  // One prefix for the suite: every store opened here is a node of the same deployment.
  sessionStoreContract(() => RedisSessionStore.connect(redis.url, { prefix }));

  it('lets two nodes share one registry: limits, records and close requests cross nodes', async () => {
    const nodeA = await RedisSessionStore.connect(redis.url, { prefix });
    const nodeB = await RedisSessionStore.connect(redis.url, { prefix });
    try {
      const received: string[] = [];
      const unsubscribe = await nodeB.onCloseRequest('node-b', (sessionId) => received.push(sessionId));
      const call = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? nodeA : nodeB).reserve(record(call, i % 2 ? 'node-a' : 'node-b'), { ...LONG, maxPerCall: 1 })),
      );
      expect(results.filter((result) => result.reserved)).toHaveLength(1);

      const onB = record(randomUUID(), 'node-b');
      await nodeB.reserve(onB, LONG);
      expect(await nodeA.get(onB.sessionId)).toEqual(onB);
      await nodeA.requestClose(onB.sessionId, { ttlMs: 30_000 });
      await waitUntil(() => received.length === 1, 'the close request on node B');
      expect(received).toEqual([onB.sessionId]);
      await unsubscribe();
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });
});

describeRedis('RedisSessionStore after Redis lost its state', () => {
  let redis: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.close();
  });

  /** What a restart without persistence does to one deployment's keys. */
  async function forgetEverything(prefix: string): Promise<void> {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }

  it('refuses new slots while running nodes re-assert theirs, then takes them again', async () => {
    const prefix = redis.prefix();
    const nodeA = await RedisSessionStore.connect(redis.url, { prefix });
    const nodeB = await RedisSessionStore.connect(redis.url, { prefix });
    try {
      await nodeA.open();
      await nodeB.open();
      const running = record('busy-call', 'node-a', { state: 'active' });
      expect((await nodeA.reserve(running, { leaseTtlMs: 30_000, maxPerCall: 1 })).reserved).toBe(true);

      await forgetEverything(prefix);
      // Node B, which knew the registry, finds it gone: it opens the recovery window and refuses.
      const second = await nodeB.reserve(record('busy-call', 'node-b'), { leaseTtlMs: 400, maxPerCall: 1 });
      expect(second).toMatchObject({ reserved: false, recovering: true });
      expect((second as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      // Node A re-asserts what it holds; renewing is allowed while recovering.
      expect((await nodeA.renew([running], { leaseTtlMs: 400, maxPerCall: 1 })).get(running.sessionId)).toBe('held');
      expect((await nodeA.renew([running], { leaseTtlMs: 30_000, maxPerCall: 1 })).get(running.sessionId)).toBe('held');
      // Every call is refused during the window, not only the ones someone holds.
      expect(await nodeB.reserve(record('other-call', 'node-b'), LONG)).toMatchObject({ reserved: false, recovering: true });

      await letTimePass(600);
      // After the window: the re-asserted call is full, the others are open, the record is back.
      expect(await nodeB.reserve(record('busy-call', 'node-b'), { ...LONG, maxPerCall: 1 })).toEqual({ reserved: false, sessionsInCall: 1 });
      expect((await nodeB.reserve(record('other-call', 'node-b'), LONG)).reserved).toBe(true);
      expect(await nodeB.get(running.sessionId)).toEqual(running);
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });

  it('opens the window when the node that notices holds slots, and only once per loss', async () => {
    const prefix = redis.prefix();
    const nodeA = await RedisSessionStore.connect(redis.url, { prefix });
    const nodeB = await RedisSessionStore.connect(redis.url, { prefix });
    try {
      await nodeA.open();
      await nodeB.open();
      const running = record('held-call', 'node-a');
      await nodeA.reserve(running, LONG);
      await forgetEverything(prefix);
      // The owner's heartbeat notices first: it retakes its slot and others wait.
      expect((await nodeA.renew([running], { leaseTtlMs: 300, maxPerCall: 1 })).get(running.sessionId)).toBe('held');
      expect(await nodeB.reserve(record('new-call', 'node-b'), LONG)).toMatchObject({ recovering: true });
      await letTimePass(400);
      // Node B adopted the new epoch with its refusal: no second window.
      expect((await nodeB.reserve(record('new-call', 'node-b'), LONG)).reserved).toBe(true);
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });

  it('gives a fresh deployment no recovery window', async () => {
    const prefix = redis.prefix();
    const node = await RedisSessionStore.connect(redis.url, { prefix });
    try {
      await node.open();
      expect((await node.reserve(record('first-call'), LONG)).reserved).toBe(true);
    } finally {
      await node.close();
    }
  });
});

describeRedis(
  'RedisSessionStore across a Redis restart',
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startTestRedis({ restartable: true });
    });
    afterAll(() => redis.close());

    it('tells its owner when the connection is back, so it can re-assert its leases at once', async () => {
      const store = await RedisSessionStore.connect(redis.url, { prefix: redis.prefix(), redisOptions: { retryStrategy: () => 50 } });
      try {
        let reconnects = 0;
        store.onReconnect(() => reconnects++);
        await store.ping();
        expect(reconnects).toBe(0);
        await redis.stop();
        await redis.start();
        await waitUntil(() => reconnects === 1, 'the store to reconnect');
        await store.ping();
      } finally {
        await store.close();
      }
    });
  },
  { restartable: true },
);
