/** The audio a Deepgram stream keeps for replay: what is settled goes, what is not comes back after a drop, within a bound. */
import { describe, expect, it } from 'vitest';
import { AudioTimeline } from '../../src/stt/deepgram/audio-timeline.js';

const samples = (from: number, count: number): Int16Array => Int16Array.from({ length: count }, (_, index) => from + index);
const flat = (chunks: { samples: Int16Array }[]): number[] => chunks.flatMap((chunk) => [...chunk.samples]);

describe('AudioTimeline', () => {
  it('replays, after a drop, exactly the sent audio that no final settled, then the unsent, from the right position', () => {
    const timeline = new AudioTimeline(1000);
    timeline.push(samples(0, 100));
    expect(timeline.rewind()).toBe(0);
    expect(flat(timeline.takeUnsent())).toEqual([...samples(0, 100)]);
    timeline.push(samples(100, 100));
    expect(flat(timeline.takeUnsent())).toEqual([...samples(100, 100)]);
    timeline.settle(150); // a final covers samples 0..149, mid-chunk
    timeline.push(samples(200, 50)); // pushed while the socket is down

    expect(timeline.rewind()).toBe(150);
    const replay = timeline.takeUnsent();
    expect(replay[0]!.startSample).toBe(150);
    expect(flat(replay)).toEqual([...samples(150, 100)]);
    expect(timeline.pushedSamples).toBe(250);
  });

  it('starts a socket at the end of what was pushed when everything is settled', () => {
    const timeline = new AudioTimeline(1000);
    timeline.push(samples(0, 100));
    timeline.takeUnsent();
    timeline.settle(100);
    expect(timeline.rewind()).toBe(100);
    expect(timeline.takeUnsent()).toEqual([]);
  });

  it('drops the oldest audio beyond its bound, replay audio before unsent audio, and counts what was never sent', () => {
    const timeline = new AudioTimeline(250);
    timeline.push(samples(0, 100));
    timeline.takeUnsent();
    expect(timeline.push(samples(100, 100))).toBe(0);
    expect(timeline.push(samples(200, 100))).toBe(0); // the sent chunk goes: only replay is lost
    expect(timeline.push(samples(300, 100))).toBe(100); // now unsent audio goes
    expect(timeline.rewind()).toBe(200);
    expect(flat(timeline.takeUnsent())).toEqual([...samples(200, 200)]);
  });
});
