import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/core/async-queue.js';

async function readAll<T>(queue: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of queue) items.push(item);
  return items;
}

describe('AsyncQueue', () => {
  it('hands items over in order, parks the reader while empty, and ends after draining', async () => {
    const queue = new AsyncQueue<number>();
    const reading = readAll(queue);
    queue.push(1);
    await Promise.resolve();
    queue.push(2);
    queue.end();
    queue.push(3); // after the end: ignored
    await expect(reading).resolves.toEqual([1, 2]);
    expect(queue.done).toBe(true);
  });

  it('fail() lets the reader drain, then throws the error', async () => {
    const queue = new AsyncQueue<string>();
    queue.push('a');
    queue.fail(new Error('socket dropped'));
    const items: string[] = [];
    await expect(
      (async () => {
        for await (const item of queue) items.push(item);
      })(),
    ).rejects.toThrow('socket dropped');
    expect(items).toEqual(['a']);
  });

  it('clear() forgets what is queued; stop() also ends, without a failure', async () => {
    const cleared = new AsyncQueue<number>();
    cleared.push(1);
    cleared.clear();
    cleared.push(2);
    cleared.end();
    await expect(readAll(cleared)).resolves.toEqual([2]);

    const stopped = new AsyncQueue<number>();
    stopped.push(1);
    stopped.fail(new Error('ignored'));
    stopped.stop();
    await expect(readAll(stopped)).resolves.toEqual([]);
  });

  it('is read once', async () => {
    const queue = new AsyncQueue<number>();
    queue.end();
    await readAll(queue);
    await expect(readAll(queue)).rejects.toThrow(/read once/);
  });
});
