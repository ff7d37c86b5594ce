import { describe, expect, it } from 'vitest';
import { AudioMixer } from '../../src/audio/mixer.js';

const frame = (value: number) => new Int16Array(4).fill(value);

describe('AudioMixer', () => {
  it('passes a single source straight through', () => {
    const out: Int16Array[] = [];
    const mixer = new AudioMixer({ frameSamples: 4, onMixed: (samples) => void out.push(samples) });
    const input = frame(100);
    mixer.push('a', input);
    expect(out).toEqual([input]);
    expect(out[0]).toBe(input);
  });

  it('sums frames of several sources as they align, clipping at full scale', () => {
    const out: number[] = [];
    const mixer = new AudioMixer({ frameSamples: 4, onMixed: (samples) => void out.push(samples[0]!) });
    mixer.push('a', frame(1000));
    mixer.push('b', frame(2000));
    expect(out).toEqual([1000]);
    mixer.push('a', frame(30000));
    expect(out).toEqual([1000, 32000]);
    mixer.push('b', frame(30000));
    mixer.push('a', frame(5000));
    expect(out).toEqual([1000, 32000, 32767]);
  });

  it('waits at most maxWaitFrames for a stalled source, then stops waiting for it until it sends again', () => {
    const out: number[] = [];
    const mixer = new AudioMixer({ frameSamples: 4, maxWaitFrames: 2, onMixed: (samples) => void out.push(samples[0]!) });
    mixer.push('a', frame(1));
    mixer.push('b', frame(10));
    mixer.push('a', frame(2));
    expect(out).toEqual([1, 12]);
    mixer.push('a', frame(3));
    mixer.push('a', frame(4));
    expect(out).toEqual([1, 12]);
    mixer.push('a', frame(5));
    expect(out).toEqual([1, 12, 3, 4, 5]);
    mixer.push('a', frame(6));
    expect(out).toEqual([1, 12, 3, 4, 5, 6]);
    mixer.push('b', frame(20));
    mixer.push('a', frame(7));
    expect(out).toEqual([1, 12, 3, 4, 5, 6, 27]);
  });

  it('rejects a frame of the wrong size', () => {
    const mixer = new AudioMixer({ frameSamples: 4, onMixed: () => {} });
    expect(() => mixer.push('a', new Int16Array(3))).toThrow(/4 samples/);
  });
});
