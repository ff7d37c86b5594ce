import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import {
  base64ToInt16,
  bufferToInt16,
  durationMs,
  frameDurationMs,
  int16ToBase64,
  int16ToBuffer,
  samplesForMs,
  samplesPer10Ms,
  silence,
} from '../../src/audio/pcm.js';

describe('pcm helpers', () => {
  it('sizes 10 ms frames at the rates in use, and refuses rates that cannot be framed', () => {
    expect(samplesPer10Ms(48_000)).toBe(480);
    expect(samplesPer10Ms(24_000)).toBe(240);
    expect(samplesPer10Ms(16_000)).toBe(160);
    expect(() => samplesPer10Ms(11_025)).toThrow(ValidationError);
    expect(() => samplesPer10Ms(-1)).toThrow(/sample rate/);
  });

  it('computes durations in ms', () => {
    expect(durationMs(480, 48_000)).toBe(10);
    expect(durationMs(960, 48_000, 2)).toBe(10);
    expect(frameDurationMs({ samples: new Int16Array(2400), sampleRate: 24_000, channels: 1 })).toBe(100);
    expect(samplesForMs(20, 16_000)).toBe(320);
  });

  it('makes silence', () => {
    expect(silence(160)).toEqual(new Int16Array(160));
  });

  it('converts samples to little-endian bytes without copying, and back', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 0x1234]);
    const bytes = int16ToBuffer(samples);
    expect([...bytes.subarray(10, 12)]).toEqual([0x34, 0x12]); // little-endian
    expect(bytes.buffer).toBe(samples.buffer); // a view, not a copy

    const back = bufferToInt16(bytes);
    expect(back).toEqual(samples);
    expect(back.buffer).toBe(samples.buffer);
  });

  it('copies when the bytes are not 2-byte aligned, and refuses half a sample', () => {
    const raw = Buffer.from([0xff, 0x34, 0x12, 0xff, 0xff]);
    expect(bufferToInt16(raw.subarray(1, 5))).toEqual(Int16Array.from([0x1234, -1]));
    expect(() => bufferToInt16(raw.subarray(0, 3))).toThrow(ValidationError);
  });

  it('round-trips base64 (the form Gemini Live carries audio in)', () => {
    const samples = Int16Array.from([1, -2, 300, -32768, 32767]);
    const base64 = int16ToBase64(samples);
    expect(Buffer.from(base64, 'base64').readInt16LE(4)).toBe(300);
    expect(base64ToInt16(base64)).toEqual(samples);
  });
});
