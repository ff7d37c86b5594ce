import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { AudioFramer } from '../../src/audio/framer.js';
import { chunked, concat } from './signals.js';

const ramp = (length: number) => new Int16Array(length).map((_, i) => i % 30_000);

describe('AudioFramer', () => {
  it('turns chunks of any size into exact 10 ms frames, in order, keeping the remainder', () => {
    const framer = new AudioFramer({ sampleRate: 48_000 });
    const input = ramp(480 * 7 + 123);
    const frames = chunked(input, [1, 479, 1000, 0, 7, 333, 480, 2]).flatMap((chunk) => framer.push(chunk));

    expect(frames).toHaveLength(7);
    for (const frame of frames) expect(frame).toHaveLength(480);
    expect(concat(frames)).toEqual(input.subarray(0, 480 * 7));
    expect(framer.bufferedSamples).toBe(123);
  });

  it('sizes frames by rate and duration', () => {
    expect(new AudioFramer({ sampleRate: 16_000 }).frameSize).toBe(160);
    expect(new AudioFramer({ sampleRate: 24_000, frameDurationMs: 20 }).frameSize).toBe(480);
  });

  it('copies, so the caller may reuse its chunk', () => {
    const framer = new AudioFramer({ sampleRate: 16_000 });
    const chunk = ramp(200);
    const [frame] = framer.push(chunk);
    chunk.fill(0);
    expect(frame).toEqual(ramp(160));
    expect(framer.push(new Int16Array(120))[0]?.subarray(0, 40)).toEqual(ramp(200).subarray(160));
  });

  it('flushes the remainder padded with silence, then holds nothing', () => {
    const framer = new AudioFramer({ sampleRate: 16_000 });
    framer.push(ramp(170));
    const tail = framer.flush();
    expect(tail).toHaveLength(160);
    expect(tail?.subarray(0, 10)).toEqual(ramp(170).subarray(160));
    expect(tail?.subarray(10)).toEqual(new Int16Array(150));
    expect(framer.flush()).toBeNull();
  });

  it('drops the remainder on reset()', () => {
    const framer = new AudioFramer({ sampleRate: 16_000 });
    framer.push(ramp(100));
    framer.reset();
    expect(framer.bufferedSamples).toBe(0);
    expect(concat(framer.push(ramp(160)))).toEqual(ramp(160));
  });

  it('rejects settings that do not give whole frames, and non-Int16 input', () => {
    expect(() => new AudioFramer({ sampleRate: 11_025 })).toThrow(ValidationError);
    expect(() => new AudioFramer({ sampleRate: 16_000, frameDurationMs: 0 })).toThrow(/frameDurationMs/);
    const framer = new AudioFramer({ sampleRate: 16_000 });
    framer.push(ramp(10));
    expect(() => framer.push(new Uint8Array(4) as unknown as Int16Array)).toThrow(ValidationError);
    expect(framer.bufferedSamples).toBe(10);
  });
});
