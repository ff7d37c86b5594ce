import { describe, expect, it } from 'vitest';
import { VideoFrameSampler, i420ToRgb, type I420Frame, type RgbImage } from '../../src/llm/gemini/live-video.js';

/** A solid-colour I420 frame. */
function solid(width: number, height: number, y: number, u: number, v: number): I420Frame {
  const luma = width * height;
  const chroma = ((width + 1) >> 1) * ((height + 1) >> 1);
  const data = new Uint8Array(luma + 2 * chroma);
  data.fill(y, 0, luma);
  data.fill(u, luma, luma + chroma);
  data.fill(v, luma + chroma);
  return { width, height, data };
}

describe('i420ToRgb', () => {
  it('converts BT.601 limited-range colours', () => {
    const pixel = (frame: I420Frame) => Array.from(i420ToRgb(frame).data.subarray(0, 3));
    expect(pixel(solid(2, 2, 16, 128, 128))).toEqual([0, 0, 0]);
    expect(pixel(solid(2, 2, 235, 128, 128))).toEqual([255, 255, 255]);
    const red = pixel(solid(2, 2, 81, 90, 240));
    expect(red[0]).toBeGreaterThan(250);
    expect(red[1]).toBeLessThan(5);
    expect(red[2]).toBeLessThan(5);
  });

  it('handles odd sizes and rejects short buffers', () => {
    const image = i420ToRgb(solid(3, 3, 128, 128, 128));
    expect(image.data.length).toBe(27);
    expect(() => i420ToRgb({ width: 4, height: 4, data: new Uint8Array(10) })).toThrow(RangeError);
  });
});

describe('VideoFrameSampler', () => {
  it('encodes at most one frame per interval and sends it', async () => {
    let nowMs = 0;
    const encoded: RgbImage[] = [];
    const sent: Uint8Array[] = [];
    const sampler = new VideoFrameSampler({
      intervalMs: 1000,
      now: () => nowMs,
      encodeJpeg: async (image) => (encoded.push(image), Uint8Array.of(0xff, 0xd8)),
      send: (jpeg) => sent.push(jpeg),
    });
    const frame = solid(4, 2, 128, 128, 128);
    expect(sampler.push(frame)).toBe(true);
    await Promise.resolve();
    nowMs = 500;
    expect(sampler.push(frame)).toBe(false);
    nowMs = 1000;
    expect(sampler.push(frame)).toBe(true);
    await Promise.resolve();
    expect(encoded.map((image) => [image.width, image.height, image.data.length])).toEqual([
      [4, 2, 24],
      [4, 2, 24],
    ]);
    expect(sent).toHaveLength(2);
  });

  it('drops frames while one is encoding and reports encoder errors', async () => {
    let finish!: (jpeg: Uint8Array) => void;
    const errors: unknown[] = [];
    let calls = 0;
    const sampler = new VideoFrameSampler({
      intervalMs: 0,
      encodeJpeg: () => (++calls === 1 ? new Promise((resolve) => (finish = resolve)) : Promise.reject(new Error('encoder broke'))),
      send: () => {},
      onError: (error) => errors.push(error),
    });
    const frame = solid(2, 2, 128, 128, 128);
    expect(sampler.push(frame)).toBe(true);
    expect(sampler.push(frame)).toBe(false);
    finish(Uint8Array.of(0xff, 0xd8));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sampler.push(frame)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([new Error('encoder broke')]);
  });
});
