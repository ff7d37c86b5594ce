/**
 * One contract, two stores: every case runs against the in-memory store and against Redis
 * (a real redis-server), so a node that switches to REDIS_URL behaves exactly the same. What
 * only one store has (the in-memory store's injectable clock, Redis shared between nodes)
 * follows the contract, under that store's name.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { describeRedis, startTestRedis, type TestRedis } from '../support/redis.js';
import { letTimePass } from '../support/wait.js';

function keyValueContract(open: () => Promise<KeyValueStore>): void {
  let store: KeyValueStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('stores, overwrites and deletes values', async () => {
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', 'one');
    await store.set('a', 'two');
    expect(await store.get('a')).toBe('two');
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
  });

  it('expires a value after its TTL, and a later set without TTL keeps it', async () => {
    await store.set('short', 'x', { ttlMs: 40 });
    await store.set('kept', 'x', { ttlMs: 40 });
    await store.set('kept', 'y');
    await letTimePass(150);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('kept')).toBe('y');
  });

  it('sets a value only when absent', async () => {
    expect(await store.setIfAbsent('once', 'first', { ttlMs: 40 })).toBe(true);
    expect(await store.setIfAbsent('once', 'second')).toBe(false);
    expect(await store.get('once')).toBe('first');
    await letTimePass(150);
    expect(await store.setIfAbsent('once', 'third')).toBe(true);
    expect(await store.get('once')).toBe('third');
  });

  it('increments atomically, starting the TTL window at the first increment', async () => {
    expect(await store.increment('n')).toBe(1);
    expect(await store.increment('n', 5)).toBe(6);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.increment('n')));
    expect(Math.max(...results)).toBe(26);
    expect(new Set(results).size).toBe(20);

    await store.increment('window', 1, { ttlMs: 60 });
    await store.increment('window', 1, { ttlMs: 60_000 });
    await letTimePass(200);
    expect(await store.get('window')).toBeUndefined();
  });

  it('refuses to increment a non-numeric value', async () => {
    await store.set('text', 'hello');
    await expect(store.increment('text')).rejects.toMatchObject({ code: 'STORE_TYPE' });
    expect(await store.get('text')).toBe('hello');
  });

  it('takes tokens from a bucket until it is empty, then says when to retry', async () => {
    const bucket = { capacity: 3, refillPerSecond: 1 };
    const takes = [];
    for (let i = 0; i < 4; i++) takes.push(await store.takeToken('bucket', bucket));
    expect(takes.map((take) => take.allowed)).toEqual([true, true, true, false]);
    expect(takes.slice(0, 3).map((take) => take.remaining)).toEqual([2, 1, 0]);
    // One token refills in 1000 ms; some of that has already passed.
    expect(takes[3]!.retryAfterMs).toBeGreaterThan(0);
    expect(takes[3]!.retryAfterMs).toBeLessThanOrEqual(1000);
    // Other keys have their own bucket.
    expect((await store.takeToken('other-bucket', bucket)).remaining).toBe(2);
  });

  it('never allows more takes than the capacity, even concurrently', async () => {
    const bucket = { capacity: 5, refillPerSecond: 0.001 };
    const takes = await Promise.all(Array.from({ length: 12 }, () => store.takeToken('busy', bucket)));
    expect(takes.filter((take) => take.allowed)).toHaveLength(5);
  });

  it('refuses a cost above the capacity, and a bucket that never refills says so', async () => {
    expect((await store.takeToken('big', { capacity: 2, refillPerSecond: 1, cost: 3 })).allowed).toBe(false);
    const dry = { capacity: 1, refillPerSecond: 0 };
    expect((await store.takeToken('dry', dry)).allowed).toBe(true);
    const refused = await store.takeToken('dry', dry);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('closes idempotently and refuses later calls', async () => {
    const other = await open();
    await other.close();
    await other.close();
    await expect(other.get('a')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
}

describe('MemoryStore (KeyValueStore contract)', () => {
  keyValueContract(async () => new MemoryStore());
});

describe('MemoryStore on its own clock', () => {
  let nowMs = 1_000_000;
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore({ now: () => nowMs });
  });
  afterEach(() => store.close());

  it('expires a value at its TTL to the millisecond, and frees its entry', async () => {
    await store.set('session', 'x', { ttlMs: 100 });
    nowMs += 99;
    expect(await store.get('session')).toBe('x');
    nowMs += 1;
    expect(await store.get('session')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('counts a fixed window from the first increment, and a new one after it', async () => {
    expect(await store.increment('hits', 1, { ttlMs: 1000 })).toBe(1);
    nowMs += 600;
    expect(await store.increment('hits', 5, { ttlMs: 1000 })).toBe(6);
    nowMs += 400;
    expect(await store.get('hits')).toBeUndefined();
    expect(await store.increment('hits')).toBe(1);
  });

  it("says exactly when the next token comes, refills at the bucket's rate, and never past its capacity", async () => {
    const bucket = { capacity: 3, refillPerSecond: 1 };
    for (let i = 0; i < 3; i++) expect((await store.takeToken('b', bucket)).allowed).toBe(true);
    expect(await store.takeToken('b', bucket)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1000 });
    nowMs += 1000;
    expect(await store.takeToken('b', bucket)).toMatchObject({ allowed: true, remaining: 0 });
    nowMs += 10_000;
    expect((await store.takeToken('b', bucket)).remaining).toBe(2);
  });
});

describeRedis('RedisStore (KeyValueStore contract)', () => {
  let redis: TestRedis;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    // Stores opened by a case that failed early are closed here; close() is idempotent.
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(() => redis.close());

  keyValueContract(async () => {
    const store = await RedisStore.connect(redis.url, { prefix: redis.prefix() });
    return store;
  });

  it('shares keys between two connections with the same prefix (two nodes)', async () => {
    const prefix = redis.prefix();
    const nodeA = await RedisStore.connect(redis.url, { prefix });
    const nodeB = await RedisStore.connect(redis.url, { prefix });
    stores.push(nodeA, nodeB);
    await nodeA.set('contact:1', 'alice');
    expect(await nodeB.get('contact:1')).toBe('alice');
    const bucket = { capacity: 4, refillPerSecond: 0.001 };
    const takes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).takeToken('ratelimit:k', bucket)),
    );
    expect(takes.filter((take) => take.allowed)).toHaveLength(4);
  });

  it('fails with a retryable STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    const store = await RedisStore.connect('redis://127.0.0.1:1', {
      redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 },
    });
    stores.push(store);
    await expect(store.get('a')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
  });
});

describeRedis(
  'RedisStore when Redis hangs',
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startTestRedis({ restartable: true });
    });
    afterAll(() => redis.close());

    it('fails a command Redis does not answer with a retryable STORE_UNAVAILABLE, and works again once it answers', async () => {
      const store = await RedisStore.connect(redis.url, { prefix: redis.prefix() });
      try {
        await store.set('a', 'one');
        redis.pause();
        // Connected, but nothing comes back: the command timeout ends the wait.
        await expect(store.get('a')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
        redis.resume();
        expect(await store.get('a')).toBe('one');
      } finally {
        redis.resume();
        await store.close();
      }
    });
  },
  { restartable: true },
);
