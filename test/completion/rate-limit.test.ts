/**
 * The rate limiter when its store is unavailable: it fails open to this node's own bucket
 * (same burst and rate), without waiting for a store that does not answer, asking the store
 * again at most once per interval, and logs the outage once.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AgentsError } from '../../src/core/errors.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { KeyValueStore, TokenBucket, TokenTake } from '../../src/store/store.js';

/** A store whose token bucket can be switched between working, failing and hanging. */
class SwitchableStore extends MemoryStore {
  mode: 'up' | 'down' | 'hung' = 'up';
  asked = 0;
  override takeToken(key: string, bucket: TokenBucket): Promise<TokenTake> {
    this.asked++;
    if (this.mode === 'down') return Promise.reject(new AgentsError('Redis is unreachable (token bucket)', { code: 'STORE_UNAVAILABLE' }));
    if (this.mode === 'hung') return new Promise(() => {});
    return super.takeToken(key, bucket);
  }
}

function limiterOn(store: KeyValueStore, clock: { nowMs: number }) {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }));
  let localDecisions = 0;
  const limiter = new RateLimiter(store, {
    burst: 2,
    perMinute: 60,
    storeTimeoutMs: 50,
    retryStoreAfterMs: 1_000,
    onLocalDecision: () => localDecisions++,
    logger,
    now: () => clock.nowMs,
  });
  return { limiter, lines, localDecisions: () => localDecisions };
}

describe('RateLimiter without its store', () => {
  it('limits with a local bucket of the same burst when the store fails, and logs the outage once', async () => {
    const store = new SwitchableStore();
    const clock = { nowMs: 1_000_000 };
    const { limiter, lines, localDecisions } = limiterOn(store, clock);
    store.mode = 'down';
    const takes = [];
    for (let i = 0; i < 3; i++) takes.push((await limiter.take('key-a')).allowed);
    expect(takes).toEqual([true, true, false]);
    // Another key has its own bucket.
    expect((await limiter.take('key-b')).allowed).toBe(true);
    expect(localDecisions()).toBe(4);
    expect(lines.filter((line) => line.includes("fell back to this node's local bucket"))).toHaveLength(1);
  });

  it('does not wait for a store that does not answer, and asks it again only once per interval', async () => {
    const store = new SwitchableStore();
    const clock = { nowMs: 1_000_000 };
    const { limiter, lines } = limiterOn(store, clock);
    store.mode = 'hung';
    expect(await limiter.take('key-a')).toMatchObject({ allowed: true });
    expect(store.asked).toBe(1);
    // Within the interval: decided locally, the store is not asked.
    expect(await limiter.take('key-a')).toMatchObject({ allowed: true });
    expect(store.asked).toBe(1);

    clock.nowMs += 1_000;
    store.mode = 'up';
    expect(await limiter.take('key-a')).toMatchObject({ allowed: true, remaining: 1 });
    expect(store.asked).toBe(2);
    expect(lines.filter((line) => line.includes('shared through the store again'))).toHaveLength(1);
    // Shared again: the store decides every request.
    await limiter.take('key-a');
    expect(store.asked).toBe(3);
  });
});
