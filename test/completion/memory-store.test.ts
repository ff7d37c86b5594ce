import { afterEach, describe, expect, test } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';

describe('MemoryStore', () => {
  let nowMs = 1_000_000;
  const stores: MemoryStore[] = [];
  const open = () => {
    const store = new MemoryStore({ now: () => nowMs });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  test('stores, reads and deletes values', async () => {
    const store = open();
    await store.set('a', '1');
    expect(await store.get('a')).toBe('1');
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
  });

  test('expires values after their TTL', async () => {
    const store = open();
    await store.set('session', 'x', { ttlMs: 100 });
    nowMs += 99;
    expect(await store.get('session')).toBe('x');
    nowMs += 1;
    expect(await store.get('session')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test('setIfAbsent stores only the first value', async () => {
    const store = open();
    expect(await store.setIfAbsent('k', 'first')).toBe(true);
    expect(await store.setIfAbsent('k', 'second')).toBe(false);
    expect(await store.get('k')).toBe('first');
  });

  test('increment counts from zero and keeps the first TTL (a fixed window)', async () => {
    const store = open();
    expect(await store.increment('hits', 1, { ttlMs: 1000 })).toBe(1);
    nowMs += 600;
    expect(await store.increment('hits', 5, { ttlMs: 1000 })).toBe(6);
    nowMs += 400;
    expect(await store.get('hits')).toBeUndefined();
    expect(await store.increment('hits')).toBe(1);
  });

  test('increment refuses a non-numeric value', async () => {
    const store = open();
    await store.set('name', 'ada');
    await expect(store.increment('name')).rejects.toThrow(/non-numeric/);
  });

  test('takeToken allows a burst, refuses past it with the wait, then refills', async () => {
    const store = open();
    const bucket = { capacity: 3, refillPerSecond: 1 };
    for (let i = 0; i < 3; i++) expect((await store.takeToken('b', bucket)).allowed).toBe(true);
    const refused = await store.takeToken('b', bucket);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1000 });
    nowMs += 1000;
    const again = await store.takeToken('b', bucket);
    expect(again.allowed).toBe(true);
    expect(again.remaining).toBe(0);
    nowMs += 10_000;
    expect((await store.takeToken('b', bucket)).remaining).toBe(2);
  });

  test('close is idempotent and later calls reject', async () => {
    const store = open();
    await store.close();
    await store.close();
    await expect(store.get('a')).rejects.toThrow(/closed/);
  });
});
