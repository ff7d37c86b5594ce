import { describe, expect, it } from 'vitest';
import { RecentAudio } from '../../src/audio/index.js';

const frame = (value: number, samples = 160) => new Int16Array(samples).fill(value);

describe('RecentAudio', () => {
  it('keeps the newest frames that hold the time asked for, whole, oldest first', () => {
    const recent = new RecentAudio(30, 16_000); // 480 samples: three 10 ms frames
    for (let i = 1; i <= 10; i++) recent.push(frame(i));
    expect(recent.frames.map((kept) => kept[0])).toEqual([8, 9, 10]);
  });

  it('stays bounded however long the stream runs', () => {
    const recent = new RecentAudio(15_000, 16_000);
    for (let i = 0; i < 6_000; i++) recent.push(frame(i % 100, 320)); // two minutes of 20 ms frames
    const kept = recent.frames.reduce((sum, kept) => sum + kept.length, 0);
    expect(kept).toBeLessThanOrEqual(15_000 * 16 + 320);
    expect(kept).toBeGreaterThanOrEqual(15_000 * 16);
  });

  it('copies what it keeps: a caller may reuse its buffer', () => {
    const recent = new RecentAudio(100, 16_000);
    const reused = frame(1);
    const copy = recent.push(reused);
    reused.fill(7);
    expect(recent.frames[0]![0]).toBe(1);
    expect(copy).toBe(recent.frames[0]);
  });
});
