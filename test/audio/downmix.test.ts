import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { downmixToMono } from '../../src/audio/downmix.js';

describe('downmixToMono', () => {
  it('averages stereo pairs without clipping', () => {
    const stereo = Int16Array.from([100, 300, 32767, 32767, -32768, -32768, 1000, -1000]);
    expect(downmixToMono(stereo, 2)).toEqual(Int16Array.from([200, 32767, -32768, 0]));
  });

  it('averages any channel count', () => {
    const threeChannels = Int16Array.from([3, 6, 9, -30, 0, 0]);
    expect(downmixToMono(threeChannels, 3)).toEqual(Int16Array.from([6, -10]));
  });

  it('returns mono input as is', () => {
    const mono = Int16Array.from([1, 2, 3]);
    expect(downmixToMono(mono, 1)).toBe(mono);
  });

  it('rejects a bad channel count or a partial sample frame', () => {
    expect(() => downmixToMono(new Int16Array(4), 0)).toThrow(ValidationError);
    expect(() => downmixToMono(new Int16Array(4), 1.5)).toThrow(/channel count/);
    expect(() => downmixToMono(new Int16Array(5), 2)).toThrow(/whole number/);
    expect(() => downmixToMono(new Float32Array(4) as unknown as Int16Array, 2)).toThrow(/Int16Array/);
  });
});
