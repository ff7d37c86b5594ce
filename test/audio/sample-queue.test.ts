import { describe, expect, it } from 'vitest';
import { SampleQueue } from '../../src/audio/sample-queue.js';

const ramp = (from: number, length: number) => new Int16Array(length).map((_, i) => from + i);

describe('SampleQueue', () => {
  it('reads across chunk boundaries in order', () => {
    const queue = new SampleQueue(1000);
    queue.push(ramp(0, 5));
    queue.push(ramp(5, 3));
    queue.push(ramp(8, 10));
    const target = new Int16Array(7);
    expect(queue.read(target)).toBe(7);
    expect(target).toEqual(ramp(0, 7));
    expect(queue.read(target)).toBe(7);
    expect(target).toEqual(ramp(7, 7));
    expect(queue.read(target)).toBe(4);
    expect(target.subarray(0, 4)).toEqual(ramp(14, 4));
    expect(queue.length).toBe(0);
  });

  it('drops the oldest samples when full and says how many', () => {
    const queue = new SampleQueue(10);
    expect(queue.push(ramp(0, 6))).toBe(0);
    expect(queue.push(ramp(6, 6))).toBe(2);
    expect(queue.length).toBe(10);
    expect(queue.push(ramp(12, 25))).toBe(25);
    const target = new Int16Array(10);
    queue.read(target);
    expect(target).toEqual(ramp(27, 10));
  });

  it('stays correct over many small chunks (compaction)', () => {
    const queue = new SampleQueue(100_000);
    const target = new Int16Array(3);
    let expected = 0;
    for (let i = 0; i < 500; i++) {
      queue.push(ramp(i * 2, 2));
      if (i % 2 === 1) {
        queue.read(target);
        for (const v of target) expect(v).toBe(expected++);
      }
    }
    expect(queue.length).toBe(1000 - expected);
  });
});
